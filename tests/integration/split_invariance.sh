#!/usr/bin/env bash
# Same config and seed => bitwise identical spikes and traces for every ranks x threads split.
#   $4 config (relative to the source dir), $5 populations that must fire, $6 splits "RxT ..."
#   A split may name the exchange: "RxT:alltoallv", and ":blocking" turns the overlap off.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/${4:-tests/data/split_small.toml}"
populations=${5:-"exc inh"}
splits=${6:-"1x2 2x1 2x2 3x1 4x1 2x1:alltoallv 4x1:alltoallv 3x1:alltoallv:blocking 2x2:blocking"}

mpi_run 1 1 run "$config" -o "$WORK/ref.h5" --threads 1 --quiet
[[ $(complete_flag "$WORK/ref.h5") == 1 ]] || fail "reference run not marked complete"
for pop in $populations; do
  n=$(dataset_length "$WORK/ref.h5" "spikes/$pop/node_ids")
  [[ -n $n && $n -gt 100 ]] || fail "reference run has too few $pop spikes ($n): the comparison would prove nothing"
done

for spec in $splits; do
  split=${spec%%:*}
  ranks=${split%x*} threads=${split#*x}
  options=()
  [[ $spec == *:alltoallv* ]] && options+=(--set 'simulation.exchange="alltoallv"')
  [[ $spec == *:blocking* ]] && options+=(--set simulation.overlap=false)
  out="$WORK/r${ranks}t${threads}${spec#"$split"}.h5"
  out=${out//:/_}
  mpi_run "$ranks" "$threads" run "$config" -o "$out" --threads "$threads" --quiet "${options[@]}"
  [[ $(complete_flag "$out") == 1 ]] || fail "${ranks}x${threads}: not marked complete"
  h5diff "$WORK/ref.h5" "$out" /spikes /spikes || fail "${ranks}x${threads}: /spikes differ from 1x1"
  h5diff "$WORK/ref.h5" "$out" /traces /traces || fail "${ranks}x${threads}: /traces differ from 1x1"
  echo "ok: ${ranks} rank(s) x ${threads} thread(s) ${spec#"$split"} identical to 1x1"
done
