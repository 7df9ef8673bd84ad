"""analysis.scaling on synthetic studies with known answers, its CLI, and jobs/collect_scaling.py
feeding it (failed and missing runs become rows, not gaps)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis import scaling  # noqa: E402

PHASES = ("build", "update", "collect", "exchange", "deliver", "output")


def summary(ranks, threads, loop_s, neurons=10000, **extra):
    """A `myelin run --summary-json` summary whose loop phases add up to loop_s."""
    lt = loop_s or 0.0
    phases = {"build": 0.5, "update": 0.6 * lt, "collect": 0.05 * lt,
              "exchange": 0.2 * lt, "deliver": 0.1 * lt, "output": 0.05 * lt}
    d = {"version": "0.1.0", "git_sha": "abc123", "ranks": ranks, "threads": threads,
         "neurons": neurons, "synapses": neurons * 100, "epochs": 667, "spikes": 1000,
         "mean_rate_hz": 10.0, "loop_s": loop_s, "phase_s_max_over_ranks": phases,
         "peak_rss_mb_per_rank": [100.0] * ranks, "bytes_received_rank0": 667 * 64,
         "t_stop_ms": 1000}
    d.update(extra)
    return d


def row(ranks, threads, loop_s, neurons=10000, ok=True, name=None, **extra):
    r = summary(ranks, threads, loop_s, neurons, **extra)
    r.update(name=name or f"r{ranks}_t{threads}", ok=ok, cores=ranks * threads)
    if not ok:
        r.update(loop_s=None, error="no summary JSON")
    return r


def study_file(tmp_path, rows, kind="strong", name="scaling.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"kind": kind, "config": "net.toml", "runs": rows}))
    return path


def by_cores(table):
    return {r["cores"]: r for r in table}


# ------------------------------------------------------------------ known answers
def test_perfect_strong_scaling_has_efficiency_one():
    runs = [scaling._normalise(row(n, 1, 16.0 / n), i) for i, n in enumerate((1, 2, 4, 8, 16))]
    t = scaling.scaling_table(runs, "strong")
    assert [r["cores"] for r in t] == [1, 2, 4, 8, 16]
    for r in t:
        assert r["speedup"] == pytest.approx(r["cores"])
        assert r["efficiency"] == pytest.approx(1.0)


def test_amdahl_strong_scaling():
    # serial fraction f = 0.1: T(n) = T1 (f + (1 - f)/n), S = 1/(f + (1-f)/n), E = S/n
    f, t1 = 0.1, 10.0
    runs = [scaling._normalise(row(n, 1, t1 * (f + (1 - f) / n)), i) for i, n in enumerate((1, 2, 4, 8))]
    t = by_cores(scaling.scaling_table(runs, "strong"))
    for n in (1, 2, 4, 8):
        s = 1.0 / (f + (1 - f) / n)
        assert t[n]["speedup"] == pytest.approx(s)
        assert t[n]["efficiency"] == pytest.approx(s / n)
    assert t[4]["speedup"] == pytest.approx(3.0769230769)
    assert t[8]["efficiency"] == pytest.approx(0.5882352941)  # S(8) = 1/0.2125 = 4.70588


def test_hybrid_layouts_count_ranks_times_threads():
    # 1x1 = 8 s, 1x2 = 4 s (perfect), 2x2 = 4 s (no gain from the extra ranks)
    runs = [scaling._normalise(r, i) for i, r in enumerate([row(1, 1, 8.0), row(1, 2, 4.0), row(2, 2, 4.0)])]
    t = by_cores(scaling.scaling_table(runs, "strong"))
    assert t[2]["efficiency"] == pytest.approx(1.0)
    assert t[4]["speedup"] == pytest.approx(2.0)
    assert t[4]["efficiency"] == pytest.approx(0.5)


def test_baseline_is_smallest_successful_run():
    # no 1-core run (it failed): everything is relative to 2 cores
    rows = [row(1, 1, None, ok=False), row(2, 1, 8.0), row(4, 1, 4.0), row(8, 1, 3.0)]
    runs = [scaling._normalise(r, i) for i, r in enumerate(rows)]
    t = by_cores(scaling.scaling_table(runs, "strong"))
    assert 1 not in t
    assert t[2]["baseline"] == "r2_t1"
    assert t[2]["speedup"] == pytest.approx(1.0) and t[2]["efficiency"] == pytest.approx(1.0)
    assert t[4]["speedup"] == pytest.approx(2.0) and t[4]["efficiency"] == pytest.approx(1.0)
    assert t[8]["speedup"] == pytest.approx(8 / 3) and t[8]["efficiency"] == pytest.approx(2 / 3)


def test_perfect_weak_scaling_has_efficiency_one():
    runs = [scaling._normalise(row(n, 1, 5.0, neurons=10000 * n), i) for i, n in enumerate((1, 2, 4, 8))]
    t = scaling.scaling_table(runs, "weak")
    for r in t:
        assert r["efficiency"] == pytest.approx(1.0)
        assert r["speedup"] == pytest.approx(r["cores"])  # scaled speed-up


def test_weak_scaling_time_doubling_halves_efficiency():
    runs = [scaling._normalise(r, i) for i, r in
            enumerate([row(1, 1, 5.0, 10000), row(2, 1, 10.0, 20000), row(4, 1, 20.0, 40000)])]
    t = by_cores(scaling.scaling_table(runs, "weak"))
    assert t[2]["efficiency"] == pytest.approx(0.5)
    assert t[4]["efficiency"] == pytest.approx(0.25)
    assert t[4]["speedup"] == pytest.approx(1.0)


def test_repeats_use_fastest_run():
    rows = [row(1, 1, 10.0, name="a"), row(1, 1, 8.0, name="b"), row(2, 1, 4.0, name="c"),
            row(2, 1, 5.0, name="d")]
    t = by_cores(scaling.scaling_table([scaling._normalise(r, i) for i, r in enumerate(rows)], "strong"))
    assert t[1]["name"] == "b" and t[1]["repeats"] == 2
    assert t[2]["speedup"] == pytest.approx(2.0)


def test_kind_inference_and_errors():
    strong = [scaling._normalise(row(n, 1, 1.0 / n), i) for i, n in enumerate((1, 2))]
    weak = [scaling._normalise(row(n, 1, 1.0, neurons=100 * n), i) for i, n in enumerate((1, 2))]
    assert scaling.infer_kind(strong) == "strong"
    assert scaling.infer_kind(weak) == "weak"
    with pytest.raises(scaling.ScalingError, match="no successful run"):
        scaling.scaling_table([scaling._normalise(row(1, 1, None, ok=False), 0)], "strong")
    with pytest.raises(scaling.ScalingError, match="kind"):
        scaling.scaling_table(strong, "medium")


def test_zero_or_missing_loop_time_is_a_failed_run():
    r = scaling._normalise(row(1, 1, 0.0), 0)
    assert not r["ok"] and "loop_s" in r["error"]


def test_phase_breakdown_prefers_per_rank_means():
    per_rank = [{"update": 1.0, "exchange": 3.0}, {"update": 3.0, "exchange": 1.0}]
    r = scaling._normalise(row(2, 1, 5.0, phase_s_per_rank=per_rank,
                               exchange_wait_s_per_rank=[0.5, 1.5]), 0)
    ph, label = scaling.phase_breakdown(r)
    assert label == "mean over ranks"
    assert ph["update"] == pytest.approx(2.0) and ph["exchange"] == pytest.approx(2.0)
    assert ph["deliver"] == 0.0
    assert r["wait_mean_s"] == pytest.approx(1.0) and r["wait_max_s"] == pytest.approx(1.5)
    ph, label = scaling.phase_breakdown(scaling._normalise(row(1, 1, 10.0), 0))
    assert label == "max over ranks" and ph["update"] == pytest.approx(6.0)


def test_load_accepts_a_bare_list_of_summaries(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([summary(1, 1, 4.0), summary(2, 1, 2.0)]))
    s = scaling.load(path)
    assert s["kind"] is None and all(r["ok"] for r in s["runs"])
    t = scaling.scaling_table(s["runs"], scaling.infer_kind(s["runs"]))
    assert by_cores(t)[2]["efficiency"] == pytest.approx(1.0)


def test_load_errors(tmp_path):
    with pytest.raises(scaling.ScalingError, match="cannot read"):
        scaling.load(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(scaling.ScalingError, match="not JSON"):
        scaling.load(bad)


# ------------------------------------------------------------------ CLI
def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis.scaling", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def assert_png(path):
    data = Path(path).read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG")


def test_cli_writes_png_and_pdf_and_prints_table(tmp_path):
    rows = [row(1, 1, 8.0), row(2, 1, 4.0), row(4, 1, 2.0), row(1, 2, 4.0),
            row(8, 1, None, ok=False)]
    rows[2]["exchange_wait_s_per_rank"] = [0.1, 0.2, 0.3, 0.4]
    path = study_file(tmp_path, rows)
    out = tmp_path / "fig" / "scaling.png"
    done = cli(path, "-o", out, "--table-json", tmp_path / "table.json")
    assert done.returncode == 0, done.stderr
    assert_png(out)
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    text = done.stdout
    assert "strong scaling, baseline r1_t1" in text
    assert "5 run(s): 4 ok, 1 failed" in text
    assert "FAILED r8_t1 (8 x 1): no summary JSON" in text
    table = json.loads((tmp_path / "table.json").read_text())
    eff = {(r["ranks"], r["threads"]): r["efficiency"] for r in table["rows"]}
    assert eff == pytest.approx({(1, 1): 1.0, (2, 1): 1.0, (4, 1): 1.0, (1, 2): 1.0})


def test_cli_kind_override_and_default_output(tmp_path):
    # a weak study mislabelled strong: --kind weak gives E = T1/Tn
    rows = [row(1, 1, 2.0, 100), row(2, 1, 4.0, 200)]
    path = study_file(tmp_path, rows, kind="strong")
    done = cli(path, "--kind", "weak", "--table-json", tmp_path / "t.json")
    assert done.returncode == 0, done.stderr
    assert_png(tmp_path / "scaling.png")
    t = json.loads((tmp_path / "t.json").read_text())
    assert t["kind"] == "weak"
    assert [r["efficiency"] for r in t["rows"]] == pytest.approx([1.0, 0.5])


def test_cli_without_successful_runs_exits_2(tmp_path):
    path = study_file(tmp_path, [row(1, 1, None, ok=False)])
    done = cli(path, "-o", tmp_path / "x.png")
    assert done.returncode == 2
    assert "no successful run" in done.stderr
    assert not (tmp_path / "x.png").exists()
    done = cli(tmp_path / "missing.json")
    assert done.returncode == 2 and "cannot read" in done.stderr


# ------------------------------------------------------------------ jobs/collect_scaling.py
def write_h5(path: Path, complete: int) -> None:
    """A result file reduced to what the collector reads: /meta attribute `complete`."""
    try:
        import h5py
    except ImportError:  # the collector then only checks that the file exists
        path.write_bytes(b"")
        return
    with h5py.File(path, "w") as f:
        f.create_group("meta").attrs["complete"] = complete


def write_outdir(outdir: Path, runs, kind="weak"):
    """manifest.tsv + summaries + result files as jobs/scaling.sh and jobs/run.sbatch leave
    them; runs are (name, ranks, threads, neurons, job_id, summary dict or None)."""
    # mode=local: the collector asks scontrol about failed jobs only for mode=slurm
    lines = ["# myelin scaling study", f"# kind={kind}", "# mode=local", "# config=/x/net.toml",
             "# threads=1", "name\tranks\tthreads\tneurons\tjob_id"]
    for name, r, t, n, job, s in runs:
        lines.append(f"{name}\t{r}\t{t}\t{n}\t{job}")
        (outdir / f"{name}.out").write_text(
            f"[run.sbatch] launcher=srun via srun (--mpi=pmix)\n[run.sbatch] job_id={job} host=x\n"
            + ("" if s else "srun: error: task 0: Killed\n"))
        if s is not None:
            (outdir / f"{name}.json").write_text(json.dumps(s))
            write_h5(outdir / f"{name}.h5", s.pop("_complete", 1))
    (outdir / "manifest.tsv").write_text("\n".join(lines) + "\n")


def collect(outdir, *args):
    return subprocess.run([sys.executable, str(REPO / "jobs" / "collect_scaling.py"), *args,
                           str(outdir)], capture_output=True, text=True, timeout=120)


def test_collector_rows_feed_the_analysis(tmp_path):
    write_outdir(tmp_path, [
        ("r1_t1", 1, 1, 1000, "11", summary(1, 1, 2.0, 1000, bytes_per_epoch=128.0,
                                            launcher="srun", job_id="11")),
        ("r2_t1", 2, 1, 2000, "12", summary(2, 1, 2.5, 2000, exchange_wait_s_per_rank=[0.1, 0.3])),
        ("r4_t1", 4, 1, 4000, "13", None),                       # crashed: no summary
        ("r8_t1", 8, 1, 8000, "14", summary(4, 1, 1.0, 4000)),   # ran on the wrong rank count
    ])
    done = collect(tmp_path)
    assert done.returncode == 0, done.stderr
    study = json.loads((tmp_path / "scaling.json").read_text())
    assert study["kind"] == "weak" and study["n_runs"] == 4 and study["n_failed"] == 2
    rows = {r["name"]: r for r in study["runs"]}
    assert rows["r1_t1"]["ok"] and rows["r1_t1"]["bytes_per_epoch"] == 128.0
    assert rows["r1_t1"]["bytes_per_epoch_from"] == "summary"
    assert rows["r2_t1"]["bytes_per_epoch"] == pytest.approx(64.0)  # 667*64 bytes / 667 epochs
    assert rows["r2_t1"]["wait_max_s"] == pytest.approx(0.3)
    assert rows["r2_t1"]["launcher"] == "srun" and rows["r2_t1"]["job_id"] == "12"
    assert not rows["r4_t1"]["ok"] and "no summary JSON" in rows["r4_t1"]["error"]
    assert "Killed" in rows["r4_t1"]["error"]
    assert not rows["r8_t1"]["ok"] and "planned 8 ranks" in rows["r8_t1"]["error"]
    csv_lines = (tmp_path / "scaling.csv").read_text().splitlines()
    assert len(csv_lines) == 5 and csv_lines[0].startswith("name,kind,ok,error,ranks")
    assert collect(tmp_path, "--strict").returncode == 3
    assert collect(tmp_path, "--check").returncode == 3

    s = scaling.load(tmp_path / "scaling.json")
    t = by_cores(scaling.scaling_table(s["runs"], s["kind"]))
    assert sorted(t) == [1, 2]
    assert t[2]["efficiency"] == pytest.approx(0.8)  # weak: 2.0 / 2.5


def test_collector_flags_incomplete_result_file(tmp_path):
    pytest.importorskip("h5py")
    write_outdir(tmp_path, [("r1_t1", 1, 1, "", "none", summary(1, 1, 2.0)),
                            ("r2_t1", 2, 1, "", "none", summary(2, 1, 1.0, _complete=0))],
                 kind="strong")
    assert collect(tmp_path).returncode == 0
    rows = {r["name"]: r for r in json.loads((tmp_path / "scaling.json").read_text())["runs"]}
    assert rows["r1_t1"]["ok"] and rows["r1_t1"]["h5_complete"] is True
    assert not rows["r2_t1"]["ok"] and "/meta complete != 1" in rows["r2_t1"]["error"]


def test_collector_all_ok_check_passes(tmp_path):
    write_outdir(tmp_path, [("r1_t1", 1, 1, "", "none", summary(1, 1, 2.0)),
                            ("r2_t1", 2, 1, "", "none", summary(2, 1, 1.0))], kind="strong")
    assert collect(tmp_path).returncode == 0
    done = collect(tmp_path, "--check")
    assert done.returncode == 0, done.stdout
    assert "2 run(s), 2 ok, 0 failed" in done.stdout
