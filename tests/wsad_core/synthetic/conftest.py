"""Generated worlds and hand-built scenes shared by the synthetic-world tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from wsad_core.synthetic import NEUTRAL, Figure, VideoScene, WorldConfig, WorldManifest, generate_world, get_preset
from wsad_core.synthetic.scene import scene_from_figures

SceneFactory = Callable[..., VideoScene]


def _generate(root: Path, name: str, seed: int) -> WorldManifest:
    started = time.perf_counter()
    manifest = generate_world("tiny", root / name, seed=seed)
    frames = sum(video.frames for video in manifest.videos)
    elapsed = time.perf_counter() - started
    print(f"\ntiny world (seed {seed}): {len(manifest.videos)} videos, {frames} frames in {elapsed:.2f} s")
    return manifest


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> WorldManifest:
    return _generate(tmp_path_factory.mktemp("worlds"), "seed0", 0)


@pytest.fixture(scope="session")
def tiny_world_again(tmp_path_factory: pytest.TempPathFactory) -> WorldManifest:
    return _generate(tmp_path_factory.mktemp("worlds"), "seed0-again", 0)


@pytest.fixture(scope="session")
def tiny_world_other_seed(tmp_path_factory: pytest.TempPathFactory) -> WorldManifest:
    return _generate(tmp_path_factory.mktemp("worlds"), "seed1", 1)


@pytest.fixture
def tiny_config() -> WorldConfig:
    return get_preset("tiny")


@pytest.fixture
def make_scene(tiny_config: WorldConfig) -> SceneFactory:
    """A scene of neutral figures on tracks given by hand: each person is a dict with
    ``x`` (per-frame centre or a constant) and optional ``segments`` ``(name, start, end)``."""

    def make(people: list[dict], nframes: int = 50, config: WorldConfig = tiny_config) -> VideoScene:
        figures = []
        for index, person in enumerate(people):
            x = np.broadcast_to(np.asarray(person.get("x", config.width / 2), float), (nframes,)).copy()
            figures.append(
                Figure(
                    person_id=index,
                    bystander=not person.get("segments"),
                    color=(200, 60 + 40 * index, 40),
                    height=person.get("height", 0.7 * config.height),
                    ground=0.95 * config.height,
                    depth=index / max(1, len(people)),
                    x=x,
                    poses=[NEUTRAL] * nframes,
                    segments=list(person.get("segments", [])),
                )
            )
        return scene_from_figures("hand", config, nframes, figures)

    return make

