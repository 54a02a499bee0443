#!/usr/bin/env bash
# Every shell example in docs/OPERATIONS.md, run as written and in order
# (the TLS port moved to a free one) from an empty folder, with no demo:
# a shop set up, served, changed while it serves, backed up, verified,
# restored. Then what the guide promises is checked.
set -euo pipefail
HUB=$1 DOC=$2 ASSETS=$3
work=$(mktemp -d)
cleanup() {
  [ -f "$work/var/hub.pid" ] && kill "$(cat "$work/var/hub.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/build/hub"
ln -s "$HUB" "$work/build/hub/bk-hub"
ln -s "$ASSETS" "$work/assets"
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$DOC" "$port" > examples.sh <<'PY'
import re, sys
doc, port = sys.argv[1:]
blocks = re.findall(r"```sh\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)
print("set -eu")
for b in blocks:
    print(b.replace("8643", port))
PY
bash examples.sh > out.txt 2>&1 || { echo "FAIL: an example failed"; cat out.txt; exit 1; }
fail() { echo "FAIL: $*"; echo "--- output"; cat out.txt; exit 1; }
grep -q "shop '骏达丰田 4S 店' created" out.txt || fail "init"
grep -q '^900001,吕娜,[0-9]\{8\},' var/manager-slip.csv || fail "the manager's setup code"
grep -q 'bays: 4 defined' out.txt || fail "bays import"
grep -q 'staff: 6 added' out.txt || fail "staff import"
[ "$(grep -c ',[0-9]\{8\},' var/slips.csv)" = 6 ] || fail "six setup codes"
head -c 4 var/slips.pdf | grep -q '%PDF' || fail "slips to print"
[ "$(stat -c %a var/slips.csv)" = 600 ] || fail "slips are 0600"
grep -q '^200002,李志强,[0-9]\{8\},' var/reset.csv || fail "reset-pin"
grep -q '^p-200003,200003,张伟,technician;foreman,body,b03,yes' var/staff-now.csv || fail "staff export"
grep -q 'a good policy' out.txt || fail "policy check"
grep -q 'policy recorded' out.txt || fail "policy set"
grep -q '"status":"ok"' out.txt || fail "health over TLS"
grep -q 'a good catalog' out.txt || fail "catalog check"
[ -s var/kiosk-b01.code ] && [ -s var/desk.code ] || fail "enrolment codes"
grep -q 'staff: 0 added, 1 changed (1 retired' out.txt || fail "a leaver retired through the serving hub"
grep -q '^p-200004,200004,刘洋,technician,paint,b04,no' out.txt || fail "the export shows the leaver"
grep -q 'backup written to .*/var/backups/hub-.*verified: integrity ok, hash chain holds' out.txt || fail "backup, verified"
grep -q 'warning: the backup is on the hub.s own disk' out.txt || fail "a backup on the hub's own disk is said to be one"
grep -q '^desk-1 *desk' out.txt || fail "status lists the desk client"
grep -q 'hub .*: serving' out.txt || fail "status through the serving hub"
grep -q 'warning: no backup on another disk' out.txt || fail "status warns of no backup off the hub's disk"
grep -q 'status warned: 4' out.txt || fail "status exits 4 when it warns"
grep -q 'projections rebuilt from the log: equal' out.txt || fail "verify the backup"
grep -q 'person signatures: ok' out.txt || fail "verify signatures"
grep -q "reports kept: [0-9]*, equal to the log's" out.txt || fail "verify reports kept"
grep -q 'restored var/hub.db' out.txt || fail "restore"
grep -qx '"token"' out.txt || fail "the desk enrolled"
grep -q 'revoked desk-1' out.txt || fail "revoke"
# and the bad files the guide promises are refused, each with its line
printf 'badge,name,roles,trade,home_bay,active\n1,甲,boss,body,,yes\n' > bad.csv
if ./build/hub/bk-hub staff import --db var/hub.db --pepper var/pepper.key bad.csv > bad.txt 2>&1; then fail "a bad staff file was taken"; fi
grep -q "line 2, roles: unknown role 'boss'" bad.txt || { cat bad.txt; fail "bad staff file message"; }
printf 'pin_length = 4\n' > bad-policy.txt
if ./build/hub/bk-hub policy check bad-policy.txt > bad.txt 2>&1; then fail "a bad policy was taken"; fi
grep -q 'line 1, pin_length: a whole number of digits from 5 to 8' bad.txt || { cat bad.txt; fail "bad policy message"; }
echo "every example in $(basename "$DOC") ran"
