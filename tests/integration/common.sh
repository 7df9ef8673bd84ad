# Shared helpers for the integration tests (sourced). Arguments of every test script:
#   $1 myelin binary, $2 mpiexec, $3 source directory
set -euo pipefail
MYELIN=$1
MPIEXEC=$2
SOURCE_DIR=$3
WORK=$(mktemp -d /tmp/myelin-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# mpi_run RANKS THREADS ARGS...: myelin under mpiexec with THREADS OpenMP threads per rank.
mpi_run() {
  local ranks=$1 threads=$2
  shift 2
  "$MPIEXEC" -n "$ranks" --bind-to none -x OMP_NUM_THREADS="$threads" "$MYELIN" "$@"
}

# The value of /meta attribute `complete` (prints nothing when the file or attribute is missing).
complete_flag() {
  h5dump -a /meta/complete "$1" 2>/dev/null | sed -n 's/.*(0): *\([0-9]*\).*/\1/p' | head -n 1
}

# Number of rows of a 1-D dataset.
dataset_length() {
  h5ls "$1/$2" 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p' | head -n 1
}
