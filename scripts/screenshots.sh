#!/usr/bin/env bash
# The screenshot tour: every kiosk screen in Chinese and English, as PNGs in
# docs/screenshots/, from a fresh demo shop, under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./build/platform/bk-demo --db "$tmp/demo.db" --pepper "$tmp/pepper.key" > "$tmp/demo.log"
head -1 "$tmp/demo.log"
xvfb-run -a -s "-screen 0 1280x800x24" ./build/kiosk/bay-kiosk --db "$tmp/demo.db" --pepper "$tmp/pepper.key" \
  --windowed --tour docs/screenshots
