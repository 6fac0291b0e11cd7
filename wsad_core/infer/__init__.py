"""Inference: a trained run's scores for person boxes and tubelets, action tubes, stored predictions."""

from wsad_core.infer.predict import LinkingOptions, PredictOptions, predict_run
from wsad_core.infer.score import FrameInstance, ScoredInstance, frame_instances, load_run_model, score_instances

__all__ = [
    "FrameInstance",
    "LinkingOptions",
    "PredictOptions",
    "ScoredInstance",
    "frame_instances",
    "load_run_model",
    "predict_run",
    "score_instances",
]
