"""benchmarks/mil_first_steps.py probes the first steps of a run on a reproduction's world:
run it here on the tiny world, for a few steps."""

import os
import subprocess
import sys
from pathlib import Path

from wsad_core.project import Project
from wsad_core.reproduce.worlds import seed_world

ROOT = Path(__file__).resolve().parents[2]


def test_the_probe_prints_a_row_per_window_and_leaves_its_run_stopped(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "mil_first_steps.py"), "--out", str(tmp_path / "out"),
         "--preset", "tiny", "--steps", "3", "--window", "2", "data.tubelet_length=8", "data.train_split=null"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split(" | ")[0] for row in rows] == ["| 1-2", "| 3-3"]
    for row in rows:
        mean_loss, largest, logits, weight_norm, feature_norm = row.strip(" |").split(" | ")[1:]
        low, high = (float(x) for x in logits.split(" … "))
        assert 0 < float(mean_loss) <= float(largest) and low <= high
        assert float(weight_norm) > 0 and float(feature_norm) > 0
    with Project.open(seed_world(tmp_path / "out", "tiny", 0).main_dir) as project:
        (run,) = project.runs()
        assert run.status == "stopped" and run.name.startswith("probe:")
