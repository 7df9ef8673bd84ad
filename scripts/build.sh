#!/usr/bin/env bash
# Installs what is missing, then configures and builds Myelin in build/ (Release, -Werror).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMYELIN_WERROR="${MYELIN_WERROR:-ON}" >/dev/null
cmake --build build -j "$(nproc)"
