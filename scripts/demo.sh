#!/usr/bin/env bash
# Sets up Myelin and runs the built-in example (examples/small_world.toml) on 2 MPI ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# Root may run OpenMPI only when it says so; a laptop with 2 cores wants no oversubscription.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -n 2 --bind-to none -x OMP_NUM_THREADS=1 build/myelin run examples/small_world.toml "$@"
build/myelin info small_world.h5 | head -n 12
