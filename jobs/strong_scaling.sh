#!/usr/bin/env bash
# strong_scaling.sh — submit a strong-scaling series of Myelin runs (SLURM, or locally with mpirun)
# plus a collector job that writes OUT/scaling.json and OUT/scaling.csv.
#
# Defaults are for a real cluster (see --help):
#   benchmarks/sw100k.toml (fixed size) on 1,2,4,8,16,32 ranks x 2 threads, 30 min per run
#
# Examples:
#   jobs/strong_scaling.sh --ranks 1,2,4,8,16,32,64 --threads 4 --out results/strong-sw100k \
#     --sbatch-args "--partition=compute --account=myproj --exclusive"
#   jobs/strong_scaling.sh --local --config tests/slurm/tiny.toml --ranks 1,2 --threads 1 --out /tmp/s
#
# Options and output files: jobs/strong_scaling.sh --help; the engine is jobs/scaling.sh.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scaling.sh" strong "$@"
