"""Reader on synthetic files in tmp_path, and on one real file written by the simulator."""

import os
import subprocess

import h5py
import numpy as np
import pytest

from analysis import measures
from analysis.tests import synthetic
from analysis.reader import (
    IncompleteResultError,
    MyelinFileError,
    Run,
    Sweep,
    UnknownNameError,
    open_result,
)


# --- single run -------------------------------------------------------------------------------

def test_single_run_spikes_traces_and_metadata(run_file):
    path, data = run_file
    with open_result(path) as run:
        assert isinstance(run, Run)
        assert run.complete and run.seed == 5 and run.dt == 0.1 and run.t_stop == 200.0
        assert run.populations() == ["exc"] and run.population_size("exc") == 20
        ids, times = run.spikes("exc")
        np.testing.assert_array_equal(ids, data["ids"])
        np.testing.assert_array_equal(times, data["times"])
        trace = run.trace("exc", "V_m")
        assert trace.values.shape == (200, 20) and trace.units == "mV"
        np.testing.assert_array_equal(trace.values, data["v"])
        np.testing.assert_array_equal(trace.node_ids, np.arange(20))
        assert run.trace_variables("exc") == ["V_m"]
        attrs = run.projection_attrs("ring")
        assert attrs["n_synapses"] == 80 and 0 < attrs["clustering"] < 1
        names, seconds = run.phase_times()
        assert names == ["build", "update", "output"] and seconds.shape == (1, 3)
        assert run.peak_rss_mb().tolist() == [12.5]
        assert 'rule = "small_world"' in run.config
    assert run.closed  # the context manager closed the file
    run.close()  # closing twice is harmless


def test_time_window_and_neuron_selection_read_only_that_block(run_file):
    path, data = run_file
    with open_result(path) as run:
        ids, times = run.spikes("exc", t_range=(50.0, 120.0))
        mask = (data["times"] >= 50.0) & (data["times"] < 120.0)
        np.testing.assert_array_equal(times, data["times"][mask])
        np.testing.assert_array_equal(ids, data["ids"][mask])
        assert run.spikes("exc", t_range=(None, 0.0))[1].size == 0
        trace = run.trace("exc", "V_m", t_range=(10.0, 20.0), neurons=[7, 2, 2])
        np.testing.assert_array_equal(trace.times, np.arange(10.0, 20.0))
        np.testing.assert_array_equal(trace.node_ids, [2, 7])
        np.testing.assert_array_equal(trace.values, data["v"][10:20][:, [2, 7]])


def test_unknown_names_list_what_exists(run_file):
    path, _ = run_file
    with open_result(path) as run:
        with pytest.raises(UnknownNameError, match=r"no population 'inh'.*exc"):
            run.spikes("inh")
        with pytest.raises(UnknownNameError, match=r"no variable 'g_ex'.*V_m"):
            run.trace("exc", "g_ex")
        with pytest.raises(UnknownNameError, match=r"no projection 'ff'.*ring"):
            run.projection_attrs("ff")


def test_not_a_myelin_file(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(MyelinFileError, match="not a readable HDF5"):
        open_result(text)
    with pytest.raises(MyelinFileError, match="no such file"):
        open_result(tmp_path / "missing.h5")
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    with pytest.raises(MyelinFileError, match="not a Myelin result file"):
        open_result(other)


def test_incomplete_file_needs_allow_incomplete(incomplete_file):
    with pytest.raises(IncompleteResultError, match="did not finish"):
        open_result(incomplete_file)
    with open_result(incomplete_file, allow_incomplete=True) as run:
        assert not run.complete
        assert run.spike_count("exc") > 0


def test_killed_file_is_read_up_to_its_intact_rows(tmp_path):
    # As a kill during a flush can leave a file: rows after intact_rows that were never
    # written (zeros), and one dataset of a group longer than the other.
    path = tmp_path / "killed.h5"
    written = synthetic.make_run_file(path, complete=0)
    spikes_intact, samples_intact = 150, 120
    with h5py.File(path, "a") as f:
        g = f["spikes/exc"]
        g.attrs["intact_rows"] = np.uint64(spikes_intact)
        g["timestamps"][spikes_intact:] = 0.0
        ids = g["node_ids"][: spikes_intact + 5]
        del g["node_ids"]
        g.create_dataset("node_ids", data=ids)
        t = f["traces/exc"]
        t.attrs["intact_rows"] = np.uint64(samples_intact)
        t["times"][samples_intact:] = 0.0
    with open_result(path, allow_incomplete=True) as run:
        assert run.spike_count("exc") == spikes_intact
        ids, times = run.spikes("exc")
        np.testing.assert_array_equal(times, written["times"][:spikes_intact])
        np.testing.assert_array_equal(ids, written["ids"][:spikes_intact])
        # A window past the intact rows stops at them (the zeros after them are not read).
        _, late = run.spikes("exc", (written["times"][100], None))
        np.testing.assert_array_equal(late, written["times"][100:spikes_intact])
        trace = run.trace("exc", "V_m")
        assert run.trace_shape("exc", "V_m") == (samples_intact, written["n"])
        np.testing.assert_array_equal(trace.times, written["sample_t"][:samples_intact])
        np.testing.assert_array_equal(trace.values, written["v"][:samples_intact])


# --- sweep ------------------------------------------------------------------------------------

def test_sweep_index_and_runs(sweep_file):
    path, info = sweep_file
    with open_result(path) as sweep:
        assert isinstance(sweep, Sweep) and sweep.complete
        assert sweep.meta["kind"] == "sweep"
        assert sweep.param_keys() == ["projection.ring.p"]
        index = sweep.index()
        assert [e["name"] for e in index] == info["names"]
        assert [e["params"]["projection.ring.p"] for e in index] == info["p"]
        failed = [e for e in index if not e["complete"]]
        assert [e["name"] for e in failed] == info["failed"]
        assert failed[0]["error"] == "MPI_ABORT: simulation blew up"
        assert all(e["error"] == "" for e in index if e["complete"])
        assert index[0]["seed"] == 1 and index[1]["seed"] == 2

        run = sweep.run("run_0003")
        assert isinstance(run, Run) and run.complete
        assert run.trace("exc", "V_m").values.shape == (200, 20)
        assert len(list(sweep.completed_runs())) == 8
    assert sweep.closed and run.closed  # run views share the sweep's file


def test_sweep_failed_runs_raise_clear_errors(sweep_file):
    path, _ = sweep_file
    with open_result(path) as sweep:
        with pytest.raises(UnknownNameError, match="no run 'fail_missing'"):
            sweep.run("fail_missing")
        with pytest.raises(IncompleteResultError, match="fail_partial.*did not finish"):
            sweep.run("fail_partial")
        partial = sweep.run("fail_partial", allow_incomplete=True)
        assert partial.trace_populations() == [] and partial.spike_count("exc") > 0


def test_incomplete_sweep(tmp_path):
    from analysis.tests.synthetic import make_sweep_file

    path = tmp_path / "unfinished.h5"
    make_sweep_file(path, p_values=(0.1,), seeds=(1,), complete=0)
    with pytest.raises(IncompleteResultError, match="sweep did not finish"):
        open_result(path)
    with open_result(path, allow_incomplete=True) as sweep:
        assert len(sweep) == 3


# --- a real file from the simulator -----------------------------------------------------------

CONFIG = """[simulation]
dt = 0.1
t_stop = 200.0
seed = 3
[population.exc]
model = "lif"
size = 50
I_e = 400.0
noise_sigma = 2.0
[projection.ring]
source = "exc"
target = "exc"
rule = "small_world"
k = 4
p = 0.2
weight = 0.5
delay = 1.0
[output]
file = "{out}"
[output.traces.exc]
variables = ["V_m"]
neurons = "all"
"""


def test_reads_a_file_written_by_the_simulator(tmp_path, myelin_bin):
    out = tmp_path / "out.h5"
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(CONFIG.format(out=out))
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([myelin_bin, "run", str(cfg), "-o", str(out), "--quiet"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with open_result(out) as run:
        assert run.complete and run.seed == 3 and run.t_stop == 200.0
        ids, times = run.spikes("exc")
        assert run.population_size("exc") == 50
        assert measures.mean_rate(times, 50, run.t_stop) > 0
        assert ids.max() < 50 and np.all(np.diff(times) >= 0)
        trace = run.trace("exc", "V_m")
        assert trace.values.shape == (trace.times.size, 50) and trace.times.size > 100
        assert 0 < measures.golomb_chi(trace.values) <= 1
        attrs = run.projection_attrs("ring")
        assert attrs["n_synapses"] == 200 and 0 < attrs["clustering"] < 1
        names, seconds = run.phase_times()
        assert "update" in names and seconds.shape[1] == len(names)
