"""Training: configuration, the engine, checkpoints and progress events."""

from wsad_core.train.config import DataConfig, OptimConfig, TrainConfig, make_config
from wsad_core.train.engine import train
from wsad_core.train.events import read_events

__all__ = ["DataConfig", "OptimConfig", "TrainConfig", "make_config", "read_events", "train"]
