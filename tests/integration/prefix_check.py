"""Checks that a killed or stopped run's file is a readable prefix of a complete reference run.

usage: prefix_check.py FILE REFERENCE
Exit 0 when FILE opens, has /meta complete = 0 (or is complete and equal to the reference), and
every spike and trace row it holds equals the reference's first rows (runs are deterministic,
so whatever was flushed before the kill must match). Prints what it found.
"""
import sys

import h5py
import numpy as np


def main(path, reference):
    with h5py.File(path, "r") as f, h5py.File(reference, "r") as ref:
        complete = int(f["meta"].attrs["complete"])
        rows = 0
        for pop in f.get("spikes", {}):
            t = f[f"spikes/{pop}/timestamps"][:]
            ids = f[f"spikes/{pop}/node_ids"][:]
            rt = ref[f"spikes/{pop}/timestamps"][: len(t)]
            rids = ref[f"spikes/{pop}/node_ids"][: len(ids)]
            if len(t) != len(ids) or not np.array_equal(t, rt) or not np.array_equal(ids, rids):
                print(f"{path}: spikes of {pop} are not a prefix of the reference")
                return 1
            if complete == 1 and len(t) != len(ref[f"spikes/{pop}/timestamps"]):
                print(f"{path}: complete but spikes of {pop} differ in length")
                return 1
            rows += len(t)
        for pop in f.get("traces", {}):
            g = f[f"traces/{pop}"]
            times = g["times"][:]
            for var in g:
                if var in ("times", "node_ids"):
                    continue
                v = g[var][:]
                if v.shape[0] != len(times) or not np.array_equal(v, ref[f"traces/{pop}/{var}"][: len(times)]):
                    print(f"{path}: trace {pop}/{var} is not a prefix of the reference")
                    return 1
        print(f"{path}: readable, complete = {complete}, {rows} spike rows, a prefix of the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
