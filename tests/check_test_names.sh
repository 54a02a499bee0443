#!/usr/bin/env bash
# CTest takes a test's name as a CMake list: a ';' in a TEST_CASE's name cuts
# it in two, and each half then matches no test case and passes having run
# nothing (six tests were so before 2026-12-04). No name may hold one.
set -euo pipefail
if grep -rnE 'TEST_CASE\("[^"]*;' "$(dirname "$0")"; then
  echo "a TEST_CASE name above holds ';': CTest would run none of it" >&2
  exit 1
fi
