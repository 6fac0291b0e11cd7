"""A run's training lock tells a live run from one whose process died without a word."""

import subprocess
import sys

import pytest

from wsad_core.errors import WsadError
from wsad_core.project.run_liveness import ORPHAN_ERROR, TrainingLock, is_training, settle_orphaned_runs

HOLD = """
import sys, time
from wsad_core.project.run_liveness import TrainingLock
lock = TrainingLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path):
    run_dir = tmp_path / "runs" / "7"
    assert not is_training(run_dir)  # no lock file at all
    with TrainingLock(run_dir):
        assert is_training(run_dir)
        with pytest.raises(WsadError, match="run 7 is being trained by another process"):
            TrainingLock(run_dir).acquire()
    assert not is_training(run_dir)
    with TrainingLock(run_dir):  # and it can be taken again
        assert is_training(run_dir)


def test_the_lock_goes_when_its_process_is_killed(tmp_path):
    run_dir = tmp_path / "runs" / "3"
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        assert is_training(run_dir)
    finally:
        child.kill()  # SIGKILL: no handler, no cleanup
        child.wait(timeout=30)
    assert not is_training(run_dir)


def test_orphaned_running_runs_are_settled_as_stopped(project):
    orphan = project.create_run("killed", {})
    project.update_run(orphan.id, status="running")
    live = project.create_run("live", {})
    project.update_run(live.id, status="running")
    finished = project.create_run("finished", {})
    project.update_run(finished.id, status="done")
    with TrainingLock(project.run_dir(live.id)):
        assert settle_orphaned_runs(project) == [orphan.id]
        statuses = {run.name: (run.status, run.error) for run in project.runs()}
    assert statuses == {"killed": ("stopped", ORPHAN_ERROR), "live": ("running", None), "finished": ("done", None)}
    assert settle_orphaned_runs(project) == [live.id]  # its holder has let go without a status


def test_wsad_runs_lists_an_orphan_as_stopped_with_the_reason(project, wsad):
    run = project.create_run("killed", {"model": "cpu-tiny"})
    project.update_run(run.id, status="running")
    status, out, _ = wsad("runs", "-p", project.root)
    assert status == 0
    assert "stopped" in out and "running" not in out
    assert project.run(run.id).error == ORPHAN_ERROR
