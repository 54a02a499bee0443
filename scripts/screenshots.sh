#!/usr/bin/env bash
# The screenshot tour: every kiosk screen in Chinese and English, as PNGs in
# docs/screenshots/, from a fresh demo shop served by a real hub (issue 14:
# the kiosk enrols, catches up, and the status bar reads online with nothing
# waiting), under Xvfb; then the quality
# record (维修质量检验单) of a delivered car, its PDF pages as PNGs; and a page
# of the setup-code slips a shop prints when it imports its staff.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
b=${BUILD_DIR:-build}
hub=""
tmp=$(mktemp -d)
trap 'if [ -n "$hub" ]; then kill $hub 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
$b/demo/bk-demo --db "$tmp/demo.db" --pepper "$tmp/pepper.key" > "$tmp/demo.log"
head -1 "$tmp/demo.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$b/hub/bk-hub serve --db "$tmp/demo.db" --pepper "$tmp/pepper.key" --port "$port" > "$tmp/hub.log" 2>&1 & hub=$!
for _ in $(seq 100); do grep -q listening "$tmp/hub.log" 2>/dev/null && break; sleep 0.1; done
(umask 077; $b/hub/bk-hub enroll-code --db "$tmp/demo.db" --pepper "$tmp/pepper.key" --kiosk kiosk-b02 > "$tmp/enrol.code")
# every PNG here is made by this script: none is left from an older tour
find docs/screenshots -maxdepth 1 -name '*.png' -delete
xvfb-run -a -s "-screen 0 1280x800x24" $b/kiosk/bay-kiosk --db "$tmp/kiosk.db" --pepper "$tmp/pepper.key" \
  --bay b02 --kiosk-id kiosk-b02 --hub "http://127.0.0.1:$port" --enroll-code-file "$tmp/enrol.code" \
  --windowed --tour docs/screenshots
kill $hub; wait $hub 2>/dev/null || true
hub=""
# the latest delivered car whose customer signed for a declined safety item
wo=$($b/hub/bk-hub records --db "$tmp/demo.db" --kind work_order | grep '"ack"' | tail -1 | sed 's/^{"kind":"work_order","id":"\([^"]*\)".*/\1/')
for lang in zh en; do
  $b/hub/bk-hub record --db "$tmp/demo.db" --pepper "$tmp/pepper.key" --wo "$wo" --lang "$lang" \
    --shop-name "广州天河示范4S店" --out "$tmp/record-$lang.pdf"
  rm -f docs/screenshots/20-quality-record-"$lang"-*.png
  pdftoppm -r 110 -png "$tmp/record-$lang.pdf" docs/screenshots/20-quality-record-"$lang"
done
# issue 13: the setup-code slips a shop prints when it imports its staff
printf 'badge,name,roles,trade,home_bay,active\n200001,王建国,技师,机电,,yes\n200002,李志强,技师,机电,,yes\n200003,张伟,班组长,钣金,,yes\n200004,刘洋,质检员,,,yes\n' > "$tmp/staff.csv"
$b/hub/bk-hub init --db "$tmp/shop/hub.db" --pepper "$tmp/shop/pepper.key" --shop-name "广州天河示范4S店" \
  --manager-name 吕娜 --manager-badge 900001 --slips "$tmp/manager.csv" > /dev/null
$b/hub/bk-hub staff import --db "$tmp/shop/hub.db" --pepper "$tmp/shop/pepper.key" "$tmp/staff.csv" \
  --slips "$tmp/slips.csv" --slips-pdf "$tmp/slips.pdf" > /dev/null
rm -f docs/screenshots/21-setup-slips-*.png
pdftoppm -r 60 -png -f 1 -l 1 "$tmp/slips.pdf" docs/screenshots/21-setup-slips
