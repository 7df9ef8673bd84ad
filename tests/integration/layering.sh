#!/usr/bin/env bash
# The architecture's rules that a compiler does not check:
#   - MPI functions are called in src/comm only (everything else talks to a Communicator);
#   - model code calls neither MPI nor OpenMP;
#   - a lower layer never includes a higher one (config -> network -> sim -> io -> app);
#   - models and core depend on no layer: they read a population as core/population_spec.hpp,
#     not the config's types.
# Fails naming each offending line.
set -u
src="$3/src"
status=0
report() { echo "layering: $1"; status=1; }

while IFS= read -r line; do report "MPI call outside src/comm: $line"; done < <(
  grep -rnE '\bMPI_[A-Z][a-z_]*\s*\(' "$src" --include='*.cpp' --include='*.hpp' |
    grep -v "^$src/comm/")
while IFS= read -r line; do report "MPI or OpenMP in model code: $line"; done < <(
  grep -rnE '#include <(mpi|omp)\.h>|#pragma omp|\bomp_[a-z_]+\(' "$src/model" "$src/synapse" \
    "$src/plasticity" --include='*.cpp' --include='*.hpp')

# layer -> folders it must not include
declare -A forbidden=(
  [config]="network sim io app"
  [core]="config model network sim io app"
  [model]="config network sim io app"
  [network]="sim io app"
  [sim]="io app"
  [io]="app"
)
for layer in "${!forbidden[@]}"; do
  for higher in ${forbidden[$layer]}; do
    while IFS= read -r line; do report "$layer includes $higher: $line"; done < <(
      grep -rn "#include \"$higher/" "$src/$layer" --include='*.cpp' --include='*.hpp')
  done
done
[ $status -eq 0 ] && echo "layering: ok"
exit $status
