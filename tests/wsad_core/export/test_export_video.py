"""The rendered video: the source re-encoded in H.264 with the tubes drawn."""

import numpy as np

from wsad_core.export.draw import confidence, draw_tubes
from wsad_core.project import Project
from wsad_core.project.prediction_reader import TubeBox
from wsad_core.video import VideoReader, probe_video


def test_the_rendered_video_has_every_frame_and_the_tubes_drawn(predicted_project, wsad):
    root, run = predicted_project
    with Project.open(root) as project:
        predictions = project.predictions(run)
        name = max(predictions.videos, key=lambda v: len(predictions.video(v).tubes))
        tube = max(predictions.video(name).tubes, key=lambda t: t.score)
        source = project.video(name)
    out = root / "out.mp4"
    status, stdout, _ = wsad("export", "video", run, name, out, "-p", root)
    assert status == 0 and f"{source.frame_count} frame(s)" in stdout
    info = probe_video(out)
    assert info.codec == "h264" and info.frame_count == source.frame_count
    assert (info.width, info.height) == (source.width, source.height)
    frame = int(tube.frames[len(tube.frames) // 2])
    with VideoReader(out) as drawn, VideoReader(source.path) as original:
        before, after = original.read_frame(frame), drawn.read_frame(frame)
    changed = np.abs(after.astype(int) - before.astype(int)).sum(axis=2) > 60
    near = np.zeros_like(changed)  # the tubes on this frame, with room for their label tags
    for drawn_box in predictions.tubes_at(name, frame):
        x1, y1, x2, y2 = (int(v) for v in drawn_box.box)
        near[max(0, y1 - 20):y2 + 4, :] = True  # label tags may run past the box, kept in the frame
    x1, y1, x2, y2 = (int(v) for v in tube.boxes[len(tube.frames) // 2])
    assert changed[max(0, y1 - 20):y2 + 4, max(0, x1 - 4):x2 + 8].sum() > (x2 - x1) + (y2 - y1)  # drawn there
    assert changed[near].sum() > 0.95 * changed.sum()  # and nowhere else (beyond encoding noise)
    status, _, err = wsad("export", "video", run, name, out, "-p", root)
    assert status == 1 and "already exists" in err


def test_uncertainty_fades_the_box():
    frame = np.zeros((60, 80, 3), dtype=np.uint8)

    def drawn(sigma2):
        box = TubeBox(0, 0, "wave", 0.9, 0.9, sigma2, (20.0, 20.0, 50.0, 55.0))
        return draw_tubes(frame, [box])[40, 20].astype(int).sum()  # a pixel of the left edge

    assert confidence(None) == 1.0 and confidence(0.0) == 1.0 and confidence(3.0) == 0.25
    assert drawn(0.0) > drawn(3.0) > 0
