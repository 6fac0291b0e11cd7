"""Inference: a trained run's scores for person boxes on chosen frames."""

from wsad_core.infer.score import FrameInstance, ScoredInstance, frame_instances, load_run_model, score_instances

__all__ = ["FrameInstance", "ScoredInstance", "frame_instances", "load_run_model", "score_instances"]
