"""Bags of a project: its labelled clips filled with the tubelets of their videos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wsad_core.mil.bags import Bag, ClipSpan, make_bags
from wsad_core.project import Project
from wsad_core.tubes import Tubelet


def labelled_clip_spans(project: Project, *, split: str | None = None) -> list[ClipSpan]:
    """Every labelled clip of a usable video (optionally of one split), as bag specs."""
    videos = {v.id: v for v in project.videos(status="ok") if split is None or v.split == split}
    return [
        ClipSpan(clip.id, clip.video_name, clip.start, clip.end, videos[clip.video_id].fps, clip.labels)
        for clip in project.clips(labelled=True)
        if clip.video_id in videos
    ]


def project_bags(
    project: Project, tubelets: Mapping[str, Sequence[Tubelet]], *, split: str | None = None
) -> list[Bag]:
    return make_bags(labelled_clip_spans(project, split=split), tubelets)
