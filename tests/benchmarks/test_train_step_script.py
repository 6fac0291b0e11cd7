"""benchmarks/train_step.py is run by hand and on lent GPUs, where a broken script wastes the
lease: run it here, small, in both resize placements."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("place", ["loader", "device"])
def test_the_step_benchmark_runs_and_compares_per_clip(tmp_path, place):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "train_step.py"), "--preset", "tiny", "--steps", "2",
         "--workers", "0", f"data.resize_on={place}", "device=cpu"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"resized by the {place}" in result.stdout
    assert "a clip (target ≤ +10 %)" in result.stdout and "loader alone (no model)" in result.stdout
