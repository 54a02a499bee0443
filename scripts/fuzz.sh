#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) into build-fuzz and
# runs it over the seed corpus for SECONDS (default 60). New inputs it finds
# go to build-fuzz/corpus, not into the repository. Exit non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DBK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target bk_fuzz_push
mkdir -p build-fuzz/corpus
./build-fuzz/tests/fuzz/bk_fuzz_push -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 build-fuzz/corpus tests/fuzz/corpus
