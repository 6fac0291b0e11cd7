"""A documentation picture of the demo world: frames with ground-truth boxes and labels.

Usage: ``python -m wsad_core.synthetic.picture OUT.png [--seed N]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from wsad_core.synthetic.config import get_preset
from wsad_core.synthetic.render import render_frames
from wsad_core.synthetic.scene import VideoScene, simulate_video
from wsad_core.synthetic.world import scene_rng

_SCALE = 2
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _busiest_frame(scene: VideoScene) -> tuple[int, int]:
    """(number of visible labels, frame) of the frame with the most labels and people."""
    labels = scene.labels().sum(axis=(1, 2))
    people = scene.visible.sum(axis=1)
    frame = int(np.argmax(labels * 10 + people))
    return int(labels[frame] * 10 + people[frame]), frame


def _free_spot(x: int, y: int, w: int, h: int, taken: list[tuple[int, int, int, int]]) -> int:
    """The first ``y`` at or below the given one where a ``w`` x ``h`` label hits no taken label."""
    while any(x < tx + tw and tx < x + w and y < ty + th and ty < y + h for tx, ty, tw, th in taken):
        y += h
    return y


def annotated_frame(scene: VideoScene, frame: int, scale: int = _SCALE) -> np.ndarray:
    """Frame ``frame`` of ``scene`` enlarged ``scale`` times, with each person's box and actions."""
    for index, image in enumerate(render_frames(scene)):
        if index == frame:
            break
    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    labels: list[tuple[int, int, int, int, str, tuple[int, int, int]]] = []
    for person, figure in enumerate(scene.figures):
        box = scene.boxes[frame, person]
        if np.isnan(box[0]):
            continue
        x1, y1, x2, y2 = (int(round(v * scale)) for v in box)
        names = scene.action_names(frame, person)
        color = (255, 255, 255) if names else (150, 150, 150)
        cv2.rectangle(big, (x1, y1), (x2 - 1, y2 - 1), color, 2)
        text = f"p{person}: " + ("+".join(names) if names else ("bystander" if figure.bystander else "-"))
        (tw, th), _ = cv2.getTextSize(text, _FONT, 0.35, 1)
        labels.append((max(0, min(x1, big.shape[1] - tw - 4)), max(0, y1 - th - 7), tw + 4, th + 7, text, color))
    taken: list[tuple[int, int, int, int]] = []
    for x, y, w, h, text, color in labels:
        y = _free_spot(x, y, w, h, taken)
        taken.append((x, y, w, h))
        cv2.rectangle(big, (x, y), (x + w, y + h), (0, 0, 0), -1)
        cv2.putText(big, text, (x + 2, y + h - 4), _FONT, 0.35, color, 1, cv2.LINE_AA)
    caption = f"{scene.video_id} t={frame / scene.fps:.2f}s"
    cv2.putText(big, caption, (6, big.shape[0] - 8), _FONT, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
    return big


def demo_picture(seed: int = 0, tiles: int = 4) -> np.ndarray:
    """A 2-column grid of the busiest frames of the demo preset's first videos (RGB)."""
    config = get_preset("demo")
    scenes = [simulate_video(config, scene_rng(seed, index), f"synth_{index:04d}") for index in range(config.videos)]
    busiest = [(*_busiest_frame(scene), index) for index, scene in enumerate(scenes)]
    ranked = sorted(busiest, key=lambda item: (-item[0], item[2]))
    chosen = sorted(ranked[:tiles], key=lambda item: item[2])
    images = [
        cv2.copyMakeBorder(annotated_frame(scenes[index], frame), 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        for _, frame, index in chosen
    ]
    rows = [np.concatenate(images[i : i + 2], axis=1) for i in range(0, len(images) - 1, 2)]
    return np.concatenate(rows, axis=0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    picture = demo_picture(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(args.out), cv2.cvtColor(picture, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise SystemExit(f"could not write {args.out}")
    print(args.out)


if __name__ == "__main__":
    main()
