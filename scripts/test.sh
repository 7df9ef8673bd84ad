#!/usr/bin/env bash
# Sets up (install, configure, build) and runs every test: unit, physics, MPI at 1, 2 and 4
# ranks, end-to-end runs of the executable, and the Python analysis tests; then the sanitizer
# runs (ASan + UBSan of the unit, MPI and integration tests; ThreadSanitizer of the OpenMP loop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j 2
bash scripts/sanitize.sh
