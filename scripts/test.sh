#!/usr/bin/env bash
# The README's test command: installs what it needs, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
cd ..
# the kiosk's screen and sync threads, and the sync tests, under ThreadSanitizer
bash scripts/tsan.sh > "${BUILD_DIR:-build}/tsan.log" 2>&1 || { tail -80 "${BUILD_DIR:-build}/tsan.log"; exit 1; }
grep -E "^\[doctest\] (test cases|assertions)" "${BUILD_DIR:-build}/tsan.log"
echo "tsan: no data race"
# the hub's request decoder and the kiosk's reply decoders under libFuzzer (clang, ASan + UBSan), one minute
bash scripts/fuzz.sh 60 > "${BUILD_DIR:-build}/fuzz.log" 2>&1 || { tail -40 "${BUILD_DIR:-build}/fuzz.log"; exit 1; }
grep -E "^stat::(number_of_executed_units|new_units_added)" "${BUILD_DIR:-build}/fuzz.log"
echo "fuzz: no crash in 60 s"
