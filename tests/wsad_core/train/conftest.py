import shutil

import pytest

from wsad_core.cli import main


@pytest.fixture(scope="session")
def tiny_world_project(tmp_path_factory):
    """A project built once from the synthetic `tiny` world (videos, labels, detections)."""
    root = tmp_path_factory.mktemp("tiny") / "project"
    assert main(["synth", "demo", str(root), "--preset", "tiny", "--seed", "1"]) == 0
    return root


@pytest.fixture
def tiny_project(tiny_world_project, tmp_path):
    """A private copy of the tiny project (its videos stay shared and read-only)."""
    copy = tmp_path / "project"
    shutil.copytree(tiny_world_project, copy, ignore=shutil.ignore_patterns("world"))
    return copy
