#!/usr/bin/env bash
# Starts one more bay kiosk beside a running demo hub (scripts/start-demo.sh):
#   bash scripts/start-kiosk.sh b05 [--lang en]
# The first start enrols it with a one-time code from the hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bay=${1:-b05}
shift || true
lang=zh
while [ $# -gt 0 ]; do
  case "$1" in
    --lang) lang=$2; shift ;;
    *) echo "start-kiosk: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x build/kiosk/bay-kiosk ] || bash scripts/build.sh
hub_url=${BK_HUB_URL:-http://127.0.0.1:8600}
db=var/kiosk-$bay.db
args=()
if [ ! -s "$db" ]; then
  # the code goes through a file only this user can read, never the command line
  (umask 077; ./build/hub/bk-hub enroll-code --db var/hub.db --pepper var/pepper.key --kiosk "kiosk-$bay" > "var/enrol-$bay.code")
  args+=(--enroll-code-file "var/enrol-$bay.code")
fi
kiosk=(./build/kiosk/bay-kiosk --db "$db" --pepper var/pepper.key --bay "$bay" --kiosk-id "kiosk-$bay"
       --hub "$hub_url" --lang "$lang" --windowed "${args[@]}")
echo "Kiosk of bay $bay, syncing with $hub_url. Badges 100001…100040 typed + Enter, or tap your name; PIN 123456."
if [ -n "${DISPLAY:-}" ]; then
  exec "${kiosk[@]}"
fi
echo "No display: running under Xvfb; var/kiosk-$bay.png shows the screen (refreshed every 10 s). Ctrl-C stops."
exec xvfb-run -a -s "-screen 0 1280x800x24" "${kiosk[@]}" --snapshot "var/kiosk-$bay.png"
