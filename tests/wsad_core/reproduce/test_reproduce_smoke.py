"""End to end on the tiny world: `wsad bench reproduce` trains every Table 1 variant for one
step, evaluates, writes the report, and a second invocation trains nothing."""

import json
from pathlib import Path

import pytest
import torch

from wsad_core.cli import main

KEYS = {"naive", "mil_lse", "mil_mean", "mil_max", "mil_max_unc", "full"}


@pytest.fixture
def restore_threads():
    """--threads sets torch's process-wide thread count: give the next tests theirs back."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_bench_reproduce_smoke(tmp_path, capsys, restore_threads):
    out, out_json = tmp_path / "bench", tmp_path / "OUT.json"
    argv = ["bench", "reproduce", "--quick", "--preset", "tiny", "--only", "table", "--epochs", "1",
            "--threads", "1", "--out", str(out), "--json", str(out_json), "optim.lr=0.01"]
    assert main(argv) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-3].startswith("Frame AP (test, mean ± std over seeds): naive ")
    assert printed[-1].startswith("MIL max + uncertainty reaches ")

    data = json.loads(out_json.read_text())
    for key in ("frame_ap", "frame_ap_std", "video_ap"):
        assert set(data[key]) == KEYS
    assert all(isinstance(data["frame_ap"][k], float) for k in KEYS)
    assert all(value is None for value in data["frame_ap_std"].values())  # one seed: no spread
    assert "ratio_weak_full" in data
    report = out / "report-quick"
    for name in ("report.md", "table1.png", "learning_curves.png"):
        assert (report / name).stat().st_size > 0
    results = json.loads((out / "results-quick.json").read_text())
    entries = results["entries"]
    assert set(entries) == {f"table/{k}/seed0" for k in KEYS}
    # tiny: one batch per epoch, so one epoch is one step, with its validation point
    assert all(entry["steps"] == 1 and len(entry["curve"]) == 1 for entry in entries.values())
    assert "optim.lr=0.01" in entries["table/full/seed0"]["overrides"]
    # Each run is scored twice: on its training detections, then on the tuned detector's boxes.
    for entry in entries.values():
        tuned = entry["tuned_detector"]
        assert isinstance(tuned["frame_ap"], float) and tuned["recall"] == 0.9
        metrics = json.loads((Path(entry["run_dir"]) / "metrics.json").read_text())["test"]
        assert metrics["detection_set"] == tuned["detection_set"]  # the last evaluation
        assert f"data.detections={tuned['detection_set']}" not in entry["overrides"]
    assert set(data["tuned_detector"]["frame_ap"]) == KEYS

    assert main(argv) == 0  # resumes: everything is done, nothing retrains
    assert "6 jobs, 6 already done" in capsys.readouterr().out


@pytest.mark.slow
def test_parallel_runs_give_the_sequential_results(tmp_path, capsys, restore_threads):
    """--parallel trains each run in its own process: same runs, same numbers, as one at a time."""
    common = ["bench", "reproduce", "--quick", "--preset", "tiny", "--only", "table", "--epochs", "1", "optim.lr=0.01"]
    assert main([*common, "--out", str(tmp_path / "one"), "--threads", "1"]) == 0
    # two threads shared by two runs: each trains on one thread, as the sequential runs did
    assert main([*common, "--out", str(tmp_path / "two"), "--threads", "2", "--parallel", "2"]) == 0
    assert "6 runs to train, 2 at a time, 1 CPU threads each" in capsys.readouterr().out
    sequential = json.loads((tmp_path / "one" / "results-quick.json").read_text())["entries"]
    parallel = json.loads((tmp_path / "two" / "results-quick.json").read_text())["entries"]
    assert set(parallel) == set(sequential) == {f"table/{k}/seed0" for k in KEYS}
    for key, entry in sequential.items():
        assert parallel[key]["overrides"] == entry["overrides"]
        assert parallel[key]["frame_ap"] == pytest.approx(entry["frame_ap"], abs=1e-6), key
        assert parallel[key]["video_ap"] == pytest.approx(entry["video_ap"], abs=1e-6), key
