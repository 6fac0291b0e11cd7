"""The reproduction's counterpart of the paper's Kinetics-pretrained backbone.

The paper's SlowFast starts from Kinetics: clips trimmed around a person doing an action and
labelled by hand, on largely the same actions as UCF101-24, no boxes. Here a world of another
seed plays Kinetics: the annotated actors' true boxes in the frames where they act, and
nothing else, each clip labelled with its video's action (``actor-clips``). A naive run on
them trains the backbone every run of the plan starts from (only the backbone is copied;
the heads start new). No video of the table's worlds is seen, and no negative: the
pretraining never learns who is a bystander.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from wsad_core.files import atomic_output
from wsad_core.formats import AvaRow
from wsad_core.synthetic.detector import Detection
from wsad_core.synthetic.export import detection_rows
from wsad_core.synthetic.scene import VideoScene

PRETRAINING_KINDS = ("actor-clips",)

#: A seed the table's worlds do not use by default (they take 0-3): the pretraining world.
DEFAULT_PRETRAIN_SEED = 100


def actor_clip_rows(scenes: list[VideoScene]) -> list[AvaRow]:
    """The actors' true boxes in every frame where they do a labelled action, score 1, as a
    person-box file: trimmed action clips, one person each."""
    rows: list[AvaRow] = []
    for scene in scenes:
        acting = scene.labels().any(axis=2)
        boxes = [Detection(int(frame), tuple(scene.boxes[frame, person]), 1.0, int(person))
                 for frame, person in zip(*np.nonzero(acting))]
        rows.extend(detection_rows(scene, boxes))
    return rows


def pretraining_overrides(model: str, epochs: int, lr: float, detections: str) -> tuple[str, ...]:
    """The pretraining run: naive (each clip takes its video's label) on every video of the
    world, no validation split, the table's bag sampling."""
    return (f"model={model}", "mode=naive", "loss=bce", f"data.detections={detections}", "data.train_split=null",
            f"epochs={epochs}", f"optim.lr={lr:g}", "seed=0", "data.bags_per_batch=4", "data.tubelets_per_bag=4")


def backbone_path(out: Path, kind: str, seed: int, epochs: int) -> Path:
    """Where a reproduction keeps its pretrained checkpoint (its runs name this file)."""
    return Path(out) / "pretrained" / f"{kind}-seed{seed}-{epochs}ep.pt"


def keep_backbone(checkpoint: Path, target: Path) -> Path:
    """Copy a finished pretraining run's checkpoint to ``target`` (atomically)."""
    with atomic_output(target, force=True) as temp:
        shutil.copyfile(checkpoint, temp)
    return target
