"""Checks that a killed or stopped run's file is a readable prefix of a complete reference run.

usage: prefix_check.py FILE REFERENCE
Exit 0 when FILE opens, has /meta complete = 0 (or is complete and equal to the reference), and
the rows each group says are intact (its attribute intact_rows; a kill during a flush may leave
the group's datasets at different lengths after them) equal the reference's first rows (runs are
deterministic, so whatever a completed flush wrote must match). Prints what it found.
"""
import sys

import h5py
import numpy as np


def intact_rows(group, names, path):
    """The group's intact_rows, checked against the lengths of its row datasets `names`."""
    n = int(group.attrs["intact_rows"])
    for name in names:
        if group[name].shape[0] < n:
            raise ValueError(f"{path}: {group[name].name} has {group[name].shape[0]} rows, "
                             f"intact_rows = {n}")
    return n


def main(path, reference):
    with h5py.File(path, "r") as f, h5py.File(reference, "r") as ref:
        complete = int(f["meta"].attrs["complete"])
        rows = 0
        for pop in f.get("spikes", {}):
            g = f[f"spikes/{pop}"]
            n = intact_rows(g, ("timestamps", "node_ids"), path)
            whole = len(ref[f"spikes/{pop}/timestamps"])
            if complete == 1 and not (n == whole == len(g["timestamps"]) == len(g["node_ids"])):
                print(f"{path}: complete but spikes of {pop} differ in length")
                return 1
            for name in ("timestamps", "node_ids"):
                if n > whole or not np.array_equal(g[name][:n], ref[f"spikes/{pop}/{name}"][:n]):
                    print(f"{path}: spikes of {pop} ({name}) are not a prefix of the reference")
                    return 1
            rows += n
        for pop in f.get("traces", {}):
            g = f[f"traces/{pop}"]
            n = intact_rows(g, [v for v in g if v != "node_ids"], path)
            if complete == 1 and n != len(ref[f"traces/{pop}/times"]):
                print(f"{path}: complete but trace rows of {pop} differ in number")
                return 1
            for var in g:
                if var == "node_ids":
                    continue
                if not np.array_equal(g[var][:n], ref[f"traces/{pop}/{var}"][:n]):
                    print(f"{path}: trace {pop}/{var} is not a prefix of the reference")
                    return 1
        print(f"{path}: readable, complete = {complete}, {rows} intact spike rows, "
              "a prefix of the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
