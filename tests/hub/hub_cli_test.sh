#!/usr/bin/env bash
# bk-hub's maintenance commands on a real demo database: verify, online
# backup, restore as a new instance, and a tampered log caught by verify.
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
sqlite3 "$w/hub.db" "update events set body = body || ' ' where pos = 42"
set +e
out=$("$HUB" verify --db "$w/hub.db" --pepper "$w/p.key"); rc=$?
set -e
[ $rc -eq 3 ] || fail "tampered log not refused (rc $rc)"
echo "$out" | grep -q "broken at position 42" || fail "tampered position not named: $out"
echo "1 passed, 0 failed"
