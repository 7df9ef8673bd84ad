#!/usr/bin/python3
"""The full-scale cortical microcircuit as a benchmark: one JSON object (measurements only).

    benchmarks/microcircuit.py [--splits 2x1,1x2] [--t-stop 1000] [--config examples/microcircuit.toml]

Per split: build time (slowest rank), real-time factor (loop wall time / simulated time),
core-seconds per biological second (RTF x cores; NEST 3.9 reaches RTF 0.60 on 128 cores, about
77), synaptic events per second per core, peak RSS per rank, and the phases of the loop.
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import ROOT, machine, run_myelin  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(ROOT, "examples", "microcircuit.toml"))
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--splits", default="2x1,1x2")
    ap.add_argument("--t-stop", type=float, default=1000.0, help="[ms]")
    a = ap.parse_args()
    result = {"bench": "myelin_microcircuit", "machine": machine(), "config": os.path.relpath(a.config, ROOT),
              "t_stop_ms": a.t_stop, "nest_3_9_core_seconds_per_bio_second": 0.60 * 128, "runs": []}
    with tempfile.TemporaryDirectory(prefix="myelin-mc-") as work:
        for split in a.splits.split(","):
            ranks, threads = (int(x) for x in split.split("x"))
            s = run_myelin(a.binary, a.config, ranks, threads, a.t_stop, work)
            cores = ranks * threads
            rtf = s["loop_s"] / (s["t_stop_ms"] * 1e-3)
            result["runs"].append({
                "ranks": ranks, "threads": threads, "neurons": s["neurons"], "synapses": s["synapses"],
                "spikes": s["spikes"], "mean_rate_hz": s["mean_rate_hz"],
                "build_s": s["phase_s_max_over_ranks"]["build"], "loop_s": s["loop_s"],
                "real_time_factor": rtf, "core_seconds_per_bio_second": rtf * cores,
                "events_per_s_per_core": s["events_per_s"] / cores,
                "peak_rss_mb_per_rank": s["peak_rss_mb_per_rank"], "phase_s": s["phase_s_max_over_ranks"],
                "epochs": s["epochs"], "exchange": s.get("exchange")})
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
