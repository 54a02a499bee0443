#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz and
# runs each over its seed corpus for SECONDS (default 60, split between
# them): the hub's push decoder and the kiosk's readers of hub replies.
# Inputs up to 1 MiB (deep nesting and huge fields need room), with a
# dictionary of the protocol's keys. New inputs go to build-fuzz/, not into
# the repository. Exit non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DBK_FUZZ=ON -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target bk_fuzz_push bk_fuzz_reply
run() {  # target, seed corpus, seconds
  mkdir -p "build-fuzz/corpus-$1"
  "./build-fuzz/tests/fuzz/$1" -max_total_time="$3" -max_len=1048576 -len_control=20 -timeout=10 \
    -rss_limit_mb=2048 -dict=tests/fuzz/wire.dict -print_final_stats=1 "build-fuzz/corpus-$1" "$2"
}
run bk_fuzz_push tests/fuzz/corpus $(( SECONDS_TO_RUN * 2 / 3 ))
run bk_fuzz_reply tests/fuzz/replies $(( SECONDS_TO_RUN - SECONDS_TO_RUN * 2 / 3 ))
