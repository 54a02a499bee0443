#!/usr/bin/env bash
# Issue 14: the real bay-kiosk binary under Xvfb, driven by xdotool: a foreman
# badges in at the floor, closes a ghost timer (a technician's entry left
# running for hours) at a corrected time with a reason, signed with the PIN,
# and reassigns another running job to a technician of its trade (派工),
# who is clocked off with "reassigned". The store file is checked after each.
set -euo pipefail
KIOSK=$1 DEMO=$2 HUB=$3
work=$(mktemp -d)
trap 'kill ${kpid:-} ${xpid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/bay.db hits=$work/hits.json

fail() { echo "FAIL: $*"; echo "--- kiosk log"; cat "$work/kiosk.log"; exit 1; }
source "$(dirname "$0")/xvfb_lib.sh"

# two days of a believable shop, the last still in progress: entries running,
# some for longer than the ghost limit
"$DEMO" --db "$db" --pepper "$work/pepper.key" --days 2 >/dev/null
# the foreman (p27, mechanical), a ghost entry of someone else, and a running
# job of another with a colleague of the same trade to take it
"$HUB" records --db "$db" > "$work/records.jsonl"
read -r ghost reassign to < <(python3 - "$work/records.jsonl" <<'PY'
import json, sys, time
rows = [json.loads(line) for line in open(sys.argv[1])]
rec = lambda kind: {r["id"]: r["record"] for r in rows if r["kind"] == kind}
people, ops, entries = rec("person"), rec("operation"), rec("time_entry")
now = time.time() * 1000
open_ = sorted((e for e in entries.values() if e.get("end") is None and e["tech"] != "p27"), key=lambda e: e["start"])
ghost = open_[0]
assert now - ghost["start"] > 4 * 3600 * 1000, "no ghost timer in the demo"
for e in open_[1:]:
    op = ops[e["op"]]
    mates = [p for p, v in people.items() if "technician" in v["roles"] and v.get("trade") == op["trade"]
             and p != op["main_tech"] and v.get("active", True)]
    if mates:
        print(ghost["id"], e["id"], sorted(mates)[0]); break
PY
)
[ -n "${to:-}" ] || fail "no running job to reassign in the demo"
reop=$(sql "SELECT json_extract(body,'\$.op') FROM records WHERE kind='time_entry' AND id='$reassign'")

start_xvfb
"$KIOSK" --db "$db" --pepper "$work/pepper.key" --bay b01 --hits-file "$hits" >"$work/kiosk.log" 2>&1 & kpid=$!
wait_for board.signin >/dev/null || fail "locked board not shown"
xdotool type --delay 30 "100027"
xdotool key Return
wait_for nav.floor >/dev/null || fail "the foreman is not signed in"

# the ghost timer: four taps and the PIN
export SCROLL_X=1000  # the entries are listed on the right
reveal_click "floor.entry.$ghost"
click floor.end.1
click floor.reason.correction.forgot_clock_off
click floor.correct
for k in 1 2 3 4 5 6 ok; do click "sign.pin.$k"; done
expect_sql "SELECT json_extract(body,'\$.corrected_by') || ',' || json_extract(body,'\$.reason') || ',' || (json_extract(body,'\$.end') IS NOT NULL) FROM records WHERE kind='time_entry' AND id='$ghost'" \
  "p27,corrected,1" "the ghost timer was not corrected"
# (the log keeps each type by its number, store/log_codes.hpp: 27 is correct_entry)
expect_sql "SELECT COUNT(*) FROM events WHERE type=27" 1 "no signed correction in the log"

# dispatch: the running job to a colleague of its trade
reveal_click "floor.entry.$reassign"
reveal_click "floor.to.$to"
click floor.dispatch
for k in 1 2 3 4 5 6 ok; do click "sign.pin.$k"; done
expect_sql "SELECT json_extract(body,'\$.main_tech') FROM records WHERE kind='operation' AND id='$reop'" "$to" \
  "the job was not reassigned"
expect_sql "SELECT json_extract(body,'\$.reason') FROM records WHERE kind='time_entry' AND id='$reassign'" reassigned \
  "the technician on it was not clocked off"
kill -0 $kpid || fail "kiosk died"
echo "1 passed, 0 failed"
