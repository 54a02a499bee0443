#!/usr/bin/env bash
# The README's start command: installs what it needs, builds, creates the
# demo shop in ./var (once; pass --fresh to rebuild it) and shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p var
exec ./build/platform/bk-demo --db var/demo.db --pepper var/pepper.key "$@"
