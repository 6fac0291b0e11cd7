"""A trained run with stored predictions, built once (synthetic tiny world, CPU, random init)."""

import shutil

import pytest

from wsad_core.cli import main
from wsad_core.infer.predict import PredictOptions, predict_run
from wsad_core.project import Project
from wsad_core.train import make_config, train


@pytest.fixture(scope="session")
def predicted_world(tmp_path_factory):
    """(project root, run id): 2 training steps, then predictions on every video."""
    root = tmp_path_factory.mktemp("predicted") / "project"
    assert main(["synth", "demo", str(root), "--preset", "tiny", "--seed", "2"]) == 0
    with Project.open(root) as project:
        config = make_config(["model=cpu-tiny", "data.train_split=null", "data.tubelet_length=8", "max_steps=2"])
        run = train(project, config, stdout=None)
        predict_run(project, run.id, PredictOptions(tubelet_stride=2, batch_size=32))
    return root, run.id


@pytest.fixture
def predicted_project(predicted_world, tmp_path):
    """A private copy of the predicted project (its videos stay shared and read-only)."""
    root, run = predicted_world
    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("world"))
    return copy, run
