#!/usr/bin/env bash
# Sets up (install, configure, build) and runs every test: unit, physics, MPI at 1, 2 and 4
# ranks, end-to-end runs of the executable, and the Python analysis tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j 2
