#!/usr/bin/env bash
# weak_scaling.sh — submit a weak-scaling series of Myelin runs (SLURM, or locally with mpirun)
# plus a collector job that writes OUT/scaling.json and OUT/scaling.csv.
#
# Defaults are for a real cluster (see --help):
#   benchmarks/sw10k.toml resized to 10,000 neurons of 'exc' per rank, on 1,2,4,8,16,32 ranks x 2 threads
#
# Examples:
#   jobs/weak_scaling.sh --neurons-per-rank 20000 --ranks 1,2,4,8,16,32,64 --threads 4 \
#     --t-stop 500 --out results/weak-20k --sbatch-args "--partition=compute --exclusive" --wait
#   jobs/weak_scaling.sh --local --config tests/slurm/tiny.toml --neurons-per-rank 250 --ranks 1,2 --threads 1
#
# Options and output files: jobs/weak_scaling.sh --help; the engine is jobs/scaling.sh.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scaling.sh" weak "$@"
