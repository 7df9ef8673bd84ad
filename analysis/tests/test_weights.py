"""Weight recordings (/weights/<projection>) on synthetic files: reader, stats fallback,
bimodality, figures and the ``analysis.weights`` command line."""

import subprocess
import sys

import h5py
import numpy as np
import pytest

from analysis import open_result, weights
from analysis.reader import MyelinFileError, UnknownNameError
from analysis.tests import synthetic
from analysis.tests.conftest import REPO

N_SYN, BINS = 300, 20
SNAP_TIMES = np.arange(0.0, 1001.0, 50.0)


def drifting_weights(seed=0):
    """[snapshots x synapses]: start near 0.5, each synapse drifts to 0 or 1 (bimodal end)."""
    rng = np.random.default_rng(seed)
    start = np.clip(rng.normal(0.5, 0.05, N_SYN), 0, 1)
    goal = np.where(rng.random(N_SYN) < 0.5, 0.02, 0.98) + rng.normal(0, 0.01, N_SYN)
    progress = (SNAP_TIMES / SNAP_TIMES[-1])[:, None]
    return np.clip(start + progress * (goal - start), 0.0, 1.0)


def write_weights(group, name, w, with_stats=True, w_max=1.0):
    g = group.create_group(f"weights/{name}")
    for key, value in dict(source_population="exc", target_population="exc", rule="additive",
                           pairing="all_to_all").items():
        g.attrs.create(key, value, dtype=synthetic.STR)
    for key, value in dict(A_plus=0.01, A_minus=0.0105, tau_plus=20.0, tau_minus=20.0,
                           w_min=0.0, w_max=w_max, dendritic_delay=0.0).items():
        g.attrs[key] = value
    n = w.shape[1]
    g.create_dataset("source", data=np.arange(n, dtype=np.uint64) % 20)
    g.create_dataset("target", data=np.arange(n, dtype=np.uint64) // 20)
    g.create_dataset("delay", data=np.full(n, 1.5))
    g.create_dataset("times", data=SNAP_TIMES[: w.shape[0]])
    g.create_dataset("weight", data=w)
    if with_stats:
        edges = np.linspace(0.0, w_max, BINS + 1)
        s = g.create_group("stats")
        s.create_dataset("times", data=SNAP_TIMES[: w.shape[0]])
        for key, f in dict(mean=np.mean, sd=np.std, min=np.min, max=np.max).items():
            s.create_dataset(key, data=f(w, axis=1))
        hist = np.array([np.histogram(row, edges)[0] for row in w], dtype=np.uint64)
        s.create_dataset("histogram", data=hist)
        s.create_dataset("bin_edges", data=edges)


@pytest.fixture
def weights_file(tmp_path):
    """Run with two plastic projections: 'ee' (stats recorded) and 'ie' (snapshots only)."""
    path = tmp_path / "stdp.h5"
    w = drifting_weights()
    with h5py.File(path, "w") as f:
        synthetic.write_run(f, n=20, t_stop=1000.0, with_traces=False)
        write_weights(f, "ee", w)
        write_weights(f, "ie", drifting_weights(seed=1)[:, :50] * 2.0, with_stats=False,
                      w_max=2.0)
    return path, w


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG")


# --- reader ----------------------------------------------------------------------------------

def test_reader_lists_and_slices_weight_recordings(weights_file):
    path, w = weights_file
    with open_result(path) as run:
        assert run.weight_projections() == ["ee", "ie"]
        rec = run.weights("ee")
        assert rec.n_synapses == N_SYN and rec.n_snapshots == len(SNAP_TIMES)
        assert rec.params["rule"] == "additive" and rec.params["pairing"] == "all_to_all"
        assert (rec.w_min, rec.w_max) == (0.0, 1.0)
        np.testing.assert_array_equal(rec.sources(), np.arange(N_SYN) % 20)
        np.testing.assert_array_equal(rec.targets(), np.arange(N_SYN) // 20)
        np.testing.assert_array_equal(rec.delays(), 1.5)
        np.testing.assert_array_equal(rec.initial(), w[0])
        np.testing.assert_array_equal(rec.final(), w[-1])
        times, block = rec.weights(t_range=(100.0, 300.0), synapses=[7, 3, 7])
        np.testing.assert_array_equal(times, [100.0, 150.0, 200.0, 250.0])
        np.testing.assert_array_equal(block, w[2:6][:, [3, 7]])
        with pytest.raises(UnknownNameError, match="no projection 'xx'; projections in file: "
                                                   "ee, ie"):
            run.weights("xx")


def test_recorded_stats_and_the_snapshot_fallback_agree(weights_file):
    path, w = weights_file
    with open_result(path) as run:
        rec = run.weights("ee")
        recorded = rec.stats()
        computed = rec._stats_from_snapshots(None, BINS)
        assert recorded.source == "recorded" and computed.source == "snapshots"
        for key in ("times", "mean", "sd", "min", "max", "bin_edges"):
            np.testing.assert_allclose(getattr(computed, key), getattr(recorded, key))
        np.testing.assert_array_equal(computed.histogram, recorded.histogram)
        np.testing.assert_allclose(recorded.fractions().sum(axis=1), 1.0)
        assert rec.stats(t_range=(500.0, None)).times[0] == 500.0

        plain = run.weights("ie")
        assert not plain.has_stats
        stats = plain.stats(bins=8)
        assert stats.histogram.shape == (len(SNAP_TIMES), 8)
        assert stats.bin_edges[0] == 0.0 and stats.bin_edges[-1] == 2.0
        assert stats.histogram.sum(axis=1).tolist() == [50] * len(SNAP_TIMES)


def test_incomplete_weight_group_is_a_file_error(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        synthetic.write_run(f, with_traces=False)
        f.create_group("weights/ee").create_dataset("times", data=[0.0])
    with open_result(path) as run:
        with pytest.raises(MyelinFileError, match="missing source, target, delay, weight"):
            run.weights("ee")


# --- bimodality ------------------------------------------------------------------------------

def test_bimodality_separates_bimodal_from_unimodal():
    rng = np.random.default_rng(2)
    n = 20000
    bimodal = np.clip(np.concatenate([rng.normal(0.03, 0.02, n // 2),
                                      rng.normal(0.97, 0.02, n // 2)]), 0, 1)
    normal = rng.normal(0.5, 0.08, n)
    uniform = rng.uniform(0, 1, n)
    b = weights.bimodality(bimodal, 0.0, 1.0)
    assert b["n"] == n and b["fraction_near_bounds"] > 0.99
    assert b["fraction_low"] == pytest.approx(0.5, abs=0.01) and b["sarle_b"] > 0.9
    u = weights.bimodality(normal, 0.0, 1.0)
    assert u["fraction_near_bounds"] == 0.0 and u["sarle_b"] == pytest.approx(1 / 3, abs=0.02)
    flat = weights.bimodality(uniform, 0.0, 1.0)
    assert flat["fraction_near_bounds"] == pytest.approx(0.2, abs=0.02)
    assert flat["sarle_b"] == pytest.approx(5 / 9, abs=0.02)
    # Two equal spikes: exactly (n-2)(n-3) / ((n-1)(n+1)) with the finite-sample corrections.
    m = 10
    assert weights.sarle_coefficient([0.0] * 5 + [1.0] * 5) == pytest.approx(
        (m - 2) * (m - 3) / ((m - 1) * (m + 1)))
    assert np.isnan(weights.sarle_coefficient([1.0, 2.0, 3.0]))
    assert np.isnan(weights.sarle_coefficient([0.4] * 10))
    assert weights.bimodality([0.05, 0.5, 0.95, 1.0], 0.0, 1.0, near=0.1)[
        "fraction_near_bounds"] == 0.75


# --- figures and command line ----------------------------------------------------------------

def test_weights_figure_writes_png_and_pdf(weights_file, tmp_path):
    path, _ = weights_file
    with open_result(path) as run:
        fig = weights.weights_figure(run.weights("ee"), title="ee")
    written = weights.plots.save(fig, tmp_path / "fig")
    assert [p.suffix for p in written] == [".png", ".pdf"]
    assert_png(written[0])
    assert written[1].read_bytes().startswith(b"%PDF")


def test_weights_cli_defaults_to_the_first_projection(weights_file, tmp_path):
    path, _ = weights_file
    out = tmp_path / "weights.png"
    done = subprocess.run([sys.executable, "-m", "analysis.weights", str(path), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert_png(out)
    assert "using projection 'ee' (recorded: ee, ie" in done.stdout
    assert f"{N_SYN} synapses" in done.stdout and "Sarle's b" in done.stdout


def test_weights_cli_options_and_errors(weights_file, sweep_file, run_file, tmp_path, capsys):
    path, _ = weights_file
    out = tmp_path / "ie.png"
    assert weights.main([str(path), "--projection", "ie", "--bins", "10", "--t-range", "100",
                         "900", "-o", str(out)]) == 0
    assert_png(out)
    assert "projection ie: exc -> exc, additive / all_to_all, 50 synapses" in \
        capsys.readouterr().out
    assert weights.main([str(path), "--projection", "xx", "-o", str(out)]) == 2
    assert "no projection 'xx'; projections in file: ee, ie" in capsys.readouterr().err
    assert weights.main([str(run_file[0]), "-o", str(out)]) == 2
    assert "no weight recordings" in capsys.readouterr().err
    assert weights.main([str(sweep_file[0]), "-o", str(out)]) == 2
    assert "choose a run with --run" in capsys.readouterr().err
