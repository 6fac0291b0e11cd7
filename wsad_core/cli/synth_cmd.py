"""`wsad synth …`: the synthetic action world (demo, tests, benchmarks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wsad_core.cli.common import progress_bar, say
from wsad_core.errors import WsadError

app = typer.Typer(help="Generate the synthetic action world, or a project from it.", no_args_is_help=True)

PresetOption = Annotated[str, typer.Option("--preset", help="tiny, demo, bench, bench-ucf or bench-ucf-large.")]
SeedOption = Annotated[int, typer.Option("--seed", help="World seed (changes the videos, not only the order).")]


def _generate(preset: str, out: Path, seed: int, force: bool):  # noqa: ANN202
    from wsad_core.synthetic import PRESETS, generate_world

    if preset not in PRESETS:
        raise WsadError(f"unknown preset {preset!r} (one of {', '.join(PRESETS)})")
    with progress_bar(f"generating {preset}") as (bar, task):
        return generate_world(
            preset, out, seed=seed, force=force,
            progress=lambda done, total, name: bar.update(task, completed=done, total=total, item=name),
        )


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Argument(help="Folder to write the world to.")],
    preset: PresetOption = "tiny",
    seed: SeedOption = 0,
    force: Annotated[bool, typer.Option("--force", help="Write over an existing world.")] = False,
) -> None:
    """Write videos, AVA/UCF ground truth, weak labels and simulated detections."""
    manifest = _generate(preset, out, seed, force)
    frames = sum(video.frames for video in manifest.videos)
    say(f"{len(manifest.videos)} videos ({frames} frames) in {manifest.out_dir}")


@app.command("demo")
def demo(
    project_dir: Annotated[Path, typer.Argument(help="Folder of the new project.")],
    preset: PresetOption = "demo",
    seed: SeedOption = 0,
) -> None:
    """Create a project from a generated world (kept in PROJECT/world): videos, vocabulary,
    splits, video-level labels, ground-truth boxes and simulated detections."""
    from wsad_core.project import Project
    from wsad_core.synthetic.project_import import import_world

    if (project_dir / "project.db").exists():
        raise WsadError(f"{project_dir}: a project already exists here")
    manifest = _generate(preset, project_dir / "world", seed, force=False)
    with Project.create(project_dir) as project:
        report = import_world(project, manifest)
    say(
        f"project {project_dir}: {report.videos} videos, {report.labels} labels, "
        f"{report.labelled_clips} labelled clips, {report.gt_boxes} ground-truth boxes, "
        f"detections in set {report.detection_set}"
    )
