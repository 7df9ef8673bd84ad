"""Lazy reader for Myelin result files.

Two kinds of file share one layout for a simulation run:

single run (root)::

    /meta            attrs complete (1 = finished), dt, t_stop [ms], seed, config, ...
                     datasets phase_times [ranks x phases] (attr phases), peak_rss_mb [ranks]
    /spikes/<pop>    node_ids uint64 (population-local), timestamps float64 [ms], sorted by time;
                     attr size = population size
    /traces/<pop>    <var> float64 [samples x recorded neurons], node_ids uint64, times float64 [ms]
    /projections/<name>  attrs n_synapses, and for small worlds clustering, mean_path_length
    /weights/<name>  plastic projections: see analysis/weights.py (Run.weights)

sweep::

    /meta            attrs complete, kind = "sweep"
    /sweep           names (str [M]), seed (uint64 [M]), complete (int8 [M]), error (str [M]),
                     params/<dotted.key> (float64 [M])
    /runs/<name>/    the single-run layout above

Nothing is read until asked for: datasets stay on disk and are sliced (time windows use a
binary search on the sorted time columns), so a 10 GB file can be inspected cheaply.

Usage::

    with open_result("out.h5") as res:        # Run or Sweep
        ids, times = res.spikes("exc")
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, Tuple, Union

import h5py
import numpy as np

TimeRange = Optional[Tuple[Optional[float], Optional[float]]]


class MyelinFileError(Exception):
    """The file is missing, not HDF5, or not laid out as a Myelin result file."""


class IncompleteResultError(MyelinFileError):
    """The run (or sweep) did not finish: /meta attr complete != 1."""


class UnknownNameError(MyelinFileError, KeyError):
    """A population, variable, projection or run name that the file does not hold."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


def _unknown(kind: str, name: str, known: Sequence[str], where: str) -> UnknownNameError:
    listed = ", ".join(sorted(known)) if known else "(none)"
    return UnknownNameError(f"{where}: no {kind} {name!r}; {kind}s in file: {listed}")


def _text(value) -> str:
    """An attribute or dataset element as str (h5py gives bytes for some string types)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _scalar(value):
    """A numpy scalar attribute as the matching Python number (JSON-friendly)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (bytes, np.bytes_)):
        return _text(value)
    return value


def intact_rows(times: h5py.Dataset) -> int:
    """Leading rows of ``times`` and of the other row datasets of its group that hold what the
    run wrote: the group's attribute ``intact_rows``. A run killed during a flush can leave rows
    after them (zeros, or datasets of one group at different lengths); a finished run's
    intact_rows is the length of its datasets."""
    n = times.shape[0]
    value = times.parent.attrs.get("intact_rows")
    return n if value is None else min(n, int(value))


class _Column:
    """Sequence view of a 1-D dataset so that :mod:`bisect` reads only O(log n) elements."""

    def __init__(self, dataset: h5py.Dataset):
        self._dataset = dataset
        self._rows = intact_rows(dataset)

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, i: int) -> float:
        return float(self._dataset[i])


def _time_slice(times: h5py.Dataset, t_range: TimeRange) -> slice:
    """Intact rows of a time-sorted dataset with t_lo <= t < t_hi (either bound may be None)."""
    if t_range is None:
        return slice(0, intact_rows(times))
    t_lo, t_hi = t_range
    column = _Column(times)
    start = 0 if t_lo is None else bisect.bisect_left(column, t_lo)
    stop = len(column) if t_hi is None else bisect.bisect_left(column, t_hi)
    return slice(start, max(start, stop))


@dataclass
class Trace:
    """Recorded state variable: ``values[s, j]`` is neuron ``node_ids[j]`` at ``times[s]``."""

    times: np.ndarray  # [samples] ms
    node_ids: np.ndarray  # [neurons] population-local ids
    values: np.ndarray  # [samples x neurons]
    units: str = ""


class Run:
    """One simulation run: the file root of a single-run file, or ``/runs/<name>`` of a sweep.

    Use :func:`open_result` rather than the constructor.
    """

    def __init__(self, group: h5py.Group, label: str, owned_file: Optional[h5py.File] = None):
        self._group = group
        self.label = label  # for error messages: path, or path:/runs/name
        self._owned_file = owned_file  # None for a sweep's run view: the Sweep closes the file

    # -- lifetime ---------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return not self._group.id.valid

    def close(self) -> None:
        """Close the file if this Run opened it (a sweep's run views share the sweep's file)."""
        if self._owned_file is not None and self._owned_file.id.valid:
            self._owned_file.close()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- metadata ---------------------------------------------------------------------------
    @property
    def meta(self) -> dict:
        """All /meta attributes as Python values (small; read on each call)."""
        return {k: _scalar(v) for k, v in self._group["meta"].attrs.items()}

    @property
    def complete(self) -> bool:
        return int(self._group["meta"].attrs.get("complete", 0)) == 1

    @property
    def dt(self) -> float:
        return float(self._group["meta"].attrs["dt"])

    @property
    def t_stop(self) -> float:
        return float(self._group["meta"].attrs["t_stop"])

    @property
    def seed(self) -> int:
        return int(self._group["meta"].attrs["seed"])

    @property
    def config(self) -> str:
        return _text(self._group["meta"].attrs.get("config", ""))

    def phase_times(self) -> Tuple[list, np.ndarray]:
        """(phase names, seconds [ranks x phases]) or ([], empty) when not written."""
        meta = self._group["meta"]
        if "phase_times" not in meta:
            return [], np.zeros((0, 0))
        dataset = meta["phase_times"]
        phases = dataset.attrs.get("phases", "")
        # The simulator writes one comma-joined string; a list of names is accepted too.
        if isinstance(phases, (str, bytes)):
            names = [p for p in _text(phases).split(",") if p]
        else:
            names = [_text(p) for p in phases]
        return names, dataset[()]

    def peak_rss_mb(self) -> np.ndarray:
        meta = self._group["meta"]
        return meta["peak_rss_mb"][()] if "peak_rss_mb" in meta else np.zeros(0)

    # -- spikes -----------------------------------------------------------------------------
    def _children(self, group: str) -> list:
        return list(self._group[group].keys()) if group in self._group else []

    def populations(self) -> list:
        """Populations with a spike group."""
        return self._children("spikes")

    def _spike_group(self, pop: str) -> h5py.Group:
        if pop not in self.populations():
            raise _unknown("population", pop, self.populations(), f"{self.label} /spikes")
        return self._group["spikes"][pop]

    def population_size(self, pop: str) -> int:
        return int(self._spike_group(pop).attrs["size"])

    def spikes(self, pop: str, t_range: TimeRange = None) -> Tuple[np.ndarray, np.ndarray]:
        """(node_ids, times_ms) of population ``pop``, sorted by time, t_lo <= t < t_hi."""
        group = self._spike_group(pop)
        rows = _time_slice(group["timestamps"], t_range)
        return group["node_ids"][rows], group["timestamps"][rows]

    def spike_count(self, pop: str) -> int:
        return intact_rows(self._spike_group(pop)["timestamps"])

    # -- traces -----------------------------------------------------------------------------
    def trace_populations(self) -> list:
        return self._children("traces")

    def _trace_group(self, pop: str) -> h5py.Group:
        if pop not in self.trace_populations():
            raise _unknown("population", pop, self.trace_populations(), f"{self.label} /traces")
        return self._group["traces"][pop]

    def trace_variables(self, pop: str) -> list:
        return [k for k in self._trace_group(pop).keys() if k not in ("node_ids", "times")]

    def trace_shape(self, pop: str, var: str) -> Tuple[int, int]:
        """(samples, neurons) without reading the data."""
        return (intact_rows(self._trace_group(pop)["times"]), self._trace_dataset(pop, var).shape[1])

    def _trace_dataset(self, pop: str, var: str) -> h5py.Dataset:
        variables = self.trace_variables(pop)
        if var not in variables:
            raise _unknown("variable", var, variables, f"{self.label} /traces/{pop}")
        return self._trace_group(pop)[var]

    def trace(
        self,
        pop: str,
        var: str = "V_m",
        t_range: TimeRange = None,
        neurons: Optional[Union[slice, Sequence[int]]] = None,
    ) -> Trace:
        """Samples with t_lo <= t < t_hi of the recorded columns ``neurons`` (indices into the
        recorded set, not node ids; default all). Only that block is read from disk."""
        group = self._trace_group(pop)
        dataset = self._trace_dataset(pop, var)
        rows = _time_slice(group["times"], t_range)
        columns = slice(None) if neurons is None else neurons
        if not isinstance(columns, slice):
            # h5py needs increasing unique indices for point selection along an axis.
            columns = np.unique(np.asarray(columns, dtype=np.int64))
        return Trace(
            times=group["times"][rows],
            node_ids=group["node_ids"][columns],
            values=dataset[rows, columns],
            units=_text(dataset.attrs.get("units", "")),
        )

    # -- projections ------------------------------------------------------------------------
    def projections(self) -> list:
        return self._children("projections")

    def projection_attrs(self, name: str) -> dict:
        """Attributes of /projections/<name>: n_synapses, and clustering, mean_path_length
        for small-world projections."""
        if name not in self.projections():
            raise _unknown("projection", name, self.projections(), f"{self.label} /projections")
        return {k: _scalar(v) for k, v in self._group["projections"][name].attrs.items()}

    # -- weights of plastic projections ------------------------------------------------------
    def weight_projections(self) -> list:
        """Projections with a weight recording under /weights."""
        return self._children("weights")

    def weights(self, name: str):
        """Lazy :class:`analysis.weights.WeightRecording` of /weights/<name>."""
        from analysis.weights import WeightRecording  # imported here: weights imports reader

        if name not in self.weight_projections():
            raise _unknown("projection", name, self.weight_projections(), f"{self.label} /weights")
        return WeightRecording(self._group["weights"][name], name, f"{self.label} /weights/{name}")

    def __repr__(self) -> str:
        return f"Run({self.label!r}, populations={self.populations()})"


class Sweep:
    """A parameter sweep: an index under /sweep and one :class:`Run` per ``/runs/<name>``."""

    def __init__(self, file: h5py.File, label: str, allow_incomplete: bool = False):
        self._file = file
        self.label = label
        self._allow_incomplete = allow_incomplete

    @property
    def closed(self) -> bool:
        return not self._file.id.valid

    def close(self) -> None:
        if self._file.id.valid:
            self._file.close()

    def __enter__(self) -> "Sweep":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def meta(self) -> dict:
        return {k: _scalar(v) for k, v in self._file["meta"].attrs.items()}

    @property
    def complete(self) -> bool:
        return int(self._file["meta"].attrs.get("complete", 0)) == 1

    def param_keys(self) -> list:
        """Varied config keys, e.g. ``["projection.ring.p"]``."""
        sweep = self._file["sweep"]
        return sorted(sweep["params"].keys()) if "params" in sweep else []

    def __len__(self) -> int:
        return int(self._file["sweep"]["names"].shape[0])

    def index(self) -> list:
        """One dict per run, in sweep order: name, seed, complete (bool), error (str), params
        ({dotted.key: float}). Reads only the small /sweep datasets."""
        sweep = self._file["sweep"]
        names = [_text(n) for n in sweep["names"][()]]
        n = len(names)
        seeds = sweep["seed"][()] if "seed" in sweep else np.zeros(n, dtype=np.uint64)
        complete = sweep["complete"][()] if "complete" in sweep else np.ones(n, dtype=np.int8)
        errors = [_text(e) for e in sweep["error"][()]] if "error" in sweep else [""] * n
        params = {k: sweep["params"][k][()] for k in self.param_keys()}
        return [
            {
                "name": names[i],
                "seed": int(seeds[i]),
                "complete": int(complete[i]) == 1,
                "error": errors[i],
                "params": {k: float(v[i]) for k, v in params.items()},
            }
            for i in range(n)
        ]

    def run_names(self) -> list:
        """Names of the groups present under /runs (failed runs may have none)."""
        return list(self._file["runs"].keys())

    def run(self, name: str, allow_incomplete: Optional[bool] = None) -> Run:
        """View of ``/runs/<name>`` (shares this file: close the Sweep, not the Run).

        Raises IncompleteResultError for a run whose group is partial (its /meta complete != 1)
        unless ``allow_incomplete``; UnknownNameError when no such group exists."""
        allow = self._allow_incomplete if allow_incomplete is None else allow_incomplete
        runs = self._file["runs"]
        if name not in runs:
            raise _unknown("run", name, list(runs.keys()), f"{self.label} /runs")
        group = runs[name]
        run = Run(group, f"{self.label}:/runs/{name}")
        if "meta" not in group:
            raise IncompleteResultError(f"{run.label}: run group has no /meta (run failed?)")
        if not allow and not run.complete:
            raise IncompleteResultError(
                f"{run.label}: run did not finish (meta complete != 1); "
                "pass allow_incomplete=True to read it anyway"
            )
        return run

    def completed_runs(self) -> Iterator[Tuple[dict, Run]]:
        """(index entry, Run) for each run marked complete whose group is present and whole."""
        for entry in self.index():
            if not entry["complete"]:
                continue
            try:
                yield entry, self.run(entry["name"], allow_incomplete=False)
            except MyelinFileError:
                continue

    def __repr__(self) -> str:
        return f"Sweep({self.label!r}, runs={len(self)}, params={self.param_keys()})"


def open_result(path, allow_incomplete: bool = False) -> Union[Run, Sweep]:
    """Open a Myelin result file read-only; returns a :class:`Run` or a :class:`Sweep`.

    Raises MyelinFileError if the file is not a Myelin result file, IncompleteResultError if
    it did not finish (root /meta attr complete != 1) unless ``allow_incomplete``.
    Both returned objects are context managers that close the file.
    """
    label = str(path)
    try:
        file = h5py.File(path, "r")
    except FileNotFoundError as e:
        raise MyelinFileError(f"{label}: no such file") from e
    except OSError as e:
        raise MyelinFileError(f"{label}: not a readable HDF5 file ({e})") from e
    try:
        if "meta" not in file or "complete" not in file["meta"].attrs:
            raise MyelinFileError(f"{label}: not a Myelin result file (no /meta attr complete)")
        is_sweep = "sweep" in file and "runs" in file
        if not is_sweep and "spikes" not in file:
            raise MyelinFileError(
                f"{label}: not a Myelin result file (neither /spikes nor /sweep and /runs)"
            )
        if not allow_incomplete and int(file["meta"].attrs["complete"]) != 1:
            what = "sweep" if is_sweep else "run"
            raise IncompleteResultError(
                f"{label}: the {what} did not finish (/meta complete != 1); "
                "pass allow_incomplete=True to read what was written"
            )
    except BaseException:
        file.close()
        raise
    if is_sweep:
        return Sweep(file, label, allow_incomplete=allow_incomplete)
    return Run(file, label, owned_file=file)
