#!/usr/bin/env bash
# The real bay-kiosk binary in a real X server (Xvfb), driven with real X
# input by xdotool: sign in with the badge reader (typed digits + Enter),
# clock on, pause with a reason. The store file is checked after each step.
set -euo pipefail
KIOSK=$1 DEMO=$2
work=$(mktemp -d)
trap 'kill $kpid $xpid 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/bay.db hits=$work/hits.json

"$DEMO" --minimal --db "$db" --pepper "$work/pepper.key" >/dev/null

# Xvfb picks a free display itself and writes its number once it accepts
# clients (-displayfd): no race with other X servers, none with start-up
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & xpid=$!
exec 3>&-
for _ in $(seq 300); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "FAIL: Xvfb did not start"; cat "$work/xvfb.log"; exit 1; }
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")

"$KIOSK" --db "$db" --pepper "$work/pepper.key" --bay b01 --windowed --hits-file "$hits" >"$work/kiosk.log" 2>&1 & kpid=$!

fail() { echo "FAIL: $*"; echo "--- kiosk log"; cat "$work/kiosk.log"; exit 1; }
# waits until the kiosk drew a widget; prints its centre "x y"
wait_for() {
  for _ in $(seq 100); do
    if [ -s "$hits" ]; then
      pos=$(python3 -c "import json,sys; h=[x for x in json.load(open('$hits')) if x['id']=='$1' and x['enabled']]; print(int(h[0]['x']), int(h[0]['y'])) if h else sys.exit(1)" 2>/dev/null) && { echo "$pos"; return 0; }
    fi
    sleep 0.1
  done
  return 1
}
click() {
  local pos
  pos=$(wait_for "$1") || fail "widget $1 never appeared"
  xdotool mousemove --sync $pos click 1
  sleep 0.3
}
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
