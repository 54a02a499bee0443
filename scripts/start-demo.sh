#!/usr/bin/env bash
# The README's start command: installs what it needs, builds, creates the
# demo shop in ./var (once; --fresh rebuilds it) and starts a bay kiosk on it,
# in a 1280×800 window — under Xvfb when there is no display.
# Options: --fresh (new demo shop), --bay b05 (which bay), --lang en.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

fresh="" bay="b02" lang="zh"
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh="--fresh" ;;
    --bay) bay=$2; shift ;;
    --lang) lang=$2; shift ;;
    *) echo "start-demo: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p var
if [ -n "$fresh" ] || [ ! -s var/demo.db ]; then
  ./build/platform/bk-demo $fresh --db var/demo.db --pepper var/pepper.key | head -1
fi
echo "Bay $bay. Sign in: badge 100001…100040 typed + Enter, or tap your name; every demo PIN is 1234."

kiosk=(./build/kiosk/bay-kiosk --db var/demo.db --pepper var/pepper.key --bay "$bay" --lang "$lang" --windowed)
if [ -n "${DISPLAY:-}" ]; then
  exec "${kiosk[@]}"
fi
echo "No display: running under Xvfb; var/kiosk.png shows the screen (refreshed every 10 s). Ctrl-C stops."
exec xvfb-run -a -s "-screen 0 1280x800x24" "${kiosk[@]}" --snapshot var/kiosk.png
