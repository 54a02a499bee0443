#!/usr/bin/env bash
# The README's start command: installs what it needs, builds, creates the
# demo shop as the hub's central database in ./var (once; --fresh rebuilds
# it), starts the hub on 127.0.0.1:8600 and a bay kiosk that syncs with it,
# in a 1280×800 window — under Xvfb when there is no display.
# A second kiosk beside it: bash scripts/start-kiosk.sh b05
# Options: --fresh (a new demo shop), --bay b05, --lang en.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

fresh="" bay="b02" lang="zh"
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1 ;;
    --bay) bay=$2; shift ;;
    --lang) lang=$2; shift ;;
    *) echo "start-demo: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p var
if [ -n "$fresh" ] || [ ! -s var/hub.db ]; then
  rm -f var/hub.db* var/kiosk-*.db*
  ./build/demo/bk-demo --fresh --db var/hub.db --pepper var/pepper.key > var/demo.log
  head -1 var/demo.log
fi
./build/hub/bk-hub serve --db var/hub.db --pepper var/pepper.key --port 8600 > var/hub.log 2>&1 &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do grep -q listening var/hub.log 2>/dev/null && break; sleep 0.1; done
grep listening var/hub.log || { cat var/hub.log; exit 1; }
bash scripts/start-kiosk.sh "$bay" --lang "$lang"
