#!/usr/bin/env bash
# The real bay-kiosk binary in a real X server (Xvfb), driven with real X
# input by xdotool: sign in with the badge reader (typed digits + Enter),
# clock on, pause with a reason. The store file is checked after each step.
set -euo pipefail
KIOSK=$1 DEMO=$2
work=$(mktemp -d)
trap 'kill $kpid $xpid 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/bay.db hits=$work/hits.json

fail() { echo "FAIL: $*"; echo "--- kiosk log"; cat "$work/kiosk.log"; exit 1; }
source "$(dirname "$0")/xvfb_lib.sh"

"$DEMO" --minimal --db "$db" --pepper "$work/pepper.key" >/dev/null
start_xvfb
"$KIOSK" --db "$db" --pepper "$work/pepper.key" --bay b01 --windowed --hits-file "$hits" >"$work/kiosk.log" 2>&1 & kpid=$!

sql() { sqlite3 "$db" "$1"; }
# waits (up to 10 s, the machine may be busy) until a query gives the value
expect_sql() {
  local got
  for _ in $(seq 100); do
    got=$(sql "$1" 2>/dev/null || true)
    [ "$got" = "$2" ] && return 0
    sleep 0.1
  done
  fail "$3 (got: $got)"
}

wid=$(for _ in $(seq 300); do xdotool search --name "Bay Kiosk" 2>/dev/null && break; sleep 0.1; done | head -1)
[ -n "$wid" ] || fail "no kiosk window"
wait_for board.signin >/dev/null || fail "locked board not shown"

# the USB badge reader types the badge number and Enter
xdotool windowfocus --sync "$wid" 2>/dev/null || true
xdotool type --delay 30 "100001"
xdotool key Return
click work.clock_on.wo-00001-1
expect_sql "SELECT COUNT(*) FROM records WHERE kind='time_entry' AND json_extract(body,'\$.end') IS NULL AND json_extract(body,'\$.tech')='p01'" 1 \
  "clock-on not in the store"

click work.pause
click work.reason.waiting_parts
expect_sql "SELECT json_extract(body,'\$.reason') FROM records WHERE kind='time_entry'" waiting_parts "pause reason not stored"
expect_sql "SELECT group_concat(type) FROM (SELECT type FROM events ORDER BY pos DESC LIMIT 2)" "clock_off,clock_on" "events"
kill -0 $kpid || fail "kiosk died"
echo "1 passed, 0 failed"
