#!/usr/bin/env bash
# scripts/install-kiosk.sh into a scratch root (no packages, no user, no
# systemctl): the files, their modes, the unit; then the kiosk started with
# exactly the unit's command line and configuration (paths moved under the
# scratch root), full-screen under Xvfb as X would run it, against a real
# hub: it enrols with the code read from standard input and pulls the shop.
set -euo pipefail
INSTALL=$1 KIOSK=$2 HUB=$3 DEMO=$4
work=$(mktemp -d)
kpid="" xpid="" hpid=""
trap 'kill ${kpid:-} ${xpid:-} ${hpid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/kiosk.log" ] && { echo "--- kiosk log"; cat "$work/kiosk.log"; }; exit 1; }
hits=$work/hits.json
source "$(dirname "$0")/xvfb_lib.sh"

"$DEMO" --minimal --db "$work/hub.db" --pepper "$work/pepper.key" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HUB" serve --db "$work/hub.db" --pepper "$work/pepper.key" --port "$port" >"$work/hub.log" 2>&1 & hpid=$!
for _ in $(seq 100); do grep -q listening "$work/hub.log" 2>/dev/null && break; sleep 0.1; done
"$HUB" enroll-code --db "$work/hub.db" --pepper "$work/pepper.key" --kiosk kiosk-b05 2>/dev/null > "$work/code"

root=$work/root
# refused: no code on stdin, a missing pepper, plain http to another machine
if bash "$INSTALL" --root "$root" --no-packages --no-user --no-start --binary "$KIOSK" --hub "http://127.0.0.1:$port" \
     --pepper "$work/pepper.key" --bay b05 < /dev/null 2>/dev/null; then fail "installed without a code"; fi
if bash "$INSTALL" --root "$root" --no-packages --no-user --no-start --binary "$KIOSK" --hub "http://127.0.0.1:$port" \
     --bay b05 < "$work/code" 2>/dev/null; then fail "installed without the pepper"; fi
if bash "$INSTALL" --root "$root" --no-packages --no-user --no-start --binary "$KIOSK" --hub "http://192.168.1.10:8600" \
     --pepper "$work/pepper.key" --bay b05 < "$work/code" 2>/dev/null; then fail "installed with plain http to the LAN"; fi
# the shop's own catalog (here: the defaults with one labour operation renamed)
mkdir -p "$work/catalog"
cp "$(dirname "$INSTALL")/../assets/catalog/"*.json "$work/catalog/"
sed -i 's/"常规保养"/"常规保养（本店）"/' "$work/catalog/operations.json"
bash "$INSTALL" --root "$root" --no-packages --no-user --no-start --binary "$KIOSK" --hub "http://127.0.0.1:$port" \
  --pepper "$work/pepper.key" --bay b05 --catalog "$work/catalog" < "$work/code" > "$work/install.log" || { cat "$work/install.log"; fail "install"; }
grep -q '常规保养（本店）' "$root/usr/local/share/bay-kiosk/assets/catalog/operations.json" || fail "the shop's catalog"

mode() { stat -c %a "$1"; }
[ -x "$root/usr/local/bin/bay-kiosk" ] || fail "the kiosk binary"
[ -s "$root/usr/local/share/bay-kiosk/assets/catalog/checklists.json" ] || fail "the assets"
[ "$(mode "$root/etc/bay-kiosk")" = 700 ] || fail "/etc/bay-kiosk is $(mode "$root/etc/bay-kiosk")"
[ "$(mode "$root/etc/bay-kiosk/pepper.key")" = 600 ] || fail "the pepper is $(mode "$root/etc/bay-kiosk/pepper.key")"
[ "$(mode "$root/var/lib/bay-kiosk/enrol.code")" = 600 ] || fail "the code file"
cmp -s "$root/var/lib/bay-kiosk/enrol.code" "$work/code" || fail "the code as read from stdin"
unit=$root/etc/systemd/system/bay-kiosk.service
grep -q '^Restart=always' "$unit" || fail "restarts when it dies"
grep -q '^WantedBy=multi-user.target' "$unit" || fail "starts at boot"
grep -q '^User=bay-kiosk' "$unit" || fail "runs as the service user"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
case "$exec_start" in /usr/bin/xinit\ /usr/local/bin/bay-kiosk\ *\ --\ :0\ *) ;; *) fail "ExecStart: $exec_start" ;; esac
grep -q 'allowed_users = anybody' "$root/etc/X11/Xwrapper.config" || fail "Xwrapper"
if command -v systemd-analyze >/dev/null; then
  # the unit's syntax (the binaries it names live on the bay PC, not here)
  out=$(systemd-analyze verify "$unit" 2>&1 | grep -v 'Command /usr/bin/xinit is not executable' || true)
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
fi

# the kiosk as the unit starts it (xinit's client: the part before " -- ")
client=${exec_start#/usr/bin/xinit }
client=${client%% -- *}
sed "s#\"/#\"$root/#" "$root/etc/bay-kiosk/kiosk.conf" > "$work/kiosk.conf"
args=${client//\/etc\/bay-kiosk\/kiosk.conf/$work/kiosk.conf}
start_xvfb
# shellcheck disable=SC2086
$root$args --hits-file "$hits" >"$work/kiosk.log" 2>&1 & kpid=$!
wait_for board.signin >/dev/null || fail "the kiosk's board never showed"
for _ in $(seq 200); do
  people=$( ("$HUB" records --db "$root/var/lib/bay-kiosk/bay.db" --kind person 2>/dev/null || true) | wc -l)
  [ "$people" -ge 40 ] && break
  sleep 0.1
done
[ "$people" -ge 40 ] || fail "the kiosk did not enrol and pull the shop ($people people)"
grep -q 'kiosk-b05 enrolled' "$work/hub.log" || fail "the hub did not see kiosk-b05 enrol"
# it takes touches at once, full-screen, never focused by hand
click board.signin
wait_for signin.back >/dev/null || fail "the first tap"
echo "1 passed, 0 failed"
