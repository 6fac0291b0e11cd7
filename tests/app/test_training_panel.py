"""The Train panel with real `wsad train` children on the synthetic tiny project."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from wsad_core.cli import main as wsad
from wsad_core.project import Project
from wsad_core.project.run_liveness import ORPHAN_ERROR
from wsad_core.train.events import EventLog
from wsad_studio.training_job import DETECTORS, TrainingRuns, TrainOptions, detect_arguments, train_arguments
from wsad_studio.training_runs import EventsTail, RunProgress, curve_points
from wsad_studio.widgets.training import TrainingPanel, format_eta

CHILD_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train") / "P"
    assert wsad(["synth", "demo", str(root), "--preset", "tiny"]) == 0
    return root


@pytest.fixture
def panel(qtbot, tiny_project):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 520)
    with Project.open(tiny_project) as project:
        panel.set_project(project)
        panel.show()
        yield panel
        panel.shutdown()


def quick(**changes) -> TrainOptions:
    values = dict(model="cpu-tiny", epochs=2, tubelets_per_bag=2, bags_per_batch=2, device="cpu", max_steps=2)
    values.update(changes)
    return TrainOptions(**values)


def test_train_arguments_carry_the_key_options(tmp_path):
    options = TrainOptions(model="slowfast-r50-ava", mode="naive", aggregation="gem", uncertainty=False,
                           tubelets_per_bag=8, bags_per_batch=2, epochs=3, device="cuda", max_steps=5, name="x")
    args = train_arguments(tmp_path, options)
    assert args[:5] == ["train", "-p", str(tmp_path), "--name", "x"]
    assert set(args[5:]) == {"model=slowfast-r50-ava", "mode=naive", "aggregation=gem", "loss=bce",
                             "data.tubelets_per_bag=8", "data.bags_per_batch=2", "epochs=3", "device=cuda",
                             "max_steps=5"}


def test_detection_options_become_a_detect_child_then_a_train_option(tmp_path):
    options = TrainOptions(detector="precomputed", detect_extra=("--boxes", "b.csv"), detections="hog-1")
    assert detect_arguments(tmp_path, "hog") == ["detect", "-p", str(tmp_path), "-d", "hog", "--events"]
    assert detect_arguments(tmp_path, options.detector, options.detect_extra)[-2:] == ["--boxes", "b.csv"]
    assert "data.detections=hog-1" in options.overrides()
    assert not any(o.startswith("data.detections") for o in TrainOptions().overrides())


def test_person_boxes_offer_the_sets_with_their_coverage_then_the_detectors(qtbot, tiny_project):
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    with Project.open(tiny_project) as project:
        panel.set_project(project)
        assert panel.person_boxes.count() == 0  # listed when the panel shows, not at opening
        panel.show()
        texts = [panel.person_boxes.itemText(i) for i in range(panel.person_boxes.count())]
        videos = len(project.videos(status="ok"))
    sets = [text for text in texts if text.startswith("set ")]
    assert sets and all(f"{videos}/{videos} videos" in text for text in sets)
    assert texts[len(sets):] == [f"detect first: {text}" for text in DETECTORS]
    options = panel.options()
    assert options.detector is None and options.detections == panel.person_boxes.currentData()[1]
    panel.person_boxes.setCurrentIndex(len(sets) + list(DETECTORS.values()).index("hog"))
    assert (panel.options().detector, panel.options().detections) == ("hog", None)
    panel.shutdown()


@pytest.mark.slow
def test_detection_runs_first_then_training_on_the_set_it_made(qtbot, panel, tiny_project):
    seen: list[tuple[int, int, str]] = []
    panel.runs.detection_progress.connect(lambda done, total, video: seen.append((done, total, video)))
    boxes = tiny_project / "world" / "detections.csv"
    assert panel.start(quick(detector="precomputed", detect_extra=("--boxes", str(boxes))))
    assert panel.runs.detecting and panel.message.text() == "detecting people…"
    assert not panel.person_boxes.isEnabled()
    qtbot.waitUntil(lambda: panel.runs.job_run is not None, timeout=CHILD_TIMEOUT_MS)
    assert not panel.runs.detecting
    qtbot.waitUntil(lambda: panel.runs.job is None, timeout=CHILD_TIMEOUT_MS)
    progress = panel.runs.runs[panel.selected]
    assert progress.status == "done", progress.log
    config = (tiny_project / "runs" / str(panel.selected) / "config.yaml").read_text()
    assert "detections: precomputed-" in config
    assert panel.person_boxes.isEnabled()


@pytest.mark.slow
def test_a_failing_detection_is_shown_and_no_run_starts(qtbot, panel, tiny_project, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tiny_project.parent / "no-torch-home"))
    runs_before = set((tiny_project / "runs").iterdir())
    with qtbot.waitSignal(panel.runs.job_failed, timeout=CHILD_TIMEOUT_MS) as failed:
        assert panel.start(quick(detector="frcnn-r50-fpn-v2"))
    assert failed.args[0].startswith("detection:") and "--weights" in failed.args[0]
    assert panel.message.text().startswith("error: detection:")
    qtbot.waitUntil(lambda: panel.runs.job is None and panel.start_button.isEnabled(), timeout=10_000)
    assert set((tiny_project / "runs").iterdir()) == runs_before


def test_progress_follows_the_events():
    progress = RunProgress(1)
    progress.apply({"event": "start", "name": "r", "steps": 4, "resumed_at": 0, "device": "cpu"})
    progress.apply({"event": "step", "step": 2, "epoch": 1, "loss": 0.5, "lr": 0.01, "clips_per_s": 3.0,
                    "eta_s": 65})
    assert (progress.percent, progress.loss, progress.eta_s) == (50, [0.5], 65.0)
    assert format_eta(65) == "1:05" and format_eta(3700) == "1:01:40"
    progress.apply({"event": "cache", "videos": 9, "held": 6, "held_mb": 410, "budget_mb": 512})
    assert progress.log[-1] == "videos decoded in memory: 6 of 9 (410 MB of 512 MB)"  # a run of an older version
    progress.apply({"event": "cache", "videos": 9, "held": 9, "held_mb": 120, "budget_mb": 512, "resized_on": "device"})
    assert progress.log[-1] == "videos decoded in memory: 9 of 9 (120 MB of 512 MB), clips resized by the device"
    progress.apply({"event": "done", "steps": 2})
    assert progress.percent == 100 and progress.finished


def test_long_curves_are_drawn_with_the_means_of_runs_of_steps():
    steps = list(range(1, 2501))
    x, y = curve_points(steps, [float(s % 2) for s in steps], limit=1000)
    assert len(x) == 834 and x[0] == pytest.approx(2.0) and x[-1] == pytest.approx(2500.0)
    assert y[0] == pytest.approx(2 / 3) and set(np.round(y[:-1], 6)) <= {round(1 / 3, 6), round(2 / 3, 6)}
    short_x, short_y = curve_points([1, 2, 3], [0.5, 0.4, 0.3])
    assert short_x.tolist() == [1, 2, 3] and short_y.tolist() == [0.5, 0.4, 0.3]


def test_events_tail_reads_only_whole_new_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    tail = EventsTail(path)
    assert tail.read() == []
    path.write_text('{"event": "start"}\n{"event": "st')
    assert tail.read() == [{"event": "start"}]
    with path.open("a") as file:
        file.write('ep", "step": 1}\nnot json\n')
    assert tail.read() == [{"event": "step", "step": 1}]
    assert tail.read() == []


@pytest.mark.slow
def test_a_run_started_in_the_panel_is_plotted_to_the_end(qtbot, panel, tiny_project):
    assert panel.start(quick())
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.runs.job is None, timeout=CHILD_TIMEOUT_MS)
    run_id = panel.selected
    progress = panel.runs.runs[run_id]
    assert progress.status == "done", progress.log
    x, y = panel.curves["loss"].getData()
    assert len(x) == len(y) == 2
    assert panel.progress.value() == 100
    row = panel._rows[run_id]
    assert panel.table.item(row, 2).text() == "done"
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    assert "done after 2 steps" in panel.log.toPlainText()
    assert (tiny_project / "runs" / str(run_id) / "checkpoints" / "last.pt").is_file()


def start_a_long_run(qtbot, panel) -> int:
    """Start a run in the panel that trains for minutes; its id once it has taken a step."""
    assert panel.start(quick(epochs=50, max_steps=500))
    qtbot.waitUntil(lambda: panel.runs.job_run is not None and panel.runs.runs[panel.runs.job_run].step >= 1,
                    timeout=CHILD_TIMEOUT_MS)
    return panel.runs.job_run


@pytest.mark.slow
def test_stop_checkpoints_and_marks_the_run_stopped(qtbot, panel, tiny_project):
    run_id = start_a_long_run(qtbot, panel)
    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.runs.job is None, timeout=CHILD_TIMEOUT_MS)
    progress = panel.runs.runs[run_id]
    assert progress.status == "stopped", progress.log
    assert panel.table.item(panel._rows[run_id], 2).text() == "stopped"
    assert (tiny_project / "runs" / str(run_id) / "checkpoints" / "last.pt").is_file()


@pytest.mark.slow
def test_kill_shows_the_run_killed_and_records_it_stopped_so_it_resumes(qtbot, panel, tiny_project):
    run_id = start_a_long_run(qtbot, panel)
    with Project.open(tiny_project) as project:
        assert project.run(run_id).status == "running"
    panel.kill_button.click()
    qtbot.waitUntil(lambda: panel.runs.job is None, timeout=CHILD_TIMEOUT_MS)
    assert panel.table.item(panel._rows[run_id], 2).text() == "killed"
    with Project.open(tiny_project) as project:
        run = project.run(run_id)
    assert run.status == "stopped" and run.error == ORPHAN_ERROR


@pytest.mark.slow
def test_a_failing_child_shows_its_error_and_the_panel_lives_on(qtbot, panel):
    with qtbot.waitSignal(panel.runs.job_failed, timeout=CHILD_TIMEOUT_MS) as failed:
        assert panel.start(quick(extra=("no_such_option=1",)))
    assert "no_such_option" in failed.args[0]
    assert panel.message.text().startswith("error:") and "no_such_option" in panel.message.text()
    assert panel.start_button.isEnabled() and panel.isVisible()


def watching_panel(qtbot, tmp_path, run_id):
    """A panel following project ``tmp_path/P``, and the folder of run ``run_id`` in it."""
    root = tmp_path / "P"
    panel = TrainingPanel(TrainingRuns())
    qtbot.addWidget(panel)
    panel.runs.set_project(root)
    run_dir = root / "runs" / str(run_id)
    run_dir.mkdir(parents=True)
    return panel, run_dir


def test_a_run_started_elsewhere_appears_and_updates(qtbot, tmp_path):
    """A terminal run: only its events.jsonl, written while the panel watches."""
    panel, run_dir = watching_panel(qtbot, tmp_path, 7)
    go_on = threading.Event()

    def terminal_run() -> None:
        log = EventLog(run_dir / "events.jsonl", stdout=None)
        log.emit("start", run=7, name="from-terminal", steps=4, resumed_at=0, device="cpu")
        for step in range(1, 5):
            log.emit("step", epoch=1, step=step, loss=1.0 / step, lr=0.01, clips_per_s=2.0, eta_s=4 - step)
            if step == 2:
                go_on.wait(30)
        log.emit("done", run=7, steps=4, epochs=1)
        log.close()

    writer = threading.Thread(target=terminal_run)
    writer.start()
    qtbot.waitUntil(lambda: 7 in panel._rows and panel.runs.runs[7].step == 2, timeout=10_000)
    assert panel.table.item(panel._rows[7], 1).text() == "from-terminal"
    assert panel.selected == 7 and panel.progress.value() == 50
    go_on.set()
    writer.join()
    qtbot.waitUntil(lambda: panel.table.item(panel._rows[7], 2).text() == "done", timeout=10_000)
    assert len(panel.curves["loss"].getData()[0]) == 4
    panel.shutdown()


TERMINAL_RUN_THAT_HANGS = """
import json, sys, time
from pathlib import Path
from wsad_core.project.run_liveness import TrainingLock
run_dir = Path(sys.argv[1])
TrainingLock(run_dir).acquire()
with (run_dir / "events.jsonl").open("a") as log:
    log.write(json.dumps({"event": "start", "run": 8, "name": "oom-killed", "steps": 10, "resumed_at": 0}) + "\\n")
    for step in (1, 2):
        log.write(json.dumps({"event": "step", "epoch": 1, "step": step, "loss": 1.0, "lr": 0.01}) + "\\n")
    log.flush()
    time.sleep(120)
"""


def test_a_run_killed_elsewhere_is_shown_killed(qtbot, tmp_path):
    """A terminal run whose process dies without a final event (SIGKILL, the OOM killer)."""
    panel, run_dir = watching_panel(qtbot, tmp_path, 8)
    child = subprocess.Popen([sys.executable, "-c", TERMINAL_RUN_THAT_HANGS, str(run_dir)])
    try:
        qtbot.waitUntil(lambda: 8 in panel._rows and panel.runs.runs[8].step == 2, timeout=30_000)
        qtbot.wait(1_200)  # two more polls: a live process keeps its run running
        assert panel.table.item(panel._rows[8], 2).text() == "running"
    finally:
        child.kill()
        child.wait(timeout=30)
    qtbot.waitUntil(lambda: panel.table.item(panel._rows[8], 2).text() == "killed", timeout=10_000)
    assert "resume it from its last checkpoint" in panel.runs.runs[8].log[-1]
    panel.shutdown()


def test_device_is_found_when_the_panel_shows(qtbot):
    torch_was_loaded = "torch" in sys.modules
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    started = time.perf_counter()
    panel.show()
    assert time.perf_counter() - started < 1.0
    qtbot.waitUntil(lambda: panel.device.itemText(0) in ("auto (cpu)", "auto (cuda)"), timeout=60_000)
    assert "torch" not in sys.modules or torch_was_loaded  # asked of a child process
