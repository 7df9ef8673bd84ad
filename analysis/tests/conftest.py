"""Fixtures: synthetic result files in tmp_path, and the simulator binary if one is built."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.tests import synthetic

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_file(tmp_path):
    """(path, written data) of a complete single-run file."""
    path = tmp_path / "run.h5"
    return path, synthetic.make_run_file(path, n=20, seed=5, coupling=0.5)


@pytest.fixture
def incomplete_file(tmp_path):
    path = tmp_path / "crashed.h5"
    synthetic.make_run_file(path, complete=0)
    return path


@pytest.fixture
def sweep_file(tmp_path):
    """(path, index info) of a sweep with 4 p values x 2 seeds and two failed runs."""
    path = tmp_path / "sweep.h5"
    return path, synthetic.make_sweep_file(path)


@pytest.fixture(scope="session")
def myelin_bin():
    """The simulator: $MYELIN_BIN, else build/myelin in the repository; skip if neither."""
    candidate = os.environ.get("MYELIN_BIN") or str(REPO / "build" / "myelin")
    if not (Path(candidate).is_file() and os.access(candidate, os.X_OK)):
        found = shutil.which(candidate) if os.environ.get("MYELIN_BIN") else None
        if not found:
            pytest.skip(f"no myelin executable (set MYELIN_BIN; {candidate} not found)")
        candidate = found
    return candidate
