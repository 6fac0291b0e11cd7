"""A run's model is rebuilt with the preset it was trained with, whatever the registry says now."""

import dataclasses

import torch

from wsad_core.infer import load_run_model
from wsad_core.model import MODEL_PRESETS, get_preset, register_preset
from wsad_core.project import Project
from wsad_core.train.checkpoint import load_checkpoint, save_checkpoint


def test_the_checkpoint_preset_wins_over_a_changed_registry(predicted_project):
    root, run = predicted_project
    trained = get_preset("cpu-tiny")
    with Project.open(root) as project:
        path = project.run_dir(run) / "checkpoints" / "last.pt"
        assert load_checkpoint(path)["preset"]["roi_pool_grid"] == trained.roi_pool_grid
        original = MODEL_PRESETS["cpu-tiny"]
        register_preset(dataclasses.replace(trained, roi_pool_grid=1, stem_dim_out=16))
        try:
            model, preset, _, _ = load_run_model(project, run)
        finally:
            register_preset(original)
    assert preset == trained and model.classifier.in_features == model.backbone.out_channels * 9


def test_a_checkpoint_without_a_preset_uses_the_named_one(predicted_project):
    root, run = predicted_project
    with Project.open(root) as project:
        path = project.run_dir(run) / "checkpoints" / "last.pt"
        state = load_checkpoint(path)
        del state["preset"]
        save_checkpoint(path, state)
        model, preset, _, _ = load_run_model(project, run)
    assert preset == get_preset("cpu-tiny")
    assert torch.equal(model.classifier.weight, state["model"]["classifier.weight"])
