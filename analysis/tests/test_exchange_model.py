"""analysis.exchange_model: the wire model's closed forms, the crossover on synthetic studies
with known answers, and the CLI (python3 -m analysis.scaling --dry-run)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis import exchange_model as em  # noqa: E402


def point(ranks, alg, measured, bytes_in, update=1000.0):
    return {"dry_run_ranks": ranks, "exchange": alg, "update_us_per_epoch": update,
            "exchange_us_per_epoch": measured / 2, "deliver_us_per_epoch": measured / 2,
            "exchange_side_us_per_epoch": measured, "bytes_received_per_epoch": bytes_in,
            "spikes_received_per_epoch": bytes_in / 4}


def test_wire_model_closed_forms():
    assert em.wire_us("allgatherv", 1, 1e6) == 0.0
    # 1024 ranks: 2 x 10 messages of 2 us, 64 KiB of headers + 1 MB at 0.1 ns/B.
    assert em.wire_us("allgatherv", 1024, 1e6) == pytest.approx(40.0 + 0.1e-3 * (65536 + 1e6))
    assert em.wire_us("alltoallv", 1024, 1e6) == pytest.approx(2 * 1023 * 2.0 + 0.1e-3 * (65536 + 1e6))
    with pytest.raises(em.DryRunError):
        em.wire_us("gossip", 4, 0.0)


def test_crossover_of_a_linear_cost_without_wire_is_exact():
    # measured = 100 + R us, update 1100 us: equal at R = 1000 (no wire: alpha = beta = 0).
    study = {"points": [point(r, "allgatherv", 100.0 + r, 0.0, 1100.0) for r in (1, 16, 256)]}
    rows = em.table(study, 0.0, 0.0)
    assert em.crossover(rows, "allgatherv", 0.0, 0.0) == 1000
    assert [r["ratio_to_update"] for r in rows] == pytest.approx([101 / 1100, 116 / 1100, 356 / 1100])


def test_alltoallv_crossover_is_set_by_latency():
    # Flat measured cost 100 us, update 1100 us: 2 alpha (R - 1) = 1000 -> R = 251 at alpha = 2.
    study = {"points": [point(r, "alltoallv", 100.0, 0.0, 1100.0) for r in (1, 256, 4096)]}
    rows = em.table(study, 2.0, 0.0)
    assert em.crossover(rows, "alltoallv", 2.0, 0.0) == 251


def test_never_reached_is_none_and_cli_writes_table_and_figure(tmp_path):
    study = {"points": [point(r, alg, 10.0, 100.0, 1e12) for r in (1, 16) for alg in
                        ("allgatherv", "alltoallv")]}
    rows = em.table(study)
    assert em.crossover(rows, "allgatherv") is None
    path = tmp_path / "dry.json"
    path.write_text(json.dumps(study))
    out = subprocess.run([sys.executable, "-m", "analysis.scaling", "--dry-run", str(path), "-o",
                          str(tmp_path / "fig.png"), "--table-json", str(tmp_path / "t.json")],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "| 16 | alltoallv |" in out.stdout
    assert (tmp_path / "fig.png").stat().st_size > 1000
    assert json.loads((tmp_path / "t.json").read_text())["crossover"] == {
        "allgatherv": None, "alltoallv": None}


def test_bad_input_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"points": [{"dry_run_ranks": 4}]}))
    out = subprocess.run([sys.executable, "-m", "analysis.scaling", "--dry-run", str(path)],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 2 and "lacks" in out.stderr
