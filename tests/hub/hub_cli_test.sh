#!/usr/bin/env bash
# bk-hub's maintenance commands on a real demo database: verify, online
# backup, restore as a new instance, and a tampered log caught by verify;
# a delivered car's quality record written as a PDF and its verification id
# checked against the log, then against a log whose inspection was altered.
set -euo pipefail
HUB=$1 DEMO=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
"$DEMO" --db "$w/hub.db" --pepper "$w/p.key" --days 20 >/dev/null
fail() { echo "FAIL: $*"; exit 1; }
"$HUB" verify --db "$w/hub.db" --pepper "$w/p.key" >/dev/null || fail "verify of a sound hub"
"$HUB" backup --db "$w/hub.db" --pepper "$w/p.key" --to "$w/backup.db" >/dev/null
"$HUB" restore --db "$w/restored.db" --pepper "$w/p.key" --from "$w/backup.db" >/dev/null
"$HUB" verify --db "$w/restored.db" --pepper "$w/p.key" >/dev/null || fail "verify of the restored copy"
[ "$(sqlite3 "$w/restored.db" "select value from meta where key='kiosk_id'")" != \
  "$(sqlite3 "$w/hub.db" "select value from meta where key='kiosk_id'")" ] || fail "restored hub kept the old instance id"
[ "$(sqlite3 "$w/restored.db" 'select count(*) from events')" = "$(sqlite3 "$w/hub.db" 'select count(*) from events')" ] || fail "event counts differ"
# issue 12: the quality record of a delivered car, and its verification id
wo=$(sqlite3 "$w/hub.db" "select id from records where kind='work_order' and body like '%\"gate_pass\"%' limit 1")
[ -n "$wo" ] || fail "no delivered work order with a gate pass in the demo"
line=$("$HUB" record --db "$w/hub.db" --pepper "$w/p.key" --wo "$wo" --out "$w/record.pdf")
id=${line##*, }
[[ "$id" == BK1."$wo".* ]] || fail "record printed no verification id: $line"
pdftotext "$w/record.pdf" - | grep -q "维修质量检验单" || fail "the record's text"
pdftotext "$w/record.pdf" - | grep -qF "$id" || fail "the verification id on the record"
"$HUB" record --db "$w/hub.db" --pepper "$w/p.key" --wo "$wo" --out "$w/record-en.pdf" --lang en >/dev/null
pdftotext "$w/record-en.pdf" - | grep -q "Repair quality inspection record" || fail "the English record"
"$HUB" verify-record --db "$w/hub.db" --pepper "$w/p.key" "$id" | grep -q "^holds" || fail "verify-record of a sound record"
set +e
"$HUB" verify-record --db "$w/hub.db" --pepper "$w/p.key" "${id%?}x" >/dev/null; rc=$?
set -e
[ $rc -eq 3 ] || fail "an altered verification id held (rc $rc)"
# an inspection of that car altered in the log itself: the record no longer holds
ins=$(sqlite3 "$w/hub.db" "select pos from events where type='record_inspection' and body like '%\"wo\":\"$wo\"%' limit 1")
cp "$w/hub.db" "$w/lied.db"
sqlite3 "$w/lied.db" "update events set body = replace(body, '\"result\":\"pass\"', '\"result\":\"fail\"') where pos = $ins"
set +e
out=$("$HUB" verify-record --db "$w/lied.db" --pepper "$w/p.key" "$id"); rc=$?
set -e
[ $rc -eq 3 ] || fail "a record whose inspection was altered in the log held (rc $rc): $out"
sqlite3 "$w/hub.db" "update events set body = body || ' ' where pos = 42"
set +e
out=$("$HUB" verify --db "$w/hub.db" --pepper "$w/p.key"); rc=$?
set -e
[ $rc -eq 3 ] || fail "tampered log not refused (rc $rc)"
echo "$out" | grep -q "broken at position 42" || fail "tampered position not named: $out"
echo "1 passed, 0 failed"
