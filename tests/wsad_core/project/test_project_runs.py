import pytest

from wsad_core.errors import ProjectError


def test_a_run_moves_through_its_statuses(project):
    run = project.create_run("first", {"model": "cpu-tiny"})
    assert (run.status, run.config) == ("queued", {"model": "cpu-tiny"})
    assert project.run_dir(run.id).is_dir()
    running = project.update_run(run.id, status="running")
    assert running.started_at is not None and running.finished_at is None
    project.update_run(run.id, metrics={"loss": 0.5})
    done = project.update_run("first", status="done", metrics={"frame_ap": 0.7})
    assert done.metrics == {"loss": 0.5, "frame_ap": 0.7} and done.finished_at is not None
    assert [r.name for r in project.runs()] == ["first"]


def test_unknown_runs_and_statuses_are_refused(project):
    with pytest.raises(ProjectError, match="no run"):
        project.run(42)
    run = project.create_run("x", {})
    with pytest.raises(ProjectError, match="unknown run status"):
        project.update_run(run.id, status="exploded")
    assert project.run(run.id).status == "queued"
