"""Independent reference for Myelin's pair-based STDP: a known-answer oracle.

Written from the specification, not from the C++: it shares no code with the simulator or with
``analysis/`` so that a bug cannot hide in both. It is deliberately direct: the traces are
explicit sums of exponentials (the simulator keeps decaying traces), and the weight is updated
one pairing at a time.

Semantics (one synapse pre -> post, total delay d, dendritic part d_den, axonal d_ax = d - d_den)
---------------------------------------------------------------------------------------------
* A pre spike at t_i reaches the synapse at a_i = t_i + d_ax; a post spike at s_j at
  b_j = s_j + d_den.
* Weight dependence: additive f+(w) = f-(w) = 1; multiplicative f+(w) = w_max - w,
  f-(w) = w - w_min; power_law (NEST stdp_pl_synapse_hom) f+(w) = w^mu, f-(w) = w, with
  A+ = lambda and A- = lambda alpha. After EVERY single increment or decrement w is clipped to
  [w_min, w_max].
* Updates happen only when a pre spike is processed (NEST's lazy convention), in order of a_i:
  1. potentiation, for every post arrival b with a_{i-1} <= b < a_i in increasing order
     (nothing for the first pre spike): w += A+ f+(w) x(b), where
     all_to_all: x(b) = sum_{k < i, a_k <= b} exp(-(b - a_k)/tau+),
     nearest:    x(b) = exp(-(b - a_{i-1})/tau+);
  2. depression: w -= A- f-(w) y(a_i), where
     all_to_all: y = sum_{b_j < a_i} exp(-(a_i - b_j)/tau-),
     nearest:    y = exp(-(a_i - b_last)/tau-), b_last the latest b_j < a_i (y = 0 if none);
  3. the weight after 1-2 is the one this spike transmits.
* Ties: b == a_i counts as pre before post (dt = 0): not in pre i's depression (strict <), and
  potentiated with x including exp(0) = 1 when pre i+1 is processed.
* Post spikes after the last processed pre arrival never change the weight.

Times are floats in ms. With ``dt`` given, all times and delays are rounded to integer steps,
compared as integers, and exponentials use (difference in steps) * dt: this mirrors the
simulator's step arithmetic and makes ties exact (0.1 + 1.2 != 1.3 in floating point).

All-to-all sums drop terms older than ``CUTOFF_TAUS`` time constants: each is < e^-60 ~ 1e-26,
so the error is far below any tolerance used on weights, and the cost stays linear in the
number of spikes for long runs.

Command line: ``python3 tests/data/stdp_reference.py RESULT.h5 --projection NAME`` recomputes
every recorded synapse of a Myelin result file; see :func:`check_file`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import NamedTuple

import numpy as np

RULES = ("additive", "multiplicative")  # the rules analytic_window covers
WEIGHT_RULES = RULES + ("power_law",)  # the rules weight_history and check_file cover
PAIRINGS = ("all_to_all", "nearest")
CUTOFF_TAUS = 60.0


class History(NamedTuple):
    """Per processed pre spike, in processing order: its arrival at the synapse a_i, its
    landing time t_i + d (both ms), and the weight after its update (the one it transmits)."""

    arrival: np.ndarray
    landing: np.ndarray
    weight: np.ndarray


def grid_step(t, dt: float) -> np.ndarray:
    """Integer step of the STDP time of recorded spike time(s) ``t``.

    The simulator writes t = (step + offset) * dt with a sub-step offset in (0, 1] and uses the
    grid time at the END of the step, (step + 1) * dt, for STDP; ceil(t/dt - 1e-6) recovers
    step + 1 for any offset above 1e-6 and is immune to t/dt landing a hair above an integer.
    """
    return np.ceil(np.asarray(t, dtype=float) / dt - 1e-6).astype(np.int64)


def grid_time(t, dt: float) -> np.ndarray:
    """STDP time in ms of recorded spike time(s) ``t``: ``grid_step(t, dt) * dt``."""
    return grid_step(t, dt) * dt


def _check_params(rule, pairing, tau_plus, tau_minus, w_min, w_max, w0) -> None:
    if rule not in WEIGHT_RULES:
        raise ValueError(f"rule must be one of {WEIGHT_RULES}, not {rule!r}")
    if pairing not in PAIRINGS:
        raise ValueError(f"pairing must be one of {PAIRINGS}, not {pairing!r}")
    if not (tau_plus > 0 and tau_minus > 0):
        raise ValueError("tau_plus and tau_minus must be > 0")
    if not (w_min <= w0 <= w_max):
        raise ValueError(f"need w_min <= w0 <= w_max, got {w_min}, {w0}, {w_max}")


def _traces(a, b, unit, tau, nearest, strict):
    """For every time in ``b``: the trace of the events in ``a`` that are <= it (< it when
    ``strict``), i.e. a sum of exp(-(b - a_k) * unit / tau), or only the latest term."""
    side = "left" if strict else "right"
    hi = np.searchsorted(a, b, side=side)
    lo = np.searchsorted(a, b - CUTOFF_TAUS * tau / unit, side="left")
    out = np.zeros(len(b))
    for j in range(len(b)):
        if hi[j] == 0:
            continue
        first = hi[j] - 1 if nearest else lo[j]
        lags = (b[j] - a[first:hi[j]]) * unit
        out[j] = float(np.sum(np.exp(-lags / tau)))
    return out


def weight_history(pre_times, post_times, *, delay, dendritic_delay=0.0, rule, pairing,
                   A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, w0,
                   dt=None, t_stop=None, include_t_stop=False, mu=None) -> History:
    """Weight after each processed pre spike (see the module docstring for the rule).

    A pre spike is processed iff its landing time t_i + delay < ``t_stop`` (landing step inside
    the run; ``<=`` with ``include_t_stop``); ``t_stop=None`` processes all. Spike times need
    not be sorted. Raises ValueError for unknown rule/pairing, tau <= 0, w0 outside
    [w_min, w_max], or a dendritic delay outside [0, delay].
    """
    _check_params(rule, pairing, tau_plus, tau_minus, w_min, w_max, w0)
    if rule == "power_law" and mu is None:
        raise ValueError("rule power_law needs mu")
    if dt is None:
        unit = 1.0
        pre = np.sort(np.asarray(pre_times, dtype=float).ravel())
        post = np.sort(np.asarray(post_times, dtype=float).ravel())
        d, d_den = float(delay), float(dendritic_delay)
        stop = None if t_stop is None else float(t_stop)
    else:
        unit = float(dt)

        def steps(t):
            return np.rint(np.asarray(t, dtype=float) / unit).astype(np.int64)

        pre = np.sort(steps(pre_times).ravel())
        post = np.sort(steps(post_times).ravel())
        d, d_den = int(steps(delay)), int(steps(dendritic_delay))
        stop = None if t_stop is None else int(steps(t_stop))
    if not (0 <= d_den <= d):
        raise ValueError(f"need 0 <= dendritic_delay <= delay, got {dendritic_delay}, {delay}")
    landing = pre + d
    if stop is not None:
        keep = landing <= stop if include_t_stop else landing < stop
        pre, landing = pre[keep], landing[keep]
    a = pre + (d - d_den)  # pre arrivals at the synapse, sorted
    b = post + d_den  # post arrivals at the synapse, sorted
    nearest = pairing == "nearest"
    x = _traces(a, b, unit, tau_plus, nearest, strict=False)  # pre trace at each b_j (a_k <= b)
    y = _traces(b, a, unit, tau_minus, nearest, strict=True)  # post trace at each a_i (b_j < a)
    first_post_at_or_after = np.searchsorted(b, a, side="left")  # b[:k] are the b_j < a_i

    multiplicative = rule == "multiplicative"
    power_law = rule == "power_law"

    def clip(w):
        return min(max(w, w_min), w_max)

    w = float(w0)
    weights = np.empty(len(a))
    for i in range(len(a)):
        if i > 0:  # potentiation by the posts with a_{i-1} <= b < a_i, in order
            for j in range(first_post_at_or_after[i - 1], first_post_at_or_after[i]):
                f_plus = (w_max - w) if multiplicative else (w**mu if power_law else 1.0)
                w = clip(w + A_plus * f_plus * x[j])
        f_minus = (w - w_min) if multiplicative else (w if power_law else 1.0)
        w = clip(w - A_minus * f_minus * y[i])
        weights[i] = w
    return History(arrival=a * unit, landing=landing * unit, weight=weights)


def final_weight(pre_times, post_times, **params) -> float:
    """The weight after the last processed pre spike (``w0`` if none); keywords as for
    :func:`weight_history`."""
    history = weight_history(pre_times, post_times, **params)
    return float(history.weight[-1]) if len(history.weight) else float(params["w0"])


def analytic_window(dt_pair, *, rule, A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, w0):
    """Closed-form weight change for ONE pre/post pair, dt_pair = b - a (arrivals, ms).

    dt >= 0 (pre before post, or simultaneous): w0 + A+ f+(w0) exp(-dt/tau+), clipped, minus w0.
    Under the lazy convention this potentiation is applied only when a LATER pre spike (a
    "probe" at a_p > b) is processed; that probe also depresses by A- f-(w) exp(-(a_p - b)/tau-),
    which is negligible for a_p - b >> tau- (exactly 0 in double precision beyond ~745 tau-).
    So final_weight([a, a_p], [b]) - w0 equals this window for a distant probe.

    dt < 0 (post before pre): the pre spike itself depresses, w0 - A- f-(w0) exp(dt/tau-),
    clipped, minus w0; there is no earlier pre spike, so no potentiation.

    Accepts a scalar (returns float) or an array (returns an array).
    """
    _check_params(rule, "all_to_all", tau_plus, tau_minus, w_min, w_max, w0)
    if rule not in RULES:
        raise ValueError(f"analytic_window covers {RULES}, not {rule!r}")
    f_plus = (w_max - w0) if rule == "multiplicative" else 1.0
    f_minus = (w0 - w_min) if rule == "multiplicative" else 1.0
    lag = np.asarray(dt_pair, dtype=float)
    change = np.where(lag >= 0, A_plus * f_plus * np.exp(-np.abs(lag) / tau_plus),
                      -A_minus * f_minus * np.exp(-np.abs(lag) / tau_minus))
    result = np.clip(w0 + change, w_min, w_max) - w0
    return float(result) if result.ndim == 0 else result


# --- checking a result file --------------------------------------------------------------------

PARAM_ATTRS = ("A_plus", "A_minus", "tau_plus", "tau_minus", "w_min", "w_max")


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


class _SpikesByNode:
    """Grid steps of one population's spikes, looked up by population-local node id."""

    def __init__(self, group, dt):
        ids = group["node_ids"][()].astype(np.int64)
        order = np.argsort(ids, kind="stable")
        self._ids = ids[order]
        self._steps = grid_step(group["timestamps"][()], dt)[order]

    def __call__(self, node) -> np.ndarray:
        lo = np.searchsorted(self._ids, node, side="left")
        hi = np.searchsorted(self._ids, node, side="right")
        return self._steps[lo:hi]


def check_file(path, projection, *, run=None, all_snapshots=False, mu=None) -> dict:
    """Recompute every synapse of /weights/<projection> and compare with the recording.

    Assumptions (the simulator is to match them):
    * every spike of the source and target populations is in /spikes/<pop>; spike times are
      mapped to STDP times with :func:`grid_time` (end of the integration step);
    * the initial weight is row 0 of ``weight`` (taken at or before the first possible
      landing, i.e. no pre spike has been processed when row 0 was recorded);
    * the weight recorded at snapshot time T is the weight after the last pre spike with
      landing time t_pre_grid + delay <= T, compared in integer steps (T = t_stop for the last
      row means: landing step inside the run). Post spikes of any time are used.
    By default only the last row is compared; ``all_snapshots`` compares every row. A
    power_law projection's file holds lambda as A_plus and lambda alpha as A_minus; its
    exponent ``mu`` is given by the caller.
    Returns the summary printed by the command line.
    """
    import h5py  # only the file check needs it

    with h5py.File(path, "r") as f:
        root = f if run is None else f["runs"][run]
        dt = float(root["meta"].attrs["dt"])
        if "weights" not in root or projection not in root["weights"]:
            known = sorted(root["weights"].keys()) if "weights" in root else []
            listed = ", ".join(known) or "(none)"
            raise KeyError(f"{path}: no /weights/{projection}; recorded: {listed}")
        g = root["weights"][projection]
        attrs = g.attrs
        missing = [k for k in PARAM_ATTRS + ("rule", "pairing", "source_population",
                                             "target_population") if k not in attrs]
        if missing:
            raise KeyError(f"{path}: /weights/{projection} lacks attributes {', '.join(missing)}")
        params = {k: float(attrs[k]) for k in PARAM_ATTRS}
        params.update(rule=_text(attrs["rule"]), pairing=_text(attrs["pairing"]),
                      dendritic_delay=float(attrs.get("dendritic_delay", 0.0)), dt=dt, mu=mu)
        spikes = {}
        for role in ("source_population", "target_population"):
            pop = _text(attrs[role])
            if "spikes" not in root or pop not in root["spikes"]:
                raise KeyError(f"{path}: no /spikes/{pop} (the {role} of {projection})")
            spikes[role] = _SpikesByNode(root["spikes"][pop], dt)
        pre_of, post_of = spikes["source_population"], spikes["target_population"]
        sources, targets = g["source"][()], g["target"][()]
        delays = g["delay"][()]
        snap_times = g["times"][()]
        if len(snap_times) == 0:
            raise ValueError(f"{path}: /weights/{projection} has no snapshots")
        last = len(snap_times) - 1
        rows = np.arange(len(snap_times)) if all_snapshots else np.array([last])
        initial = g["weight"][0, :]
        recorded = g["weight"][()] if all_snapshots else g["weight"][last, :][None, :]
    snap_steps = np.rint(snap_times[rows] / dt).astype(np.int64)

    worst, max_err, processed = None, 0.0, 0
    for s in range(len(sources)):
        pre_steps, post_steps = pre_of(int(sources[s])), post_of(int(targets[s]))
        history = weight_history(pre_steps * dt, post_steps * dt, delay=float(delays[s]),
                                 w0=float(initial[s]), **params)
        landing_steps = np.rint(history.landing / dt).astype(np.int64)
        done = np.searchsorted(landing_steps, snap_steps, side="right")  # processed by T
        processed += int(done[-1])
        for r, n_done in enumerate(done):
            expect = float(history.weight[n_done - 1]) if n_done else float(initial[s])
            got = float(recorded[r, s])
            err = abs(got - expect) if math.isfinite(got) else math.inf
            if worst is None or err > max_err:
                max_err = err
                worst = {"synapse": s, "source": int(sources[s]), "target": int(targets[s]),
                         "delay": float(delays[s]), "snapshot_time": float(snap_times[rows[r]]),
                         "recorded": got, "reference": expect, "abs_error": err,
                         "pre_spikes_processed": int(n_done), "post_spikes": int(len(post_steps))}
    return {"file": str(path), "projection": projection, "synapses": int(len(sources)),
            "snapshots_compared": int(len(rows)), "pre_spikes_processed": processed,
            "max_abs_error": max_err, "worst": worst}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="stdp_reference.py",
        description="Recompute the STDP weights of a Myelin result file from its spikes.")
    parser.add_argument("file")
    parser.add_argument("--projection", required=True, help="name under /weights")
    parser.add_argument("--run", help="for a sweep file: the run under /runs")
    parser.add_argument("--tol", type=float, default=1e-9, help="max abs error (default 1e-9)")
    parser.add_argument("--mu", type=float, help="power_law: the exponent mu of the config")
    parser.add_argument("--all-snapshots", action="store_true",
                        help="compare every snapshot row, not only the last")
    args = parser.parse_args(argv)
    try:
        summary = check_file(args.file, args.projection, run=args.run,
                             all_snapshots=args.all_snapshots, mu=args.mu)
    except (OSError, KeyError, ValueError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return 2
    summary["tol"] = args.tol
    summary["ok"] = summary["max_abs_error"] <= args.tol
    print(json.dumps(summary, indent=2))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
