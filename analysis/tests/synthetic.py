"""Small synthetic Myelin result files written with h5py, following the layout the simulator
writes (see analysis/reader.py). Used by the reader and CLI tests."""

from __future__ import annotations

import h5py
import numpy as np

STR = h5py.string_dtype()  # variable-length UTF-8, as the simulator writes strings

CONFIG = """[simulation]
dt = 0.1
t_stop = {t_stop}
seed = {seed}
[population.exc]
model = "lif"
size = {n}
[projection.ring]
source = "exc"
target = "exc"
rule = "small_world"
k = {k}
p = {p}
"""


def ring_lattice_c0(k: int) -> float:
    return 3 * (k - 2) / (4 * (k - 1))


def write_run(group: h5py.Group, *, n: int = 20, t_stop: float = 200.0, dt: float = 0.1,
              seed: int = 1, p: float = 0.1, k: int = 4, coupling: float = 0.5,
              complete: int = 1, with_traces: bool = True) -> dict:
    """One run in ``group``: regular jittered spike trains and V_m = common drive * coupling +
    private noise, so synchrony grows with ``coupling``. Returns what was written."""
    rng = np.random.default_rng(seed)
    meta = group.create_group("meta")
    meta.attrs["complete"] = np.int32(complete)
    meta.attrs["dt"] = dt
    meta.attrs["t_stop"] = t_stop
    meta.attrs["seed"] = np.uint64(seed)
    meta.attrs.create("config", CONFIG.format(t_stop=t_stop, seed=seed, n=n, k=k, p=p), dtype=STR)
    phases = meta.create_dataset("phase_times", data=np.array([[0.01, 0.2, 0.05]]))
    phases.attrs.create("phases", "build,update,output", dtype=STR)
    meta.create_dataset("peak_rss_mb", data=np.array([12.5]))

    # Spikes: every neuron fires every 10 ms; the jitter shrinks as coupling grows.
    period = 10.0
    jitter = (1.0 - coupling) * 3.0
    ids, times = [], []
    for i in range(n):
        t = np.arange(2.0, t_stop - 1.0, period) + rng.normal(0.0, jitter + 1e-3, size=1)
        t = t[(t >= 0) & (t < t_stop)]
        ids.append(np.full(t.size, i, dtype=np.uint64))
        times.append(t)
    ids, times = np.concatenate(ids), np.concatenate(times)
    order = np.argsort(times, kind="stable")
    spikes = group.create_group("spikes").create_group("exc")
    spikes.attrs["size"] = np.uint64(n)
    spikes.attrs.create("sorting", "by_time", dtype=STR)
    spikes.create_dataset("node_ids", data=ids[order])
    spikes.create_dataset("timestamps", data=times[order]).attrs["units"] = "ms"

    traces = group.create_group("traces")
    sample_t = np.arange(0.0, t_stop, 1.0)
    v = None
    if with_traces:
        common = np.sin(2 * np.pi * sample_t / period)[:, None]
        v = -60.0 + 5.0 * (coupling * common + (1 - coupling) * rng.normal(size=(sample_t.size, n)))
        g = traces.create_group("exc")
        g.attrs["interval"] = 1.0
        g.create_dataset("V_m", data=v).attrs["units"] = "mV"
        g.create_dataset("node_ids", data=np.arange(n, dtype=np.uint64))
        g.create_dataset("times", data=sample_t)

    proj = group.create_group("projections").create_group("ring")
    proj.attrs["n_synapses"] = np.uint64(n * k)
    c0, l0 = ring_lattice_c0(k), n / (2 * k)
    # Watts-Strogatz-like shapes: C falls late, L falls early.
    proj.attrs["clustering"] = c0 * (1 - p) ** 3
    shrink = 1.0 if p == 0 else max(0.3, 1 - 0.5 * np.log10(1 + 1000 * p))
    proj.attrs["mean_path_length"] = l0 * shrink
    return {"ids": ids[order], "times": times[order], "v": v, "sample_t": sample_t, "n": n}


def make_run_file(path, **kwargs) -> dict:
    with h5py.File(path, "w") as f:
        return write_run(f, **kwargs)


def make_sweep_file(path, p_values=(0.0, 0.01, 0.1, 1.0), seeds=(1, 2), n: int = 20,
                    k: int = 4, complete: int = 1) -> dict:
    """A p x seed sweep plus two failed runs: ``fail_missing`` (no group at all) and
    ``fail_partial`` (group written up to a crash: meta complete = 0, no traces)."""
    index = []  # (name, seed, complete, error, p) per run, in sweep order
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        meta.attrs["complete"] = np.int32(complete)
        meta.attrs.create("kind", "sweep", dtype=STR)
        runs = f.create_group("runs")
        for i, p in enumerate(p_values):
            for s in seeds:
                name = f"run_{len(index):04d}"
                # Coupling rises with p so the measure has something to show.
                coupling = min(0.95, 0.2 + 0.7 * p ** 0.3) if p > 0 else 0.2
                write_run(runs.create_group(name), n=n, seed=100 * i + s, p=p, k=k,
                          coupling=coupling)
                index.append((name, s, 1, "", p))
        index.append(("fail_missing", 9, 0, "MPI_ABORT: simulation blew up", 0.1))
        write_run(runs.create_group("fail_partial"), n=n, seed=7, p=1.0, complete=0,
                  with_traces=False)
        index.append(("fail_partial", 7, 0, "killed by signal 9", 1.0))
        names, seed_col, ok, errors, ps = (list(c) for c in zip(*index))
        sweep = f.create_group("sweep")
        sweep.create_dataset("names", data=names, dtype=STR)
        sweep.create_dataset("seed", data=np.array(seed_col, dtype=np.uint64))
        sweep.create_dataset("complete", data=np.array(ok, dtype=np.int8))
        sweep.create_dataset("error", data=errors, dtype=STR)
        sweep.create_group("params").create_dataset("projection.ring.p", data=np.array(ps))
    return {"names": names, "p": ps, "failed": ["fail_missing", "fail_partial"]}
