from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.frame import PictureType

from wsad_core.video import write_video


def _decode(path: Path) -> tuple[list[int], list[bool], list[np.ndarray], Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        rate = stream.average_rate
    types = [int(frame.pict_type) for frame in frames]
    keys = [frame.key_frame for frame in frames]
    return types, keys, [frame.to_ndarray(format="rgb24") for frame in frames], rate


@pytest.mark.parametrize("b_frames", [2, 3])
def test_writes_b_frames_and_keyframes_exactly_every_interval(tmp_path, draw_number, read_number, b_frames):
    path = write_video(
        tmp_path / "gop.mp4",
        (draw_number(i) for i in range(47)),
        keyframe_interval=10,
        b_frames=b_frames,
    )

    types, keys, frames, _ = _decode(path)

    assert len(frames) == 47
    assert PictureType.B in types
    assert [i for i, key in enumerate(keys) if key] == [0, 10, 20, 30, 40]
    assert [read_number(frame) for frame in frames] == list(range(47))


def test_writes_no_b_frames_when_none_asked(tmp_path, draw_number):
    path = write_video(tmp_path / "ip.mp4", [draw_number(i) for i in range(12)], b_frames=0)

    types, _, _, _ = _decode(path)

    assert PictureType.B not in types


def test_keeps_a_fractional_frame_rate(tmp_path, draw_number):
    path = write_video(tmp_path / "ntsc.mp4", [draw_number(i) for i in range(6)], fps=30000 / 1001)

    _, _, _, rate = _decode(path)

    assert rate == Fraction(30000, 1001)


def test_frames_survive_encoding_closely(tmp_path):
    rng = np.random.default_rng(1)
    smooth = [np.full((48, 64, 3), value, np.uint8) for value in rng.integers(20, 230, 8)]
    path = write_video(tmp_path / "grey.mkv", smooth, crf=10)

    _, _, frames, _ = _decode(path)

    for written, decoded in zip(smooth, frames, strict=True):
        assert np.abs(written.astype(int) - decoded.astype(int)).max() <= 3


def test_returns_the_path_and_accepts_str(tmp_path, draw_number):
    path = write_video(str(tmp_path / "out.mp4"), [draw_number(0), draw_number(1)])

    assert path == tmp_path / "out.mp4"
    assert path.stat().st_size > 0


def test_other_codecs_get_the_same_gop(tmp_path, draw_number):
    path = write_video(
        tmp_path / "mpeg4.avi",
        (draw_number(i) for i in range(20)),
        codec="mpeg4",
        keyframe_interval=100,
        b_frames=2,
    )

    types, _, frames, _ = _decode(path)

    assert len(frames) == 20
    assert PictureType.B in types


@pytest.mark.parametrize("size", [(63, 48), (64, 47)])
def test_rejects_odd_sizes(tmp_path, size):
    width, height = size
    with pytest.raises(ValueError, match="even"):
        write_video(tmp_path / "odd.mp4", [np.zeros((height, width, 3), np.uint8)])
    assert not (tmp_path / "odd.mp4").exists()


@pytest.mark.parametrize(
    "bad",
    [np.zeros((48, 64, 3), np.float32), np.zeros((48, 64), np.uint8), np.zeros((48, 64, 4), np.uint8)],
)
def test_rejects_frames_that_are_not_rgb_uint8(tmp_path, bad):
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        write_video(tmp_path / "bad.mp4", [bad])


def test_rejects_a_size_change_and_removes_the_partial_file(tmp_path, draw_number):
    frames = [draw_number(0), draw_number(1), draw_number(2, 32, 24)]

    with pytest.raises(ValueError, match="frame 2 is 32x24, expected 64x48"):
        write_video(tmp_path / "partial.mp4", frames)
    assert not (tmp_path / "partial.mp4").exists()


def test_rejects_no_frames(tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        write_video(tmp_path / "empty.mp4", [])


@pytest.mark.parametrize("options", [{"keyframe_interval": 0}, {"b_frames": -1}, {"fps": 0}])
def test_rejects_impossible_settings(tmp_path, draw_number, options):
    with pytest.raises(ValueError):
        write_video(tmp_path / "bad.mp4", [draw_number(0)], **options)
