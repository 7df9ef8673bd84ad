#!/usr/bin/python3
"""Myelin scaling benchmarks: print one JSON object (measurements, not tests).

    benchmarks/scaling.py weak   [--per-rank 50000] [--ranks 1,2,4] [--t-stop 10] [--repeats 2]
    benchmarks/scaling.py strong [--config benchmarks/sw100k.toml] [--splits 1x1,1x2,2x1]
                                 [--t-stop 100] [--repeats 1]
    common: [--binary build/myelin] [--baseline-binary OLD/build/myelin] [--k 100]

weak: the sw100k network (LIF + noise, small world k = 100, p = 0.1) with a fixed share of
--per-rank neurons (so k x per-rank synapses) on each rank, 1 thread per rank; reports build
time (slowest rank), loop time, peak RSS per rank and RSS per local synapse. strong: one config
at several ranks x threads. With --baseline-binary each measurement is repeated with another
build, interleaved, so both see the same machine noise. More ranks than cores oversubscribe:
then only the memory figures mean anything.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import ROOT, machine, run_myelin  # noqa: E402


def measure(binary, config, ranks, threads, t_stop, work, sets):
    import subprocess
    summary = os.path.join(work, "summary.json")
    out = os.path.join(work, "bench.h5")
    cmd = ["mpirun", "-n", str(ranks), "--bind-to", "none", "-x", "OMP_NUM_THREADS=%d" % threads, binary, "run",
           config, "-o", out, "--threads", str(threads), "--quiet", "--summary-json", summary,
           "--set", "simulation.t_stop=%g" % t_stop]
    for s in sets:
        cmd += ["--set", s]
    from run_benchmarks import MPI_ENV
    subprocess.run(cmd, check=True, env=dict(os.environ, **MPI_ENV), stdout=subprocess.DEVNULL)
    with open(summary) as f:
        s = json.load(f)
    os.unlink(out)
    rss = s["peak_rss_mb_per_rank"]
    syn = s["synapses_per_rank"]
    return {"ranks": ranks, "threads": threads, "neurons": s["neurons"], "synapses": s["synapses"],
            "spikes": s["spikes"], "build_s": s["phase_s_max_over_ranks"]["build"], "loop_s": s["loop_s"],
            "peak_rss_mb_per_rank": rss, "peak_rss_mb_max": max(rss), "synapses_per_rank": syn,
            "rss_bytes_per_local_synapse": max(r * 2**20 / max(n, 1) for r, n in zip(rss, syn))}


def summarise(reps):
    key = lambda name: statistics.median(r[name] for r in reps)
    out = dict(reps[0])
    for name in ("build_s", "loop_s", "peak_rss_mb_max", "rss_bytes_per_local_synapse"):
        out[name] = key(name)
        out[name + "_all"] = [r[name] for r in reps]
    out["same_spikes_all_repeats"] = len({r["spikes"] for r in reps}) == 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["weak", "strong"])
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--baseline-binary", default=None)
    ap.add_argument("--config", default=os.path.join(ROOT, "benchmarks", "sw100k.toml"))
    ap.add_argument("--per-rank", type=int, default=50000, help="weak: neurons per rank")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--ranks", default="1,2,4", help="weak: rank counts")
    ap.add_argument("--splits", default="1x1,1x2,2x1", help="strong: ranks x threads")
    ap.add_argument("--t-stop", type=float, default=None, help="[ms]; default 10 (weak), 100 (strong)")
    ap.add_argument("--repeats", type=int, default=None, help="default 2 (weak), 1 (strong)")
    a = ap.parse_args()
    t_stop = a.t_stop if a.t_stop is not None else (10.0 if a.mode == "weak" else 100.0)
    repeats = a.repeats if a.repeats is not None else (2 if a.mode == "weak" else 1)

    if a.mode == "weak":
        layouts = [(int(r), 1) for r in a.ranks.split(",")]
    else:
        layouts = [tuple(int(x) for x in s.split("x")) for s in a.splits.split(",")]
    result = {"bench": "myelin_%s_scaling" % a.mode, "machine": machine(), "config": os.path.relpath(a.config, ROOT),
              "t_stop_ms": t_stop, "repeats": repeats, "runs": []}
    with tempfile.TemporaryDirectory(prefix="myelin-scaling-") as work:
        for ranks, threads in layouts:
            sets = ["projection.recurrent.k=%d" % a.k]
            if a.mode == "weak":
                sets.append("population.exc.size=%d" % (a.per_rank * ranks))
            reps, base = [], []
            for _ in range(repeats):
                reps.append(measure(a.binary, a.config, ranks, threads, t_stop, work, sets))
                if a.baseline_binary:
                    base.append(measure(a.baseline_binary, a.config, ranks, threads, t_stop, work, sets))
            run = summarise(reps)
            if base:
                b = summarise(base)
                run["baseline"] = b
                run["ratio_build_over_baseline"] = run["build_s"] / b["build_s"]
                run["ratio_loop_over_baseline"] = run["loop_s"] / b["loop_s"]
                run["ratio_rss_over_baseline"] = run["peak_rss_mb_max"] / b["peak_rss_mb_max"]
            result["runs"].append(run)
        first = result["runs"][0]
        for run in result["runs"]:
            run["rss_over_first"] = run["peak_rss_mb_max"] / first["peak_rss_mb_max"]
            run["build_over_first"] = run["build_s"] / first["build_s"]
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
