"""Known answers for the STDP oracle tests/data/stdp_reference.py, computed by hand here with
math.exp, and its file check on synthetic result files (sub-step spike offsets, per-synapse
delays, snapshot cut-off, exit codes)."""

import importlib.util
import json
import math
import subprocess
import sys

import h5py
import numpy as np
import pytest

from analysis.tests import synthetic
from analysis.tests.conftest import REPO

SCRIPT = REPO / "tests" / "data" / "stdp_reference.py"
_spec = importlib.util.spec_from_file_location("stdp_reference", SCRIPT)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

E = math.exp
TP, TM = 20.0, 40.0  # tau_plus, tau_minus (ms)
AP, AM = 0.1, 0.12
BASE = dict(delay=1.0, rule="additive", pairing="all_to_all", A_plus=AP, A_minus=AM,
            tau_plus=TP, tau_minus=TM, w_min=0.0, w_max=1.0, w0=0.5)


def w(pre, post, **changes):
    return ref.final_weight(pre, post, **{**BASE, **changes})


# --- known answers ---------------------------------------------------------------------------

def test_pair_is_potentiated_only_when_the_probe_arrives():
    # a = 11, 501; b = 15: +A+ e^{-4/tau+} at the probe, which also depresses by e^{-486/tau-}.
    expect = 0.5 + AP * E(-4 / TP) - AM * E(-486 / TM)
    assert w([10, 500], [15], tau_minus=TM) == pytest.approx(expect, abs=1e-15)
    slow = 0.5 + AP * E(-4 / TP) - AM * E(-486 / 200.0)  # probe depression clearly visible
    assert w([10, 500], [15], tau_minus=200.0) == pytest.approx(slow, abs=1e-15)
    assert w([10], [15]) == 0.5  # no probe: the potentiation is never applied
    history = ref.weight_history([500, 10], [15], **BASE)  # unsorted input is fine
    np.testing.assert_allclose(history.arrival, [11, 501])
    np.testing.assert_allclose(history.weight, [0.5, expect], atol=1e-15)


def test_post_before_pre_depresses_at_the_pre_spike():
    assert w([10], [5]) == pytest.approx(0.5 - AM * E(-6 / TM), abs=1e-15)
    assert w([10], [5, 30]) == pytest.approx(0.5 - AM * E(-6 / TM), abs=1e-15)  # late post: none


def test_ties_count_as_pre_before_post():
    # Pre at 10 arrives at 11 together with the post at 11: no depression at 11 (strict <),
    # potentiation with x = exp(0) + 0 at the probe (a = 101), which depresses by e^{-90/tau-}.
    expect = 0.5 + AP * 1.0 - AM * E(-90 / TM)
    assert w([10, 100], [11]) == pytest.approx(expect, abs=1e-15)
    assert w([10], [11]) == 0.5
    # A post arriving exactly with the last pre spike changes nothing.
    assert w([10, 100], [11, 101]) == pytest.approx(expect, abs=1e-15)
    # Same tie built from a dendritic delay: post at 9 + d_den 2 = 11 = pre 10 + d_ax 1.
    assert w([10, 100], [9], delay=3.0, dendritic_delay=2.0) == pytest.approx(
        0.5 + AP - AM * E(-(101 - 11) / TM), abs=1e-15)


def test_nearest_and_all_to_all_differ_on_bursts():
    # Pre burst arrives at 11, 13, 15; post at 20; probe arrives at 301.
    probe = AM * E(-281 / TM)
    all_to_all = 0.5 + AP * (E(-9 / TP) + E(-7 / TP) + E(-5 / TP)) - probe
    nearest = 0.5 + AP * E(-5 / TP) - probe
    assert w([10, 12, 14, 300], [20]) == pytest.approx(all_to_all, abs=1e-15)
    assert w([10, 12, 14, 300], [20], pairing="nearest") == pytest.approx(nearest, abs=1e-15)
    # Post burst at 2, 4, 6 before the pre arriving at 11.
    assert w([10], [2, 4, 6]) == pytest.approx(
        0.5 - AM * (E(-9 / TM) + E(-7 / TM) + E(-5 / TM)), abs=1e-15)
    assert w([10], [2, 4, 6], pairing="nearest") == pytest.approx(0.5 - AM * E(-5 / TM),
                                                                  abs=1e-15)
    # Nearest potentiation pairs each post with the latest pre before it only.
    # Pre arrivals 11, 15, 301; posts 17, 21 both pair with 15; the probe with 21 only.
    two_posts = 0.5 + AP * (E(-2 / TP) + E(-6 / TP)) - AM * E(-280 / TM)
    assert w([10, 14, 300], [17, 21], pairing="nearest") == pytest.approx(two_posts, abs=1e-15)


def test_additive_clips_after_every_single_update():
    # Potentiation overshoots to 1.4 -> clipped to 1; then the probe depresses 0.3 * 1.
    params = dict(w0=0.9, A_plus=0.5, A_minus=0.3, tau_minus=1e6)  # y ~ 1 at the probe
    got = w([10, 20], [11], **params)  # x = exp(0) = 1 (tie), y = exp(-10/1e6)
    assert got == pytest.approx(1.0 - 0.3 * E(-10 / 1e6), abs=1e-15)
    # Clipping only at the end would give min(1, 1.4 - 0.3 y) = 1.
    assert got < 0.71
    # Two posts in one window: the second increment starts from the clipped 1.0.
    assert w([10, 20], [11, 12], **params) == pytest.approx(
        1.0 - 0.3 * (E(-10 / 1e6) + E(-9 / 1e6)), abs=1e-15)
    # Depression below w_min stops at w_min.
    assert w([10], [10.5], w0=0.1, A_minus=0.5) == 0.0


def test_multiplicative_rule_scales_with_distance_to_bounds():
    mult = dict(rule="multiplicative", tau_minus=TM)
    # Depression: w0 - A- (w0 - w_min) e^{-6/tau-}.
    assert w([10], [5], **mult) == pytest.approx(0.5 - AM * 0.5 * E(-6 / TM), abs=1e-15)
    # Two posts potentiated in order, each with f+ = w_max - w at that moment; probe far away.
    w1 = 0.5 + AP * (1 - 0.5) * E(-3 / TP)  # a = 11, b = 14
    w2 = w1 + AP * (1 - w1) * E(-8 / TP)
    assert w([10, 5000], [14, 19], **mult) == pytest.approx(w2, abs=1e-15)


def test_multiplicative_stays_in_bounds_under_strong_random_driving():
    # Dense trains make the all-to-all traces >> 1, so single updates overshoot the bounds
    # unless clipped; strong LTP or strong LTD drives the weights to either bound.
    rng = np.random.default_rng(3)
    pre, post = np.sort(rng.uniform(0, 2000, 400)), np.sort(rng.uniform(0, 2000, 400))
    seen = []
    for pairing in ref.PAIRINGS:
        for a_plus, a_minus in ((0.9, 0.05), (0.05, 0.9)):
            hist = ref.weight_history(pre, post, **{**BASE, "rule": "multiplicative",
                                                    "pairing": pairing, "A_plus": a_plus,
                                                    "A_minus": a_minus, "w_min": 0.2,
                                                    "w_max": 0.7, "w0": 0.4})
            assert hist.weight.size == 400
            assert np.all((hist.weight >= 0.2) & (hist.weight <= 0.7))
            seen.append(hist.weight)
    seen = np.concatenate(seen)
    assert seen.min() < 0.201 and seen.max() > 0.68


def test_dendritic_delay_shifts_the_window():
    # Pre at 10, post at 12, total delay 3: dt_arrival = (12 - 10) + 2 d_den - 3.
    axonal = w([10, 5000], [12], delay=3.0, dendritic_delay=0.0)  # a = 13, b = 12: depression
    assert axonal == pytest.approx(0.5 - AM * E(-1 / TM), abs=1e-15)
    dendritic = w([10, 5000], [12], delay=3.0, dendritic_delay=3.0)  # a = 10, b = 15: LTP
    assert dendritic == pytest.approx(0.5 + AP * E(-5 / TP), abs=1e-15)
    split = w([10, 5000], [12], delay=3.0, dendritic_delay=1.5)  # a = 11.5, b = 13.5
    assert split == pytest.approx(0.5 + AP * E(-2 / TP), abs=1e-15)


def test_dt_mode_compares_integer_steps():
    # 0.1 + 1.2000000000000002 = 1.3000000000000003 > 1.3: in floats the post precedes the
    # pre and depresses it; on the 0.1 ms grid both are step 13, a tie, so nothing happens.
    d = 12 * 0.1
    assert w([0.1], [13 * 0.1], delay=d) == pytest.approx(0.5 - AM, abs=1e-12)
    assert w([0.1], [13 * 0.1], delay=d, dt=0.1) == 0.5
    # Exponentials use steps * dt: pre step 100, post step 153, probe far away.
    got = w([10.0, 5000.0], [15.3], delay=1.0, dt=0.1)
    assert got == pytest.approx(0.5 + AP * E(-(153 - 110) * 0.1 / TP), abs=1e-15)


def test_t_stop_limits_the_processed_pre_spikes():
    # Probe pre at 99 lands at exactly 100 = t_stop: not processed with the strict rule.
    assert w([10, 99], [15], t_stop=100.0) == 0.5
    assert w([10, 99], [15], t_stop=100.0, include_t_stop=True) == pytest.approx(
        0.5 + AP * E(-4 / TP) - AM * E(-85 / TM), abs=1e-15)
    assert w([10, 99], [15], t_stop=100.0, dt=0.1, include_t_stop=True) == pytest.approx(
        0.5 + AP * E(-4 / TP) - AM * E(-85 / TM), abs=1e-15)


@pytest.mark.parametrize("rule", ref.RULES)
def test_analytic_window_matches_the_simulated_pair(rule):
    params = {k: v for k, v in BASE.items() if k not in ("delay", "pairing")}
    params["rule"], params["w0"] = rule, 0.3
    lags = np.array([-30.0, -5.0, -0.5, 0.0, 0.5, 5.0, 30.0])
    window = ref.analytic_window(lags, **params)
    for lag, dw in zip(lags, window):
        # pre at 99 arrives at 100 (delay 1), post at 100 + lag; probe 1e5 ms later (its
        # depression term underflows to 0).
        got = w([99.0, 1e5], [100.0 + lag], **{**BASE, **params})
        assert got - 0.3 == pytest.approx(dw, abs=1e-15)
    f_plus = 0.7 if rule == "multiplicative" else 1.0
    assert ref.analytic_window(0.0, **params) == pytest.approx(AP * f_plus)
    assert ref.analytic_window(-1e-9, **params) < 0
    # Clipped: a huge A+ cannot push past w_max.
    assert ref.analytic_window(0.0, **{**params, "A_plus": 50.0}) == pytest.approx(0.7)


def test_bad_parameters_are_rejected():
    for bad in (dict(rule="hebbian"), dict(pairing="triplet"), dict(tau_plus=0.0),
                dict(w0=1.5), dict(dendritic_delay=2.0)):
        with pytest.raises(ValueError):
            w([10], [15], **bad)


def test_grid_time_maps_sub_step_offsets_to_the_step_end():
    dt = 0.1
    steps = np.array([0, 1, 7, 12345])
    for offset in (1e-5, 0.3, 0.999999, 1.0):
        t = (steps + offset) * dt
        np.testing.assert_array_equal(ref.grid_step(t, dt), steps + 1)
        np.testing.assert_allclose(ref.grid_time(t, dt), (steps + 1) * dt)


# --- the file check --------------------------------------------------------------------------

PLASTIC = dict(rule="additive", pairing="all_to_all", A_plus=0.1, A_minus=0.12, tau_plus=20.0,
               tau_minus=40.0, w_min=0.0, w_max=1.0)


def write_file(path, pre_spikes, post_spikes, synapses, snap_times, rows, dt=0.1,
               dendritic_delay=0.0):
    """A run with populations 'a' (pre) and 'b' (post) given as {node: [grid steps]} (each
    written with a random sub-step offset), and /weights/ab with the given weight rows."""
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        meta = f.create_group("meta")
        meta.attrs["complete"], meta.attrs["dt"], meta.attrs["t_stop"] = 1, dt, snap_times[-1]
        for pop, spikes in (("a", pre_spikes), ("b", post_spikes)):
            ids = np.concatenate([[n] * len(s) for n, s in spikes.items()]).astype(np.uint64)
            steps = np.concatenate([s for s in spikes.values()])  # grid step = step + 1
            t = (steps - 1 + rng.uniform(1e-3, 1.0, steps.size)) * dt
            order = np.argsort(t)
            g = f.create_group(f"spikes/{pop}")
            g.attrs["size"] = np.uint64(max(spikes) + 1)
            g.create_dataset("node_ids", data=ids[order])
            g.create_dataset("timestamps", data=t[order])
        g = f.create_group("weights/ab")
        for k, v in PLASTIC.items():
            g.attrs.create(k, v, dtype=synthetic.STR if isinstance(v, str) else None)
        g.attrs.create("source_population", "a", dtype=synthetic.STR)
        g.attrs.create("target_population", "b", dtype=synthetic.STR)
        g.attrs["dendritic_delay"] = dendritic_delay
        src, tgt, delay = zip(*synapses)
        g.create_dataset("source", data=np.array(src, dtype=np.uint64))
        g.create_dataset("target", data=np.array(tgt, dtype=np.uint64))
        g.create_dataset("delay", data=np.array(delay, dtype=float))
        g.create_dataset("times", data=np.array(snap_times, dtype=float))
        g.create_dataset("weight", data=np.array(rows, dtype=float))


def hand_file(path, last_row_error=0.0):
    """Synapse 0: a0 -> b0, d = 1; pre grid steps 100, 5000 (10, 500 ms), post 150 (15 ms).
    Synapse 1: a1 -> b0, d = 2; pre 100 (lands at 12 ms), post 150: nothing to pair before.
    Synapse 2: a0 -> b1, d = 1; post 50 (5 ms) before pre 10 ms; the pre at 500 ms lands at
    501 ms, after the 400 ms snapshot.  Snapshots at 0, 400 and 600 ms."""
    s0_mid = 0.5 - 0.12 * 0.0  # at 400 ms only the pre at 10 ms has landed: no change
    s0 = 0.5 + 0.1 * E(-4 / 20) - 0.12 * E(-486 / 40)
    s2 = 0.4 - 0.12 * E(-6 / 40)
    s2_end = s2 - 0.12 * E(-(5010 - 50) * 0.1 / 40)  # no post after 10 ms: probe only depresses
    rows = [[0.5, 0.6, 0.4], [s0_mid, 0.6, s2], [s0 + last_row_error, 0.6, s2_end]]
    write_file(path, {0: [100, 5000], 1: [100]}, {0: [150], 1: [50]},
               [(0, 0, 1.0), (1, 0, 2.0), (0, 1, 1.0)], [0.0, 400.0, 600.0], rows)


def test_file_check_hand_computed(tmp_path):
    path = tmp_path / "hand.h5"
    hand_file(path)
    summary = ref.check_file(path, "ab", all_snapshots=True)
    assert summary["synapses"] == 3 and summary["snapshots_compared"] == 3
    assert summary["max_abs_error"] < 1e-12
    assert ref.main([str(path), "--projection", "ab"]) == 0


def test_file_check_cli_flags_a_wrong_weight(tmp_path):
    path = tmp_path / "off.h5"
    hand_file(path, last_row_error=1e-6)
    done = subprocess.run([sys.executable, str(SCRIPT), str(path), "--projection", "ab"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["max_abs_error"] == pytest.approx(1e-6, rel=1e-6) and not summary["ok"]
    assert summary["worst"]["synapse"] == 0 and summary["worst"]["pre_spikes_processed"] == 2
    assert ref.main([str(path), "--projection", "ab", "--tol", "1e-5"]) == 0


def test_file_check_errors_exit_2(tmp_path, capsys):
    path = tmp_path / "hand.h5"
    hand_file(path)
    assert ref.main([str(path), "--projection", "ee"]) == 2
    assert "no /weights/ee; recorded: ab" in capsys.readouterr().err
    assert ref.main([str(tmp_path / "missing.h5"), "--projection", "ab"]) == 2


def test_file_check_random_network_against_the_reference(tmp_path):
    """Many synapses with mixed delays: rows written by the reference itself from the grid
    times, so this checks the plumbing (node lookup, offsets, delays, cut-off), not the rule."""
    rng = np.random.default_rng(1)
    dt, t_stop = 0.1, 300.0
    pre = {n: np.unique(rng.integers(1, 3000, 15)) for n in range(5)}
    post = {n: np.unique(rng.integers(1, 3000, 15)) for n in range(4)}
    synapses = [(s, t, float(rng.integers(10, 40)) * dt) for s in range(5) for t in range(4)]
    last = []
    for s, t, d in synapses:
        kept = pre[s][(pre[s] + round(d / dt)) <= round(t_stop / dt)] * dt
        last.append(ref.final_weight(kept, post[t] * dt, delay=d, dendritic_delay=0.5,
                                     w0=0.5, dt=dt, **PLASTIC))
    write_file(tmp_path / "net.h5", pre, post, synapses, [0.0, t_stop],
               [[0.5] * len(synapses), last], dendritic_delay=0.5)
    summary = ref.check_file(tmp_path / "net.h5", "ab")
    assert summary["synapses"] == 20 and summary["max_abs_error"] == 0.0
    assert summary["pre_spikes_processed"] > 100
