#!/usr/bin/env bash
# Every shell example in docs/API.md, run as written (ports moved to free
# ones) against a real bk-hub holding the demo shop's master data; each
# curl must get the status its comment or text promises.
set -euo pipefail
HUB=$1 DEMO=$2 DOC=$3
work=$(mktemp -d)
trap 'kill $hub_pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/var" "$work/build/hub"
ln -s "$HUB" "$work/build/hub/bk-hub"
cd "$work"
"$DEMO" --minimal --db var/hub.db --pepper var/pepper.key >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tlsport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./build/hub/bk-hub serve --db var/hub.db --pepper var/pepper.key --port "$port" >hub.log 2>&1 & hub_pid=$!
for _ in $(seq 50); do grep -q listening hub.log 2>/dev/null && break; sleep 0.1; done
# the examples, in order, as one script; curl -w prints each status
python3 - "$DOC" "$port" "$tlsport" > examples.sh <<'PY'
import re, sys
doc, port, tls = sys.argv[1:]
blocks = re.findall(r"```sh\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)
print("set -eu  # no pipefail: the examples end in head")
for b in blocks:
    print(b.replace("8600", port).replace("8643", tls))
PY
bash examples.sh > out.txt 2>&1 || { echo "FAIL: an example failed"; cat out.txt; exit 1; }
fail() { echo "FAIL: $*"; echo "--- output"; cat out.txt; exit 1; }
grep -q '"status":"ok"' out.txt || fail "health"
grep -qx '403' out.txt || fail "a desk token on a floor route"
grep -Eq '^snapshot at [0-9]+ [0-9]+ records' out.txt || fail "snapshot"
grep -Eq '^bay report of [A-Za-z0-9._-]+ revision 1 from [0-9]+$' out.txt || fail "a bay's month report"
grep -qx 'bay history LFV3A23C0K3000001 0 visits' out.txt || fail "a bay's car history"
grep -q '"applied_through":1' out.txt || fail "push"
grep -q '"event":"open_work_order"' out.txt || fail "create work order"
grep -q '"reason":"duplicate_id"' out.txt || fail "refused duplicate"
grep -qx "LFV3A23C0K3000001 \['wo-curl-1'\]" out.txt || fail "vehicle history"
grep -qx 'comeback_candidate: None' out.txt || fail "comeback candidate"
grep -q '"reason":"not_a_comeback"' out.txt || fail "a comeback of a work order not delivered"
grep -Eq '^comebacks [0-9]+ of [0-9]+ delivered' out.txt || fail "report comebacks"
grep -q '"event":"update_work_order"' out.txt || fail "update"
grep -q '"event":"add_operations"' out.txt || fail "add operations"
grep -q '"reason":"not_deliverable"' out.txt || fail "delivery refused with its blockers"
grep -q ' ready, ' out.txt || fail "deliveries"
grep -q '"gate_pass":"GP-' out.txt || fail "a car handed over with the customer's signature"
grep -q '"reason":"comeback_undecided"' out.txt || fail "a car back within the window, undecided"
grep -q '"work_order":"wo-curl-3"' out.txt || fail "a comeback opened"
grep -qx 'within_window: True billable: False' out.txt || fail "a comeback read back"
grep -q '维修质量检验单' out.txt || fail "quality record PDF"
grep -q 'open work orders' out.txt || fail "floor"
grep -q '^section,' out.txt || fail "report csv"
grep -q '"signed":null' out.txt || fail "fault slips"
grep -q '^month,technician,name,incident' out.txt || fail "fault slips csv"
grep -q '"max_failures":5' out.txt || fail "pin attempts"
grep -q 'refused without the certificate' out.txt || fail "tls without certificate"
[ "$(grep -c '"status":"ok"' out.txt)" -ge 2 ] || fail "tls health with the certificate"
echo "every example in $(basename "$DOC") ran"
