#!/usr/bin/python3
"""Compares a reference result file with a chain of result files (a run, then its resumed
continuations): /spikes, /traces and /weights must be identical, bit for bit, after the chain
is joined as analysis.chain joins it. Exit 0 when identical, 1 with the first difference.

    checkpoint_compare.py REFERENCE PART [PART ...]
"""
import sys
import os

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from analysis.chain import RunChain  # noqa: E402
from analysis.reader import open_result  # noqa: E402


def same(what, a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise SystemExit(f"FAIL: {what}: shape {a.shape} vs {b.shape}")
    if a.dtype.kind == "f":
        equal = np.array_equal(a.view(np.uint64 if a.dtype.itemsize == 8 else np.uint32),
                               b.astype(a.dtype).view(np.uint64 if a.dtype.itemsize == 8 else np.uint32))
    else:
        equal = np.array_equal(a, b)
    if not equal:
        bad = np.argwhere(a != b)
        raise SystemExit(f"FAIL: {what} differ (first at {bad[0] if len(bad) else '?'})")


def main(argv):
    reference = open_result(argv[1], allow_incomplete=True)
    chain = RunChain(argv[2:])
    checked = 0
    for pop in reference.populations():
        ids, times = reference.spikes(pop)
        cids, ctimes = chain.spikes(pop)
        same(f"/spikes/{pop}/node_ids", ids, cids)
        same(f"/spikes/{pop}/timestamps", times, ctimes)
        checked += len(ids)
    for pop in reference.trace_populations():
        for var in reference.trace_variables(pop):
            ref, got = reference.trace(pop, var), chain.trace(pop, var)
            same(f"/traces/{pop}/times", ref.times, got.times)
            same(f"/traces/{pop}/{var}", ref.values, got.values)
    for proj in reference.weight_projections():
        for name in ("times", "weight", "stats/times", "stats/mean", "stats/sd", "stats/min",
                     "stats/max", "stats/histogram"):
            same(f"/weights/{proj}/{name}", reference._group["weights"][proj][name][()],
                 chain.weights_dataset(proj, name))
    print(f"identical: {checked} spikes, traces and weights over {len(argv) - 2} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
