#!/usr/bin/env bash
# Sets up a new bay PC as a Bay Kiosk (issue 13; docs/OPERATIONS.md §8):
#
#   bash scripts/install-kiosk.sh --hub https://HUB:8643 --hub-ca hub.pem --pepper pepper.key --bay b05 < code
#
# The enrolment code (bk-hub enroll-code --kiosk kiosk-b05) is read from
# standard input, never from the command line. Installs the Debian packages
# it needs (an X server and the kiosk's libraries), the kiosk and its assets,
# its configuration under /etc/bay-kiosk (the shop's pepper and the code
# 0600, the service user's), and a systemd unit that starts the kiosk
# full-screen in an X session of its own on tty1 at boot, and again if it
# dies. The kiosk enrols with the code on its first start and pulls the shop.
#
# Options: --kiosk-id ID (default kiosk-<bay>), --lang zh|en, --dpi N,
# --printer QUEUE, --catalog DIR (the shop's own catalog, checked first with
# bk-hub catalog check), --binary PATH (default build/kiosk/bay-kiosk). For tests
# and image builds: --root DIR (install under DIR), --no-packages,
# --no-user, --no-start (no systemctl).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)  # files given are taken from where you stand

hub="" ca="" pepper="" bay="" kiosk_id="" lang="zh" dpi="" printer="" binary=$repo/build/kiosk/bay-kiosk catalog=""
root="" packages=1 user=1 start=1
die() { echo "install-kiosk: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --hub) hub=$2; shift ;;
    --hub-ca) ca=$2; shift ;;
    --pepper) pepper=$2; shift ;;
    --bay) bay=$2; shift ;;
    --kiosk-id) kiosk_id=$2; shift ;;
    --lang) lang=$2; shift ;;
    --dpi) dpi=$2; shift ;;
    --printer) printer=$2; shift ;;
    --catalog) catalog=$2; shift ;;
    --root) root=$2; shift ;;
    --binary) binary=$2; shift ;;
    --no-packages) packages=0 ;;
    --no-user) user=0 ;;
    --no-start) start=0 ;;
    *) die "unknown option $1" ;;
  esac
  shift
done
[ -n "$hub" ] || die "--hub https://HUB:PORT is required"
[ -n "$bay" ] || die "--bay is required (the bay this panel stands in, e.g. b05)"
[[ "$bay" =~ ^[A-Za-z0-9_-]{1,32}$ ]] || die "--bay: letters, digits, - and _"
kiosk_id=${kiosk_id:-kiosk-$bay}
[[ "$kiosk_id" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "--kiosk-id: letters, digits, - and _"
[ -n "$pepper" ] && [ -s "$pepper" ] || die "--pepper FILE: the shop's pepper (copied from the hub, 32 bytes)"
[ "$(stat -c %s "$pepper")" -ge 32 ] || die "--pepper: $pepper is shorter than 32 bytes"
case "$hub" in
  https://*) [ -n "$ca" ] && [ -s "$ca" ] || die "--hub-ca FILE: the hub's certificate (hub.pem) for https" ;;
  http://127.*|http://localhost*) ;;
  *) die "--hub: https:// (plain http only to this machine)" ;;
esac
[[ "$lang" =~ ^(zh|en)$ ]] || die "--lang: zh or en"
if [ -n "$catalog" ]; then
  for f in operations.json checklists.json defects.json phrases.json; do
    [ -s "$catalog/$f" ] || die "--catalog: $catalog has no $f"
  done
fi

# the one-time code, from standard input
read -r code || true
[[ "${code:-}" =~ ^[A-Za-z0-9_-]{8,128}$ ]] || die "no enrolment code on standard input (bk-hub enroll-code --kiosk $kiosk_id)"

if [ "$packages" = 1 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # an X server of its own, and what the kiosk links (ldd build/kiosk/bay-kiosk)
  $SUDO apt-get install -y -qq --no-install-recommends xserver-xorg-core xserver-xorg-input-libinput xinit \
    libglfw3 libopengl0 libgl1-mesa-dri libfreetype6 fonts-wqy-microhei libsqlite3-0 libsodium23 libssl3 \
    libcpp-httplib0.11 libcairo2 libqrencode4 libstb0 cups-client
fi
if [ ! -x "$binary" ]; then  # a source tree not yet built: its build packages too
  [ "$packages" = 0 ] || bash "$repo/scripts/install-deps.sh"
  bash "$repo/scripts/build.sh"
fi

etc=$root/etc/bay-kiosk state=$root/var/lib/bay-kiosk share=$root/usr/local/share/bay-kiosk
install -d -m 0755 "$root/usr/local/bin" "$share" "$root/etc/systemd/system" "$root/etc/X11"
install -d -m 0700 "$etc" "$state"
install -m 0755 "$binary" "$root/usr/local/bin/bay-kiosk"
rm -rf "$share/assets"
cp -r "$repo/assets" "$share/assets"
[ -z "$catalog" ] || cp "$catalog"/operations.json "$catalog"/checklists.json "$catalog"/defects.json "$catalog"/phrases.json \
  "$share/assets/catalog/"  # the shop's own, in place of the defaults
install -m 0600 "$pepper" "$etc/pepper.key"
[ -z "$ca" ] || install -m 0644 "$ca" "$etc/hub.pem"
(umask 077; printf '%s\n' "$code" > "$state/enrol.code")
{
  echo "# /etc/bay-kiosk/kiosk.conf, written by scripts/install-kiosk.sh"
  echo "db = \"/var/lib/bay-kiosk/bay.db\""
  echo "pepper = \"/etc/bay-kiosk/pepper.key\""
  echo "assets = \"/usr/local/share/bay-kiosk/assets\""
  echo "bay = \"$bay\""
  echo "kiosk-id = \"$kiosk_id\""
  echo "hub = \"$hub\""
  [ -z "$ca" ] || echo "hub-ca = \"/etc/bay-kiosk/hub.pem\""
  echo "enroll-code-file = \"/var/lib/bay-kiosk/enrol.code\""
  echo "export-dir = \"/var/lib/bay-kiosk/exports\""
  echo "lang = \"$lang\""
  [ -z "$dpi" ] || echo "dpi = $dpi"
  [ -z "$printer" ] || echo "printer = \"$printer\""
} > "$etc/kiosk.conf"
chmod 0644 "$etc/kiosk.conf"
# the X server started by the service user from its own tty
printf 'allowed_users = anybody\nneeds_root_rights = yes\n' > "$root/etc/X11/Xwrapper.config"
cat > "$root/etc/systemd/system/bay-kiosk.service" <<EOF
# Bay Kiosk on this bay's panel (bay $bay): full-screen in an X session of
# its own on tty1, started at boot and again whenever it stops.
[Unit]
Description=Bay Kiosk (bay $bay)
After=systemd-user-sessions.service network-online.target
Wants=network-online.target
Conflicts=getty@tty1.service

[Service]
User=bay-kiosk
Group=bay-kiosk
PAMName=login
TTYPath=/dev/tty1
StandardInput=tty
UMask=0077
StateDirectory=bay-kiosk
StateDirectoryMode=0700
# no blanking, no pointer (a touch panel); the kiosk takes focus itself
ExecStart=/usr/bin/xinit /usr/local/bin/bay-kiosk --config /etc/bay-kiosk/kiosk.conf -- :0 vt1 -nocursor -s 0 -dpms -nolisten tcp
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOF
chmod 0644 "$root/etc/systemd/system/bay-kiosk.service"

if [ "$user" = 1 ]; then
  id bay-kiosk >/dev/null 2>&1 || useradd --system --home /var/lib/bay-kiosk --groups video,input,tty bay-kiosk
  chown -R bay-kiosk:bay-kiosk "$state" "$etc"
fi
if [ "$start" = 1 ]; then
  systemctl daemon-reload
  systemctl disable --now getty@tty1.service 2>/dev/null || true
  systemctl enable --now bay-kiosk.service
  echo "install-kiosk: bay $bay installed and started (journalctl -u bay-kiosk)"
else
  echo "install-kiosk: bay $bay installed under ${root:-/} (not started)"
fi
