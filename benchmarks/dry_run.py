#!/usr/bin/python3
"""The exchange side of one rank at R ranks, from dry runs: one JSON object (measurements only).

    benchmarks/dry_run.py [--ranks 1,16,256,1024,4096] [--share 50000] [--t-stop 30] [--repeats 2]

Each point is `myelin run benchmarks/sw100k.toml --dry-run-ranks R` with the population set to
R x share neurons (an sw100k-like share per rank: k = 100, p = 0.1, 1.5 ms delays, 15 Hz), for
both exchange algorithms, blocking (epochs of the minimum delay), one thread. The runs of the two
algorithms are interleaved, R by R; the fastest repeat is kept. Per epoch: update, collect,
exchange (pack, unpack, merge: everything but the wire) and deliver times, spikes and bytes
received and sent. analysis/scaling.py --dry-run turns it into the README's table and figure.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_benchmarks import ROOT, machine  # noqa: E402


def dry_run(binary, config, ranks, share, algorithm, t_stop, work):
    out = os.path.join(work, "dry.json")
    cmd = [binary, "run", config, "--dry-run-ranks", str(ranks), "--threads", "1", "-q",
           "--summary-json", out, "--set", "population.exc.size=%d" % (ranks * share),
           "--set", "simulation.exchange=" + algorithm, "--set", "simulation.overlap=false",
           "--set", "simulation.t_stop=%g" % t_stop]
    subprocess.run(cmd, check=True, cwd=work)
    with open(out) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "myelin"))
    ap.add_argument("--config", default=os.path.join(ROOT, "benchmarks", "sw100k.toml"))
    ap.add_argument("--ranks", default="1,16,256,1024,4096")
    ap.add_argument("--share", type=int, default=50000, help="neurons per rank")
    ap.add_argument("--t-stop", type=float, default=30.0, help="[ms] simulated per point")
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    result = {"bench": "myelin_dry_run_exchange", "machine": machine(), "config": os.path.relpath(a.config, ROOT),
              "share": a.share, "t_stop_ms": a.t_stop, "threads": 1, "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "load_average_before": os.getloadavg(), "points": []}
    with tempfile.TemporaryDirectory(prefix="myelin-dry-") as work:
        for ranks in (int(r) for r in a.ranks.split(",")):
            best = {}
            for _ in range(a.repeats):
                for algorithm in ("allgatherv", "alltoallv"):
                    s = dry_run(a.binary, a.config, ranks, a.share, algorithm, a.t_stop, work)
                    key = "exchange_side_us_per_epoch"
                    if algorithm not in best or s[key] < best[algorithm][key]:
                        best[algorithm] = s
            for algorithm in ("allgatherv", "alltoallv"):
                result["points"].append(best[algorithm])
    result["load_average_after"] = os.getloadavg()
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
