"""Command-line entry points on synthetic files: run as `python3 -m analysis.<name>` in a
subprocess (as a user would), plus in-process calls of main() for the variants."""

import json
import subprocess
import sys

import pytest

from analysis import heatmap, measures, raster, sync_vs_p
from analysis.tests import synthetic
from analysis.tests.conftest import REPO


def cli(module, *args):
    return subprocess.run([sys.executable, "-m", f"analysis.{module}", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG")


def test_sync_vs_p_cli_reports_failed_runs(sweep_file, tmp_path):
    path, _ = sweep_file
    out = tmp_path / "sync_vs_p.png"
    done = cli("sync_vs_p", path, "-o", out)
    assert done.returncode == 0, done.stderr
    assert_png(out)
    text = done.stdout
    assert "10 runs, 8 used, 2 failed" in text
    assert "failed runs: 2" in text
    assert "fail_missing: MPI_ABORT: simulation blew up" in text
    assert "fail_partial: killed by signal 9" in text
    assert "mean of 2 p = 0 run(s)" in text
    # One table row per p value, each over its 2 seeds; C(0)/C(0) = L(0)/L(0) = 1.
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----")) + 1
    stop = next(i for i, line in enumerate(lines) if line.startswith("failed runs"))
    rows = [line.split() for line in lines[start:stop]]
    assert [r[0] for r in rows] == ["0", "0.01", "0.1", "1"]
    assert all(r[1] == "2" for r in rows)
    assert rows[0][-2:] == ["1.0000", "1.0000"]


@pytest.mark.parametrize("measure", ["kuramoto", "sync_error", "correlation"])
def test_sync_vs_p_other_measures_write_png_and_pdf(sweep_file, tmp_path, capsys, measure):
    path, _ = sweep_file
    base = tmp_path / f"fig_{measure}"
    assert sync_vs_p.main([str(path), "-o", str(base), "--measure", measure,
                           "--error", "sem"]) == 0
    assert_png(base.with_suffix(".png"))
    assert base.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert "SEM" in capsys.readouterr().out


def test_sync_vs_p_closed_form_baseline_without_p0(tmp_path, capsys):
    path = tmp_path / "no_zero.h5"
    synthetic.make_sweep_file(path, p_values=(0.01, 1.0), seeds=(1,), n=30, k=6)
    assert sync_vs_p.main([str(path), "-o", str(tmp_path / "f.png")]) == 0
    text = capsys.readouterr().out
    # k and n come from the runs' config: C0 = 3*4/(4*5) = 0.6, L0 = 30/12 = 2.5.
    assert "C(0) = 0.6, L(0) = 2.5 (ring lattice closed form, k=6, n=30)" in text
    assert sync_vs_p.main([str(path), "-o", str(tmp_path / "g.png"), "--k", "4", "--n", "20"]) == 0
    assert "k=4, n=20" in capsys.readouterr().out


def test_sync_vs_p_rejects_a_single_run_and_a_bad_key(run_file, sweep_file, tmp_path, capsys):
    assert sync_vs_p.main([str(run_file[0]), "-o", str(tmp_path / "x.png")]) == 2
    assert "not a sweep" in capsys.readouterr().err
    assert sync_vs_p.main([str(sweep_file[0]), "--key", "projection.ring.k",
                           "-o", str(tmp_path / "x.png")]) == 2
    assert "varied keys: projection.ring.p" in capsys.readouterr().err


def test_raster_cli(run_file, tmp_path):
    out = tmp_path / "raster.png"
    done = cli("raster", run_file[0], "-o", out, "--population", "exc", "--t-range", 20, 120)
    assert done.returncode == 0, done.stderr
    assert_png(out)


def test_raster_unknown_population_is_a_clear_error(run_file, tmp_path, capsys):
    assert raster.main([str(run_file[0]), "--population", "inh",
                        "-o", str(tmp_path / "r.png")]) == 2
    assert "no population 'inh'; populations in file: exc" in capsys.readouterr().err
    assert not (tmp_path / "r.png").exists()


def test_heatmap_cli_on_run_and_on_sweep_run(run_file, sweep_file, tmp_path, capsys):
    out = tmp_path / "heatmap.png"
    done = cli("heatmap", run_file[0], "-o", out, "--variable", "V_m")
    assert done.returncode == 0, done.stderr
    assert_png(out)
    out2 = tmp_path / "heatmap_sweep.png"
    assert heatmap.main([str(sweep_file[0]), "--run", "run_0005", "--max-neurons", "7",
                         "-o", str(out2)]) == 0
    assert_png(out2)
    assert heatmap.main([str(sweep_file[0]), "-o", str(out2)]) == 2
    assert "choose a run with --run" in capsys.readouterr().err


def test_measures_cli_prints_json(run_file):
    done = cli("measures", run_file[0])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    exc = result["populations"]["exc"]
    assert exc["size"] == 20 and exc["mean_rate_hz"] > 0
    assert 0 <= exc["kuramoto"] <= 1 and exc["isi_cv_neurons"] == 20
    assert 0 < result["traces"]["exc"]["chi"] <= 1
    assert result["projections"]["ring"]["n_synapses"] == 80


def test_measures_cli_on_sweep_run_and_incomplete_file(sweep_file, incomplete_file, capsys):
    assert measures.main([str(sweep_file[0]), "--run", "run_0007", "--t-range", "50", "150"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["run"] == "run_0007" and result["t_range_ms"] == [50.0, 150.0]
    assert measures.main([str(incomplete_file)]) == 2
    assert "did not finish" in capsys.readouterr().err
    assert measures.main([str(incomplete_file), "--allow-incomplete"]) == 0
