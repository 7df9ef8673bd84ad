#!/usr/bin/python3
"""Myelin benchmarks: run networks at several ranks x threads splits and print ONE JSON object.

    benchmarks/run_benchmarks.py [--config benchmarks/sw10k.toml | --suite all|smallworld|brette]
                                 [--splits 1x1,1x2,2x1] [--repeats 3] [--t-stop MS]
                                 [--brian2] [--brian2-threads 2] [--brian2-repeats 1] [--paired K]
                                 [--baseline-binary OLD/build/myelin]

One network (--config, default benchmarks/sw10k.toml): the old report, one "runs" entry per
split. A suite runs several, each reported as under one network in "networks":

    smallworld  benchmarks/sw10k.toml, benchmarks/sw100k.toml
    brette      examples/cuba.toml, examples/cobahh.toml (Brette et al. 2007, benchmarks 2 and 3)
    all         the four

`--brian2` without --config or --suite runs `all` side by side with Brian2, e.g.

    /usr/bin/python3 benchmarks/run_benchmarks.py --brian2                 # four networks
    /usr/bin/python3 benchmarks/run_benchmarks.py --brian2 --t-stop 50 --repeats 1   # smoke run

Each split runs `myelin run --summary-json` under mpirun (median over repeats of the loop wall
time). With --brian2 the Brian2 peer script (../shared/peers/networks/brian2_bench.py, Debian's
python3-brian; it fails at once with a clear message when brian2 cannot be imported) runs the
same network in the same session, and "comparisons" holds, per core count, Brian2's simulation
time (its own timer of the run loop, sim_only_s) over Myelin's loop time: > 1 means Myelin is
faster. Small-world networks compare Myelin's best split on --brian2-threads cores (default 2:
1x2 or 2x1) with Brian2 on as many threads; the Brette networks compare 1 core with 1 thread and
2 cores with 2 threads. Event rates are synaptic events per second of loop (simulation) time.
With --baseline-binary another build (e.g. the commit before a change) runs the same splits,
interleaved repeat by repeat so machine noise hits both alike, and the ratio of median loop times
and whether the spike counts are identical are reported. --paired K adds K (Myelin, Brian2) pairs
per comparison, each run back to back, and the median of the pairs' ratios
("paired_ratios_median"): on a host whose speed drifts it is the steadier number. Nothing here
asserts: these are
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
PYTHON = "/usr/bin/python3"
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_btl": "self,vader", "OMPI_MCA_pml": "ob1"}
SUITES = {
    "smallworld": ["benchmarks/sw10k.toml", "benchmarks/sw100k.toml"],
    "brette": ["examples/cuba.toml", "examples/cobahh.toml"],
}
SUITES["all"] = SUITES["smallworld"] + SUITES["brette"]


class BenchError(Exception):
    pass


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
    for path in (summary, out):
        if os.path.exists(path):
            os.remove(path)  # a run that writes no summary must not report the previous one
    cmd = ["mpirun", "-n", str(ranks), "--bind-to", "none", "-x", "OMP_NUM_THREADS=%d" % threads, binary, "run",
           config, "-o", out, "--threads", str(threads), "--quiet", "--summary-json", summary]
    if t_stop is not None:
        cmd += ["--set", "simulation.t_stop=%g" % t_stop]
    env = dict(os.environ, **MPI_ENV)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError("%s failed (exit %d):\n%s" % (" ".join(cmd), done.returncode, done.stderr.strip()))
    with open(summary) as f:
        return json.load(f)


def peer_model(config, cfg):
    """The brian2_bench.py --model that simulates this config, or None."""
    name = os.path.splitext(os.path.basename(config))[0]
    if name in ("cuba", "cobahh"):
        return name
    projections = list(cfg.get("projection", {}).values())
    if len(cfg.get("population", {})) == 1 and len(projections) == 1 and projections[0].get("rule") == "small_world":
        return "smallworld"
    return None


def check_brian2():
    if not os.path.exists(PEER):
        raise BenchError("--brian2: the peer script %s is missing" % os.path.normpath(PEER))
    done = subprocess.run([PYTHON, "-c", "import brian2; print(brian2.__version__)"], capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError("--brian2: %s cannot import brian2 (%s); install it with "
                         "`bash scripts/install-deps.sh --peers` (Debian's python3-brian)" % (PYTHON, why))


def run_brian2(config, cfg, model, threads, t_stop):
    t_s = (t_stop if t_stop is not None else cfg["simulation"]["t_stop"]) / 1000.0
    pop = next(iter(cfg["population"].values()))
    cmd = [PYTHON, PEER, "--model", model, "--N", str(sum(p["size"] for p in cfg["population"].values())),
           "--T", str(t_s), "--dt", str(cfg["simulation"]["dt"]), "--threads", str(threads),
           "--seed", str(cfg["simulation"]["seed"])]
    if model == "smallworld":
        proj = next(iter(cfg["projection"].values()))
        cmd += ["--k", str(proj["k"]), "--p", str(proj["p"]), "--w", str(proj["weight"]),
                "--I0", str(pop.get("I_e", 0.0) / 1000.0), "--sigma", str(pop.get("noise_sigma", 0.0))]
    done = subprocess.run(cmd, capture_output=True, text=True)
    lines = [l for l in done.stdout.splitlines() if l.startswith("{")]
    if done.returncode != 0 or not lines:
        raise BenchError("%s failed (exit %d):\n%s" % (" ".join(cmd), done.returncode, done.stderr.strip()[-2000:]))
    b = json.loads(lines[-1])
    return {k: b.get(k) for k in ("version", "openmp_threads", "N", "n_synapses", "n_spikes", "mean_rate_hz",
                                  "syn_events", "sim_only_s", "events_per_s_sim", "wall_binary_s", "wall_total_s",
                                  "binary_maxrss_kb")}


def paired_ratios(a, config, cfg, model, best, threads, work):
    """--paired K: K (Myelin, Brian2) pairs run back to back, so that a host whose speed drifts
    (this VM's did by 1.7x within 20 minutes) slows both sides of a pair alike; the ratio of each
    pair, and their median."""
    pairs = []
    for _ in range(a.paired):
        m = run_myelin(a.binary, config, best["ranks"], best["threads"], a.t_stop, work)
        b = run_brian2(config, cfg, model, threads, a.t_stop)
        pairs.append({"myelin_loop_s": m["loop_s"], "brian2_sim_s": b["sim_only_s"],
                      "ratio": b["sim_only_s"] / m["loop_s"] if m["loop_s"] > 0 else None})
    ratios = [p["ratio"] for p in pairs if p["ratio"] is not None]
    return {"pairs": pairs, "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_min": min(ratios, default=None), "ratio_max": max(ratios, default=None)}


def bench_network(a, config, work):
    cfg = tomllib.load(open(config, "rb"))
    entry = {"network": os.path.splitext(os.path.basename(config))[0], "config": os.path.relpath(config, ROOT),
             "runs": []}
    for split in a.splits.split(","):
        ranks, threads = (int(x) for x in split.split("x"))
        reps, base = [], []
        for _ in range(a.repeats):
            reps.append(run_myelin(a.binary, config, ranks, threads, a.t_stop, work))
            if a.baseline_binary:
                base.append(run_myelin(a.baseline_binary, config, ranks, threads, a.t_stop, work))
        loop = [r["loop_s"] for r in reps]
        med = reps[loop.index(statistics.median_low(loop))]
        run = {"ranks": ranks, "threads": threads, "neurons": med["neurons"], "synapses": med["synapses"],
               "t_stop_ms": med["t_stop_ms"], "spikes": med["spikes"], "mean_rate_hz": med["mean_rate_hz"],
               "loop_s_median": statistics.median(loop), "loop_s_all": loop,
               "build_s": med["phase_s_max_over_ranks"]["build"], "phase_s": med["phase_s_max_over_ranks"],
               "synaptic_events": med["synaptic_events"], "events_per_s": med["events_per_s"],
               "peak_rss_mb_per_rank": med["peak_rss_mb_per_rank"]}
        if base:
            base_loop = [r["loop_s"] for r in base]
            run["baseline"] = {
                "binary": a.baseline_binary, "loop_s_median": statistics.median(base_loop),
                "loop_s_all": base_loop, "same_spikes": all(r["spikes"] == med["spikes"] for r in base),
                "ratio_loop_over_baseline": statistics.median(loop) / statistics.median(base_loop)}
        entry["runs"].append(run)
    if not a.brian2:
        return entry

    model = peer_model(config, cfg)
    if model is None:
        entry["brian2_runs"] = []
        entry["brian2_skipped"] = "no Brian2 peer model for this config"
        return entry
    # Small-world: the best split on N cores against N threads. Brette: 1 v 1 and 2 v 2.
    cores = [a.brian2_threads] if model == "smallworld" else [1, 2]
    entry["brian2_runs"], entry["comparisons"] = [], []
    for n in cores:
        reps = [run_brian2(config, cfg, model, n, a.t_stop) for _ in range(a.brian2_repeats)]
        sims = [r["sim_only_s"] for r in reps]
        b = reps[sims.index(statistics.median_low(sims))]
        b["sim_only_s_all"] = sims
        entry["brian2_runs"].append(b)
        on_n = [r for r in entry["runs"] if r["ranks"] * r["threads"] == n]
        if not on_n:
            entry["comparisons"].append({"cores": n, "skipped": "no Myelin split on %d cores in --splits" % n})
            continue
        best = min(on_n, key=lambda r: r["loop_s_median"])
        sim = statistics.median(sims)
        comparison = {
            "cores": n, "myelin_split": "%dx%d" % (best["ranks"], best["threads"]),
            "myelin_loop_s": best["loop_s_median"], "myelin_events_per_s": best["events_per_s"],
            "myelin_rate_hz": best["mean_rate_hz"], "brian2_threads": n, "brian2_sim_s": sim,
            "brian2_events_per_s": b["syn_events"] / sim if sim > 0 else None,
            "brian2_rate_hz": b["mean_rate_hz"],
            "ratio_brian2_sim_over_myelin_loop": sim / best["loop_s_median"] if best["loop_s_median"] > 0 else None}
        if a.paired:
            comparison["paired"] = paired_ratios(a, config, cfg, model, best, n, work)
        entry["comparisons"].append(comparison)
    # The old single-network key: the comparison at --brian2-threads (or the last one).
    last = next((c for c in entry["comparisons"] if c["cores"] == a.brian2_threads), entry["comparisons"][-1])
    if "myelin_split" in last:
        entry["brian2"] = dict(entry["brian2_runs"][entry["comparisons"].index(last)],
                               ratio_brian2_sim_over_myelin_loop=last["ratio_brian2_sim_over_myelin_loop"],
                               compared_with_split=last["myelin_split"])
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=None, help="one network (default benchmarks/sw10k.toml)")
    ap.add_argument("--suite", choices=sorted(SUITES), default=None, help="several networks (see above)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--splits", default="1x1,1x2,2x1")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--t-stop", type=float, default=None, help="override simulation.t_stop [ms]")
    ap.add_argument("--brian2", action="store_true", help="run the Brian2 peer in the same session")
    ap.add_argument("--brian2-threads", type=int, default=2, help="cores of the small-world comparison")
    ap.add_argument("--brian2-repeats", type=int, default=1)
    ap.add_argument("--paired", type=int, default=0,
                    help="with --brian2: K more (Myelin best split, Brian2) pairs run back to back "
                         "per core count; comparisons[].paired holds each pair's ratio and the median")
    ap.add_argument("--baseline-binary", default=None, help="another myelin build to compare with")
    a = ap.parse_args()
    if a.config and a.suite:
        ap.error("--config and --suite exclude each other")
    if a.repeats < 1 or a.brian2_repeats < 1:
        ap.error("--repeats and --brian2-repeats must be >= 1")
    if a.paired < 0 or (a.paired and not a.brian2):
        ap.error("--paired K needs K >= 0 and --brian2")
    suite = a.suite or ("all" if a.brian2 and not a.config else None)

    try:
        for b in [a.binary] + ([a.baseline_binary] if a.baseline_binary else []):
            if not os.access(b, os.X_OK):
                raise BenchError("no executable myelin at %s (build it, or pass --binary)" % b)
        if a.brian2:
            check_brian2()
        with tempfile.TemporaryDirectory(prefix="myelin-bench-") as work:
            if suite is None:
                config = a.config or os.path.join(ROOT, "benchmarks", "sw10k.toml")
                entry = bench_network(a, os.path.abspath(config), work)
                result = {"bench": "myelin_" + entry.pop("network"), "machine": machine(), "repeats": a.repeats}
                result.update(entry)
            else:
                result = {"bench": "myelin_suite_" + suite, "machine": machine(), "repeats": a.repeats,
                          "splits": a.splits, "t_stop_ms": a.t_stop, "networks": []}
                for config in SUITES[suite]:
                    result["networks"].append(bench_network(a, os.path.join(ROOT, config), work))
                if a.brian2:
                    # One line per comparison: network, cores, Brian2 time over Myelin time.
                    result["ratios_brian2_over_myelin"] = {
                        "%s_%dcore" % (n["network"], c["cores"]): c.get("ratio_brian2_sim_over_myelin_loop")
                        for n in result["networks"] for c in n.get("comparisons", [])}
                    if a.paired:
                        result["paired_ratios_median"] = {
                            "%s_%dcore" % (n["network"], c["cores"]): c["paired"]["ratio_median"]
                            for n in result["networks"] for c in n.get("comparisons", [])
                            if "paired" in c}
    except BenchError as e:
        print("run_benchmarks.py: %s" % e, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
