"""How much a Frame AP owes to which videos were held out: resampling the evaluated videos.

A test split of a few dozen videos gives every model's AP a sampling error, and models scored
on the same split share most of it. Drawing the split's videos again with replacement (the
bootstrap), with the same draws for every model, estimates both: the spread of one model's AP,
and the spread of the difference between two models, which is what a comparison of methods on
one split has to beat. Neither includes the noise of training itself (another seed, another
model): that needs more runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from wsad_core.evaluate.ava_io import AvaArrays
from wsad_core.evaluate.frame_ap import frame_ap


def rows_by_video(arrays: AvaArrays) -> dict[str, np.ndarray]:
    """Each video's row indices, found once (a bootstrap draws the same videos hundreds of times)."""
    order = np.argsort(arrays.video, kind="stable")
    bounds = np.searchsorted(arrays.video[order], np.arange(len(arrays.video_ids) + 1))
    return {name: order[bounds[i]:bounds[i + 1]] for i, name in enumerate(arrays.video_ids)}


def resample_videos(
    arrays: AvaArrays, draw: Sequence[str], rows: Mapping[str, np.ndarray] | None = None
) -> AvaArrays:
    """The rows of ``arrays`` for the videos of ``draw`` in turn, each copy its own video (a
    video drawn twice counts twice); videos ``arrays`` has no rows for add nothing. ``rows``:
    :func:`rows_by_video` of ``arrays``, when already computed."""
    rows = rows_by_video(arrays) if rows is None else rows
    empty = np.zeros(0, dtype=np.int64)
    picked = [rows.get(name, empty) for name in draw]
    taken = arrays.take(np.concatenate(picked) if picked else empty)
    copies = np.repeat(np.arange(len(draw), dtype=np.int64), [len(p) for p in picked])
    return AvaArrays(
        tuple(f"{copy}:{name}" for copy, name in enumerate(draw)),
        copies, taken.timestamps, taken.boxes, taken.actions, taken.scores,
    )


def bootstrap_frame_ap(
    gt: AvaArrays,
    detections: Mapping[str, AvaArrays],
    class_ids: Sequence[int],
    *,
    resamples: int = 200,
    seed: int = 0,
    cap: int | None = 50,
    unannotated: Literal["ignore", "false_positive"] = "false_positive",
) -> dict[str, np.ndarray]:
    """Frame AP (mean over ``class_ids``) of each entry of ``detections`` on ``resamples``
    draws of the ground truth's videos with replacement, as many as it has; entry ``i`` of
    every array is scored on the same draw, so differences between them are paired."""
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    videos = np.array(gt.video_ids, dtype=object)
    if not len(videos):
        raise ValueError("the ground truth holds no video to resample")
    rng = np.random.default_rng(seed)
    scores = {name: np.empty(resamples) for name in detections}
    gt_rows = rows_by_video(gt)
    detection_rows = {name: rows_by_video(rows) for name, rows in detections.items()}
    for i in range(resamples):
        draw = list(rng.choice(videos, size=len(videos), replace=True))
        truth = resample_videos(gt, draw, gt_rows)
        for name, rows in detections.items():
            scores[name][i] = frame_ap(truth, resample_videos(rows, draw, detection_rows[name]), class_ids,
                                       cap=cap, unannotated=unannotated).map
    return scores
