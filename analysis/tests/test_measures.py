"""Known answers of the measures on synthetic data."""

import math

import numpy as np
import pytest

from analysis import measures


def regular_trains(n, period=10.0, t_stop=1000.0, offsets=None):
    """(ids, times) of n neurons firing every ``period`` ms, neuron i shifted by offsets[i]."""
    offsets = np.zeros(n) if offsets is None else np.asarray(offsets)
    ids, times = [], []
    for i in range(n):
        t = np.arange(0.0, t_stop, period) + offsets[i]
        ids.append(np.full(t.size, i)), times.append(t)
    return np.concatenate(ids), np.concatenate(times)


# --- Golomb chi -------------------------------------------------------------------------------

def test_chi_identical_traces_is_one():
    rng = np.random.default_rng(0)
    v = np.repeat(rng.normal(-60, 3, size=(500, 1)), 30, axis=1)
    assert measures.golomb_chi(v) == pytest.approx(1.0, abs=1e-12)


def test_chi_independent_traces_is_one_over_sqrt_n():
    # chi^2 = Var(mean)/mean Var = 1/N in expectation; with T = 20000 samples its relative
    # sampling error is about sqrt(2/T) = 1 %, so 5 % on chi is a safe bound for this seed.
    n = 64
    v = np.random.default_rng(42).normal(-60, 2, size=(20000, n))
    assert measures.golomb_chi(v) == pytest.approx(1 / math.sqrt(n), rel=0.05)


def test_chi_constant_traces_undefined():
    assert math.isnan(measures.golomb_chi(np.full((10, 4), -65.0)))


# --- sync error -------------------------------------------------------------------------------

def test_sync_error_identical_is_zero_and_plus_minus_a_is_a():
    rng = np.random.default_rng(1)
    v = np.repeat(rng.normal(-60, 3, size=(200, 1)), 5, axis=1)
    assert measures.sync_error(v) == pytest.approx(0.0, abs=1e-12)
    a = 2.5
    base = rng.normal(-60, 3, size=200)
    pair = np.stack([base + a, base - a], axis=1)
    assert measures.sync_error(pair) == pytest.approx(a, abs=1e-12)


# --- Kuramoto ---------------------------------------------------------------------------------

def test_kuramoto_identical_regular_trains_is_one():
    ids, times = regular_trains(20)
    assert measures.kuramoto(ids, times) == pytest.approx(1.0, abs=1e-12)


def test_kuramoto_uniformly_spread_phases_is_zero():
    # Offsets i * period / n put the n phases evenly on the circle at every t: R = 0 exactly.
    n, period = 10, 10.0
    ids, times = regular_trains(n, period, offsets=np.arange(n) * period / n)
    assert measures.kuramoto(ids, times) < 1e-9


def test_kuramoto_random_phases_is_small():
    n = 200
    offsets = np.random.default_rng(3).uniform(0, 10.0, size=n)
    ids, times = regular_trains(n, offsets=offsets)
    # Random phases give R ~ 1/sqrt(N) = 0.07.
    assert measures.kuramoto(ids, times) < 0.2


def test_kuramoto_ignores_neurons_without_phase_and_needs_two():
    ids, times = regular_trains(5)
    ids = np.append(ids, 99)
    times = np.append(times, 3.0)  # neuron 99 fires once: never has a phase
    assert measures.kuramoto(ids, times) == pytest.approx(1.0, abs=1e-12)
    assert math.isnan(measures.kuramoto(np.array([0, 0]), np.array([1.0, 2.0])))


# --- ISI CV -----------------------------------------------------------------------------------

def test_isi_cv_poisson_is_one_and_regular_is_zero():
    rng = np.random.default_rng(7)
    poisson = np.cumsum(rng.exponential(50.0, size=5000))  # 5000 intervals: CV error ~ 1.5 %
    per_neuron, mean_cv = measures.isi_cv(np.zeros(poisson.size, dtype=int), poisson)
    assert mean_cv == pytest.approx(1.0, abs=0.05)
    assert list(per_neuron) == [0]

    ids, times = regular_trains(4, period=8.0)
    per_neuron, mean_cv = measures.isi_cv(ids, times)
    assert mean_cv == pytest.approx(0.0, abs=1e-12)
    assert sorted(per_neuron) == [0, 1, 2, 3]


def test_isi_cv_skips_neurons_with_fewer_than_three_spikes():
    ids = np.array([0, 0, 1, 1, 1])
    times = np.array([1.0, 5.0, 1.0, 2.0, 4.0])
    per_neuron, mean_cv = measures.isi_cv(ids, times)
    assert list(per_neuron) == [1]
    assert mean_cv == pytest.approx(0.5 / 1.5)  # intervals 1, 2: std 0.5, mean 1.5
    assert math.isnan(measures.isi_cv(ids[:2], times[:2])[1])


# --- population rate --------------------------------------------------------------------------

def test_population_rate_of_known_train():
    # 10 neurons at exactly 20 Hz for 1 s: every 100 ms bin holds 2 spikes per neuron = 20 Hz.
    ids, times = regular_trains(10, period=50.0, t_stop=1000.0, offsets=np.full(10, 10.0))
    centres, rate = measures.population_rate(times, 10, bin_ms=100.0, t_start=0.0, t_stop=1000.0)
    assert centres.size == 10 and centres[0] == pytest.approx(50.0)
    np.testing.assert_allclose(rate, 20.0)
    assert measures.mean_rate(times, 10, 1000.0) == pytest.approx(20.0)


def test_population_rate_single_spike_bin():
    centres, rate = measures.population_rate(np.array([2.5]), 4, bin_ms=1.0, t_stop=5.0)
    # One spike among 4 neurons in a 1 ms bin: 1 / (4 * 0.001 s) = 250 Hz.
    np.testing.assert_allclose(rate, [0, 0, 250.0, 0, 0])
    with pytest.raises(ValueError):
        measures.population_rate(np.array([1.0]), 0)


# --- spike-count correlation ------------------------------------------------------------------

def test_correlation_identical_count_trains_is_one():
    rng = np.random.default_rng(5)
    row = rng.poisson(3.0, size=100).astype(float)
    counts = np.tile(row, (8, 1))
    assert measures.count_correlation(counts) == pytest.approx(1.0, abs=1e-12)
    assert measures.count_correlation(counts, max_pairs=10, seed=1) == pytest.approx(1.0,
                                                                                     abs=1e-12)


def test_correlation_matches_corrcoef_and_excludes_silent():
    rng = np.random.default_rng(6)
    counts = rng.poisson(2.0, size=(12, 300)).astype(float)
    counts[:6] += rng.poisson(2.0, size=300)  # shared input: some positive correlation
    expected = np.corrcoef(counts)[np.triu_indices(12, 1)].mean()
    with_silent = np.vstack([counts, np.zeros((3, 300))])
    assert measures.count_correlation(with_silent) == pytest.approx(expected, abs=1e-12)
    sampled = measures.count_correlation(counts, max_pairs=5000, seed=0)
    assert sampled == pytest.approx(expected, abs=0.02)


def test_correlation_from_spikes_of_identical_trains_and_anticorrelated_pair():
    ids, times = regular_trains(6, period=7.0, t_stop=500.0)
    rho = measures.spike_count_correlation(ids, times, range(6), bin_ms=5.0, t_stop=500.0)
    assert rho == pytest.approx(1.0, abs=1e-12)
    counts = np.array([[1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    assert measures.count_correlation(counts) == pytest.approx(-1.0)
    assert math.isnan(measures.count_correlation(np.zeros((3, 10))))


def test_binned_counts_places_spikes():
    counts = measures.binned_counts(np.array([3, 1, 3, 7]), np.array([0.5, 1.5, 2.5, 9.0]),
                                    neurons=[1, 3], bin_ms=1.0, t_start=0.0, t_stop=3.0)
    np.testing.assert_array_equal(counts, [[0, 1, 0], [1, 0, 1]])
