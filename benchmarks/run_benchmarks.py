#!/usr/bin/python3
"""Myelin benchmarks: run a config at several ranks x threads splits and print one JSON object.

    benchmarks/run_benchmarks.py [--config benchmarks/sw10k.toml] [--splits 1x1,1x2,2x1]
                                 [--repeats 3] [--brian2] [--t-stop MS]
                                 [--baseline-binary OLD/build/myelin]

Each split runs `myelin run --summary-json` under mpirun (median over repeats of the loop wall
time). With --brian2 the Brian2 peer script (../shared/peers/networks/brian2_bench.py, Debian's
python3-brian) runs the same network in the same session, and the ratio of simulation times is
reported. With --baseline-binary another build (e.g. the commit before a change) runs the same
splits, interleaved repeat by repeat so machine noise hits both alike, and the ratio of median
loop times and whether the spikes are identical are reported. Nothing here asserts: these are
measurements, not tests.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "..", "shared", "peers", "networks", "brian2_bench.py")
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_btl": "self,vader", "OMPI_MCA_pml": "ob1"}


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"host": platform.node(), "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_gib, 1),
            "os": platform.platform()}


def run_myelin(binary, config, ranks, threads, t_stop, workdir):
    summary = os.path.join(workdir, "summary.json")
    out = os.path.join(workdir, "bench.h5")
    cmd = ["mpirun", "-n", str(ranks), "--bind-to", "none", "-x", "OMP_NUM_THREADS=%d" % threads, binary, "run",
           config, "-o", out, "--threads", str(threads), "--quiet", "--summary-json", summary]
    if t_stop is not None:
        cmd += ["--set", "simulation.t_stop=%g" % t_stop]
    env = dict(os.environ, **MPI_ENV)
    subprocess.run(cmd, check=True, env=env)
    with open(summary) as f:
        return json.load(f)


def run_brian2(config, threads, t_stop):
    cfg = tomllib.load(open(config, "rb"))
    pop = next(iter(cfg["population"].values()))
    proj = next(iter(cfg["projection"].values()))
    t_s = (t_stop if t_stop is not None else cfg["simulation"]["t_stop"]) / 1000.0
    cmd = ["/usr/bin/python3", PEER, "--model", "smallworld", "--N", str(pop["size"]), "--k", str(proj["k"]),
           "--p", str(proj["p"]), "--T", str(t_s), "--dt", str(cfg["simulation"]["dt"]), "--threads", str(threads),
           "--seed", str(cfg["simulation"]["seed"])]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads([l for l in done.stdout.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(ROOT, "benchmarks", "sw10k.toml"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--splits", default="1x1,1x2,2x1")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--t-stop", type=float, default=None, help="override simulation.t_stop [ms]")
    ap.add_argument("--brian2", action="store_true", help="run the Brian2 peer in the same session")
    ap.add_argument("--brian2-threads", type=int, default=2)
    ap.add_argument("--baseline-binary", default=None, help="another myelin build to compare with")
    a = ap.parse_args()

    result = {"bench": "myelin_" + os.path.splitext(os.path.basename(a.config))[0], "machine": machine(),
              "config": os.path.relpath(a.config, ROOT), "repeats": a.repeats, "runs": []}
    with tempfile.TemporaryDirectory(prefix="myelin-bench-") as work:
        for split in a.splits.split(","):
            ranks, threads = (int(x) for x in split.split("x"))
            reps, base = [], []
            for _ in range(a.repeats):
                reps.append(run_myelin(a.binary, a.config, ranks, threads, a.t_stop, work))
                if a.baseline_binary:
                    base.append(run_myelin(a.baseline_binary, a.config, ranks, threads, a.t_stop, work))
            loop = [r["loop_s"] for r in reps]
            med = reps[loop.index(statistics.median_low(loop))]
            result["runs"].append({
                "ranks": ranks, "threads": threads, "neurons": med["neurons"], "synapses": med["synapses"],
                "t_stop_ms": med["t_stop_ms"], "spikes": med["spikes"], "mean_rate_hz": med["mean_rate_hz"],
                "loop_s_median": statistics.median(loop), "loop_s_all": loop,
                "build_s": med["phase_s_max_over_ranks"]["build"], "phase_s": med["phase_s_max_over_ranks"],
                "synaptic_events": med["synaptic_events"], "events_per_s": med["events_per_s"],
                "peak_rss_mb_per_rank": med["peak_rss_mb_per_rank"]})
            if base:
                base_loop = [r["loop_s"] for r in base]
                result["runs"][-1]["baseline"] = {
                    "binary": a.baseline_binary, "loop_s_median": statistics.median(base_loop),
                    "loop_s_all": base_loop, "same_spikes": all(r["spikes"] == med["spikes"] for r in base),
                    "ratio_loop_over_baseline": statistics.median(loop) / statistics.median(base_loop)}
        if a.brian2:
            b = run_brian2(a.config, a.brian2_threads, a.t_stop)
            result["brian2"] = {k: b.get(k) for k in ("version", "openmp_threads", "N", "n_synapses", "n_spikes",
                                                       "mean_rate_hz", "sim_only_s", "wall_binary_s", "wall_total_s",
                                                       "events_per_s_sim", "binary_maxrss_kb")}
            best = min(result["runs"], key=lambda r: r["loop_s_median"])
            result["brian2"]["ratio_brian2_sim_over_myelin_loop"] = b["sim_only_s"] / best["loop_s_median"]
            result["brian2"]["compared_with_split"] = "%dx%d" % (best["ranks"], best["threads"])
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
