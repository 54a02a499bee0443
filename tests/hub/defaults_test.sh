#!/usr/bin/env bash
# Safe defaults (issue 10), on the real binaries: files only their owner can
# read, a pepper never made up by a kiosk, plain HTTP only on loopback,
# forward-secret AEAD suites only over TLS.
set -euo pipefail
HUB=$1 KIOSK=$2 DEMO=$3
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mode() { stat -c %a "$1"; }
passed=0
# the demo and the hub make their state folder 0700 and every file 0600
"$DEMO" --minimal --db "$w/state/hub.db" --pepper "$w/state/pepper.key" >/dev/null
[ "$(mode "$w/state")" = 700 ] || fail "state folder is $(mode "$w/state")"
for f in "$w/state/hub.db" "$w/state/pepper.key"; do [ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f")"; done
"$HUB" verify --db "$w/state/hub.db" --pepper "$w/state/pepper.key" >/dev/null
for f in "$w/state"/hub.db*; do [ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f") after the hub opened it"; done
# an old install's 0644 database is made 0600 when the hub opens it
chmod 644 "$w/state/hub.db"
"$HUB" verify --db "$w/state/hub.db" --pepper "$w/state/pepper.key" >/dev/null
[ "$(mode "$w/state/hub.db")" = 600 ] || fail "0644 database left readable"
passed=$((passed + 1))
# a kiosk without the shop's pepper refuses to start, and says why
set +e
out=$("$KIOSK" --db "$w/k/bay.db" --pepper "$w/k/missing.key" --windowed 2>&1); rc=$?
set -e
[ $rc -ne 0 ] || fail "kiosk started without a pepper"
echo "$out" | grep -q "is missing" || fail "no clear message for a missing pepper: $out"
[ ! -e "$w/k/missing.key" ] || fail "the kiosk made up a pepper"
cp "$w/state/pepper.key" "$w/open.key"; chmod 644 "$w/open.key"
set +e
out=$("$KIOSK" --db "$w/k/bay.db" --pepper "$w/open.key" --windowed 2>&1); rc=$?
set -e
[ $rc -ne 0 ] && echo "$out" | grep -q "other users" || fail "a world-readable pepper accepted: $out"
head -c 10 /dev/urandom > "$w/short.key"; chmod 600 "$w/short.key"
set +e
out=$("$KIOSK" --db "$w/k/bay.db" --pepper "$w/short.key" --windowed 2>&1); rc=$?
set -e
[ $rc -ne 0 ] && echo "$out" | grep -q "shorter than 32 bytes" || fail "a short pepper accepted: $out"
passed=$((passed + 1))
# plain HTTP: only on loopback, unless said outright; kiosks likewise
set +e
out=$(timeout 5 "$HUB" serve --db "$w/state/hub.db" --pepper "$w/state/pepper.key" --host 0.0.0.0 --port 0 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && echo "$out" | grep -q "without TLS" || fail "hub served plain HTTP on the LAN: rc $rc $out"
set +e
out=$("$KIOSK" --db "$w/k/bay.db" --pepper "$w/state/pepper.key" --hub http://192.168.1.10:8600 --windowed 2>&1); rc=$?
set -e
[ $rc -eq 2 ] && echo "$out" | grep -q "plain HTTP" || fail "kiosk took http:// to another machine: rc $rc $out"
passed=$((passed + 1))
# TLS: forward-secret AEAD suites only (TLS 1.3; TLS 1.2 with ECDHE and GCM
# or ChaCha20); no TLS 1.1, no CBC, no static RSA key exchange
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/tls.key" -out "$w/tls.pem" -days 2 -subj /CN=127.0.0.1 2>/dev/null
tlsport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HUB" serve --db "$w/state/hub.db" --pepper "$w/state/pepper.key" --port "$tlsport" --tls-cert "$w/tls.pem" --tls-key "$w/tls.key" >/dev/null 2>&1 &
hubpid=$!
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$tlsport) 2>/dev/null && break; sleep 0.1; done
suite() { echo | timeout 5 openssl s_client -connect "127.0.0.1:$tlsport" "$@" 2>&1 | grep -o "Cipher is [A-Z0-9_-]\+" || true; }
[ -n "$(suite -tls1_3)" ] || fail "no TLS 1.3"
[ -n "$(suite -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)" ] || fail "no TLS 1.2 with ECDHE and AES-GCM"
[ -z "$(suite -tls1_2 -cipher ECDHE-RSA-AES128-SHA)" ] || fail "a CBC suite accepted"
[ -z "$(suite -tls1_2 -cipher AES128-GCM-SHA256)" ] || fail "static RSA key exchange accepted"
[ -z "$(suite -tls1_1)" ] || fail "TLS 1.1 accepted"
kill "$hubpid"; wait "$hubpid" || true
passed=$((passed + 1))
# the enrolment code never on a command line
"$KIOSK" --help | grep -q -- "--enroll-code-file" || fail "no --enroll-code-file"
if "$KIOSK" --help | grep -q -- "--enroll-code "; then fail "the code can still be given on the command line"; fi
passed=$((passed + 1))
echo "$passed passed, 0 failed"
