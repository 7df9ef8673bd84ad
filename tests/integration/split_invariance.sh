#!/usr/bin/env bash
# Same config and seed => bitwise identical spikes and traces for every ranks x threads split.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"

mpi_run 1 1 run "$config" -o "$WORK/ref.h5" --threads 1 --quiet
[[ $(complete_flag "$WORK/ref.h5") == 1 ]] || fail "reference run not marked complete"
for pop in exc inh; do
  n=$(dataset_length "$WORK/ref.h5" "spikes/$pop/node_ids")
  [[ -n $n && $n -gt 100 ]] || fail "reference run has too few $pop spikes ($n): the comparison would prove nothing"
done

for split in "1 2" "2 1" "2 2" "3 1" "4 1"; do
  read -r ranks threads <<<"$split"
  out="$WORK/r${ranks}t${threads}.h5"
  mpi_run "$ranks" "$threads" run "$config" -o "$out" --threads "$threads" --quiet
  [[ $(complete_flag "$out") == 1 ]] || fail "${ranks}x${threads}: not marked complete"
  h5diff "$WORK/ref.h5" "$out" /spikes /spikes || fail "${ranks}x${threads}: /spikes differ from 1x1"
  h5diff "$WORK/ref.h5" "$out" /traces /traces || fail "${ranks}x${threads}: /traces differ from 1x1"
  echo "ok: ${ranks} rank(s) x ${threads} thread(s) identical to 1x1"
done
