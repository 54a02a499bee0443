#!/usr/bin/env bash
# Builds the kiosk, the sync client and their tests with ThreadSanitizer into
# build-tsan and runs them: the kiosk's frames beside its sync threads, and
# every sync test of the hub suite (enrolment, offline, long poll, a hub that
# answers wrongly). Any data race fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-tsan -DBK_TSAN=ON -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g" >/dev/null
cmake --build build-tsan -j"$(nproc)" --target bk_kiosk_sync_tests bk_sync_race_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
./build-tsan/tests/bk_kiosk_sync_tests
./build-tsan/tests/bk_sync_race_tests -tc="sync:*,fake hub:*,hub: long polls*,hub: pushes*"
echo "tsan: no data race"
