"""A run split over several result files by checkpoints: the first run's file and the files of
its ``myelin resume`` continuations, read as one run.

Each file's ``/meta`` says where it starts (``t_start``, 0 for the first); the files are put
in that order and each one is cut where the next one starts, so what a killed run wrote after
its last checkpoint (which its continuation simulates again) is read once:

* spikes and trace samples of file k with t <= t_start of file k+1 (a spike at exactly that
  time belongs to the step before the checkpoint), then those of file k+1 (all t > t_start);
* weight rows (snapshots, statistics: the state at a time) of file k with t < t_start of file
  k+1; file k+1 records the rows due at its start itself.

A run continued with ``myelin resume CKPT --append`` needs no chain: the original file is cut
back to the checkpoint's time by the same rules and continued, so it is one file equal to the
uninterrupted run's (``/meta`` ``appends``, ``appended_at`` say it was continued). A chain of
one such file is that file.

Usage::

    chain = RunChain(["out.h5", "out.from500ms.h5"])
    ids, times = chain.spikes("exc")       # as Run.spikes, over the whole run
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from analysis.reader import MyelinFileError, Run, TimeRange, open_result


def read_chain_spikes(paths: Sequence[str], pop: str, t_range: TimeRange = None):
    """(node_ids, times_ms) of ``pop`` over a chain of result files (see module docstring)."""
    with RunChain(paths) as chain:
        return chain.spikes(pop, t_range)


class RunChain:
    """The files of one run resumed from checkpoints, joined; the methods mirror :class:`Run`."""

    def __init__(self, paths: Sequence[str]):
        if not paths:
            raise MyelinFileError("a chain needs at least one result file")
        runs = []
        try:
            for p in paths:
                r = open_result(p, allow_incomplete=True)
                if not isinstance(r, Run):
                    raise MyelinFileError(f"{p}: a sweep file cannot be part of a chain")
                runs.append(r)
        except Exception:
            for r in runs:
                r.close()
            raise
        runs.sort(key=lambda r: float(r.meta.get("t_start", 0.0)))
        starts = [float(r.meta.get("t_start", 0.0)) for r in runs]
        if starts[0] != 0.0:
            raise MyelinFileError(f"{runs[0].label}: the chain starts at t = {starts[0]} ms, not 0 "
                                  "(the first run's file is missing)")
        for a, b in zip(starts, starts[1:]):
            if a == b:
                raise MyelinFileError(f"two files of the chain start at t = {a} ms")
        self.runs = runs
        self._ends = starts[1:] + [None]  # where each file is cut (None: the last one)
        self.label = " + ".join(r.label for r in runs)

    def close(self) -> None:
        for r in self.runs:
            r.close()

    def __enter__(self) -> "RunChain":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def complete(self) -> bool:
        return self.runs[-1].complete

    @property
    def meta(self) -> dict:
        return self.runs[-1].meta

    @property
    def dt(self) -> float:
        return self.runs[-1].dt

    @property
    def t_stop(self) -> float:
        return self.runs[-1].t_stop

    @property
    def seed(self) -> int:
        return self.runs[0].seed

    @property
    def config(self) -> str:
        return self.runs[0].config

    def populations(self) -> list:
        return self.runs[0].populations()

    def population_size(self, pop: str) -> int:
        return self.runs[0].population_size(pop)

    def spike_count(self, pop: str) -> int:
        return int(len(self.spikes(pop)[1]))

    @staticmethod
    def _keep(times: np.ndarray, end: Optional[float], inclusive: bool) -> np.ndarray:
        if end is None:
            return np.ones(len(times), dtype=bool)
        return times <= end if inclusive else times < end

    def spikes(self, pop: str, t_range: TimeRange = None):
        """(node_ids, times_ms) of ``pop`` over the chain, sorted by time, t_lo <= t < t_hi."""
        ids, times = [], []
        for run, end in zip(self.runs, self._ends):
            i, t = run.spikes(pop)
            keep = self._keep(t, end, True)
            ids.append(i[keep])
            times.append(t[keep])
        ids, times = np.concatenate(ids), np.concatenate(times)
        if t_range is not None:
            lo, hi = t_range
            keep = np.ones(len(times), dtype=bool)
            if lo is not None:
                keep &= times >= lo
            if hi is not None:
                keep &= times < hi
            ids, times = ids[keep], times[keep]
        return ids, times

    def trace_populations(self) -> list:
        return self.runs[0].trace_populations()

    def trace_variables(self, pop: str) -> list:
        return self.runs[0].trace_variables(pop)

    def trace(self, pop: str, var: str = "V_m", t_range: TimeRange = None, neurons=None):
        """(times, node_ids, values) over the chain, as :meth:`Run.trace`."""
        times, values, node_ids, units = [], [], None, ""
        for run, end in zip(self.runs, self._ends):
            tr = run.trace(pop, var, t_range, neurons)
            keep = self._keep(tr.times, end, True)
            times.append(tr.times[keep])
            values.append(tr.values[keep])
            node_ids, units = tr.node_ids, tr.units
        from analysis.reader import Trace

        return Trace(times=np.concatenate(times), node_ids=node_ids,
                     values=np.concatenate(values), units=units)

    def projections(self) -> list:
        return self.runs[0].projections()

    def projection_attrs(self, name: str) -> dict:
        return self.runs[0].projection_attrs(name)

    def weight_projections(self) -> list:
        return self.runs[0].weight_projections()

    def weights_dataset(self, proj: str, name: str) -> np.ndarray:
        """/weights/<proj>/<name> over the chain, for the row datasets: ``times``, ``weight``,
        ``stats/times``, ``stats/mean`` (sd, min, max, histogram)."""
        times_name = "stats/times" if name.startswith("stats/") else "times"
        parts = []
        for run, end in zip(self.runs, self._ends):
            group = run._group["weights"][proj]
            keep = self._keep(group[times_name][()], end, False)
            parts.append(group[name][()][keep])
        return np.concatenate(parts)

    def __repr__(self) -> str:
        return f"RunChain({self.label!r})"
