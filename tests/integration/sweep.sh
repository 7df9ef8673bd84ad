#!/usr/bin/env bash
# myelin sweep: the same file content whatever the grouping of ranks (1 rank; 2 groups of 1;
# 1 group of 2; 3 groups of 1 for 4 runs, so groups get unequal shares), a failed run marked
# in the index and kept for inspection, and bad sweep input rejected before anything runs.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"
sweep_args=(--set simulation.t_stop=100 --vary projection.ring.p=0,0.5 --seeds 2 --quiet)

"$MYELIN" sweep "$config" -o "$WORK/s1.h5" "${sweep_args[@]}"
mpi_run 2 1 sweep "$config" -o "$WORK/s2g.h5" "${sweep_args[@]}"
mpi_run 2 1 sweep "$config" -o "$WORK/s2r.h5" "${sweep_args[@]}" --ranks-per-run 2
"$MPIEXEC" -n 3 --oversubscribe --bind-to none -x OMP_NUM_THREADS=1 "$MYELIN" sweep "$config" \
  -o "$WORK/s3g.h5" "${sweep_args[@]}"
for f in s1 s2g s2r s3g; do
  [[ $(complete_flag "$WORK/$f.h5") == 1 ]] || fail "$f.h5 not complete"
  [[ ! -e $WORK/$f.h5.parts ]] || fail "$f.h5.parts left behind"
done
for name in run_0000 run_0001 run_0002 run_0003; do
  for part in spikes traces; do
    for other in s2g s2r s3g; do
      h5diff "$WORK/s1.h5" "$WORK/$other.h5" "/runs/$name/$part" "/runs/$name/$part" >/dev/null ||
        fail "/runs/$name/$part differs between 1 rank and $other"
    done
  done
done
for other in s2g s2r s3g; do
  h5diff "$WORK/s1.h5" "$WORK/$other.h5" /sweep /sweep >/dev/null || fail "/sweep differs ($other)"
done
/usr/bin/python3 - "$SOURCE_DIR" "$WORK/s2r.h5" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from analysis import open_result
with open_result(sys.argv[2]) as sweep:
    index = sweep.index()
    assert [e["name"] for e in index] == ["run_0000", "run_0001", "run_0002", "run_0003"], index
    assert [e["params"]["projection.ring.p"] for e in index] == [0, 0, 0.5, 0.5], index
    assert [e["seed"] for e in index] == [7, 8, 7, 8], index
    assert all(e["complete"] and e["error"] == "" for e in index), index
    assert sweep.meta["ranks_per_run"] == 2 and sweep.meta["kind"] == "sweep", sweep.meta
    spikes = {}
    epochs = set()
    for e, run in sweep.completed_runs():
        assert run.seed == e["seed"] and run.meta["ranks"] == 2, run.meta
        # One group ran all four runs on one communicator: each run reports only its own exchange.
        epochs.add(int(run.meta["epochs"]))
        n = sum(run.spike_count(p) for p in run.populations())
        meta = sweep._file["runs"][e["name"]]["meta"]
        assert meta.attrs["spikes_sent"] == n, (e["name"], meta.attrs["spikes_sent"], n)
        assert 0 < meta["bytes_sent"][()].sum() < 0.7 * 8 * n, (e["name"], n)
        spikes[e["name"]] = run.spikes("exc")
    # Different seeds give different networks and noise; the same seed at another p differs too.
    assert len({len(t) for _, t in spikes.values()}) > 1, {k: len(t) for k, (_, t) in spikes.items()}
    assert len(epochs) == 1, epochs
PY
echo "ok: same runs for 1 rank, 2 groups of 1, 1 group of 2, 3 groups of 1"

# A run that blows up is marked (complete 0, the error text), kept, and the others still run.
code=0
mpi_run 2 1 sweep "$config" -o "$WORK/fail.h5" --quiet --set simulation.t_stop=50 \
  --set population.inh.V_th=1e9 --set simulation.v_bound=500 \
  --vary population.inh.I_e=900,5e6 2>"$WORK/stderr" || code=$?
((code == 3)) || { cat "$WORK/stderr"; fail "sweep with a blown-up run: exit $code, expected 3"; }
[[ $(complete_flag "$WORK/fail.h5") == 1 ]] || fail "the sweep file of a sweep with a failure is not complete"
/usr/bin/python3 - "$SOURCE_DIR" "$WORK/fail.h5" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from analysis import open_result
with open_result(sys.argv[2]) as sweep:
    ok, bad = sweep.index()
    assert ok["complete"] and not bad["complete"], (ok, bad)
    assert "numerical blow-up" in bad["error"] and "V_m" in bad["error"], bad
    assert sweep.meta["n_failed"] == 1, sweep.meta
    run = sweep.run(bad["name"], allow_incomplete=True)
    assert not run.complete
    assert [e["name"] for e, _ in sweep.completed_runs()] == [ok["name"]]
PY
echo "ok: the blown-up run is marked and kept"

# Bad sweep input: exit 2 on every rank, one message naming argument, value and reason, no file.
expect_bad() {
  local what=$1
  shift
  code=0
  rm -rf "$WORK/bad.h5" "$WORK/bad.h5.parts"
  mpi_run 2 1 sweep "$config" -o "$WORK/bad.h5" --quiet "$@" 2>"$WORK/stderr" || code=$?
  ((code == 2)) || { cat "$WORK/stderr"; fail "$*: exit $code, expected 2"; }
  grep -qF -- "$what" "$WORK/stderr" || { cat "$WORK/stderr"; fail "$*: message lacks '$what'"; }
  [[ $(grep -c 'myelin: error' "$WORK/stderr") == 1 ]] || fail "$*: not exactly one error line"
  [[ ! -e $WORK/bad.h5 && ! -e $WORK/bad.h5.parts ]] || fail "$*: output written"
}
expect_bad "--vary projection.ring.p = abc: not a number" --vary projection.ring.p=0.1,abc
expect_bad "run_0001 (projection.ring.p=1.5, seed 7): projection.ring.p" --vary projection.ring.p=0.1,1.5
expect_bad "--ranks-per-run = 3: must divide the number of ranks (2)" --ranks-per-run 3
expect_bad "--vary = simulation.seed: seeds are swept with --seeds" --vary simulation.seed=1,2
expect_bad "--seeds = 0: must be >= 1" --seeds 0
echo "ok: bad sweep input"
