#!/usr/bin/env bash
# `myelin run --dry-run-ranks R`: one process plays rank 0 of an R-rank job.
#  1. R = 1 is the real one-rank run (same spikes).
#  2. On a network that looks alike from every rank (ring lattice, no noise, equal start), the
#     dry run's rank 0 is spike for spike the real R-rank run's rank 0: the mirrored far ends
#     and the synthesised spikes are what the other ranks would send.
#  3. Volumes: allgatherv receives exactly R x this rank's spikes; alltoallv fewer, with the
#     same dynamics (it leaves out only spikes without targets here).
#  4. Bad uses exit 2 with a message naming --dry-run-ranks.
source "$(dirname "$0")/common.sh"
cd "$WORK"
RING="$SOURCE_DIR/tests/data/dry_run_ring.toml"
SW="$SOURCE_DIR/benchmarks/sw10k.toml"
field() { sed -n "s/.*\"$2\": \"\{0,1\}\([0-9a-f.e+-]*\)\"\{0,1\}[,}].*/\1/p" "$1"; }

# 1. R = 1 against the real run.
"$MYELIN" run "$SW" --set simulation.t_stop=60 --dry-run-ranks 1 -q --summary-json one.json
mpi_run 1 1 run "$SW" --set simulation.t_stop=60 -o real1.h5 -q --summary-json real1.json
[ "$(field one.json local_spikes)" = "$(field real1.json spikes)" ] ||
  fail "dry run R=1: $(field one.json local_spikes) spikes, real run $(field real1.json spikes)"
[ "$(field one.json local_spikes)" -gt 1000 ] || fail "dry run R=1: too few spikes"

# 2. Spike for spike on the symmetric ring, R = 4.
"$MYELIN" run "$RING" --dry-run-ranks 4 -q --summary-json ring.json
mpi_run 4 1 run "$RING" -o ring4.h5 -q
want=$(/usr/bin/python3 - ring4.h5 <<'PY'
import struct, sys, h5py
f = h5py.File(sys.argv[1], "r")
share = 2000 // 4
h = 14695981039346656037
for i, t in zip(f["spikes/ring/node_ids"][:], f["spikes/ring/timestamps"][:]):
    if i < share:
        for b in struct.pack("<Qd", int(i), float(t)):
            h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
print("%016x" % h)
PY
)
[ "$(field ring.json spikes_digest)" = "$want" ] ||
  fail "dry run R=4 on the ring: rank 0's spikes digest $(field ring.json spikes_digest), real run $want"
[ "$(field ring.json local_synapses)" = "5000" ] ||
  fail "dry run R=4 on the ring: $(field ring.json local_synapses) synapses onto rank 0, want 500 x 10"

# 3. Volumes at R = 8 (a small world: p = 0.1).
N=80000
for alg in allgatherv alltoallv; do
  "$MYELIN" run "$SW" --set simulation.t_stop=30 --set population.exc.size=$N \
    --set simulation.exchange=$alg --set simulation.overlap=false --dry-run-ranks 8 -q \
    --summary-json $alg.json
done
/usr/bin/python3 - <<'PY' || fail "dry run volumes"
import json
a = json.load(open("allgatherv.json"))
d = json.load(open("alltoallv.json"))
assert a["share"] == 10000 and a["dry_run_ranks"] == 8, a
got = a["spikes_received_per_epoch"] * a["epochs"]
assert abs(got - 8 * a["local_spikes"]) < 1e-6, (got, a["local_spikes"])
assert d["local_spikes"] == a["local_spikes"] and d["spikes_digest"] == a["spikes_digest"], (d, a)
assert 0 < d["spikes_received_per_epoch"] < a["spikes_received_per_epoch"], (d, a)
assert d["bytes_received_per_epoch"] < a["bytes_received_per_epoch"], (d, a)
print("allgatherv", a["spikes_received_per_epoch"], "alltoallv", d["spikes_received_per_epoch"])
PY

# 4. Bad uses.
expect_bad() {
  local what=$1 pattern=$2
  shift 2
  set +e
  "$@" >out.txt 2>err.txt
  local code=$?
  set -e
  [ $code -eq 2 ] || fail "$what: exit $code, want 2 ($(cat err.txt))"
  grep -q -- "$pattern" err.txt || fail "$what: message does not say '$pattern': $(cat err.txt)"
}
expect_bad "R does not divide the size" "dry-run-ranks = 3: must divide the population size 2000" \
  "$MYELIN" run "$RING" --dry-run-ranks 3 -q
expect_bad "two populations" "needs a network of one population" \
  "$MYELIN" run "$SOURCE_DIR/tests/data/split_small.toml" --dry-run-ranks 2 -q
expect_bad "negative R" "dry-run-ranks = -4: must be in" "$MYELIN" run "$RING" --dry-run-ranks -4 -q
expect_bad "under mpiexec" "start it without mpirun" mpi_run 2 1 run "$RING" --dry-run-ranks 4 -q
expect_bad "with checkpoints" "keeps no state to continue" \
  "$MYELIN" run "$RING" --dry-run-ranks 4 --checkpoint-every 10 -q
echo "dry run: ok"
