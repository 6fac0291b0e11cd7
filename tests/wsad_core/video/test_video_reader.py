from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from wsad_core.errors import VideoError
from wsad_core.video import VideoReader, read_clip, read_frame

# Videos where seeking is easy to get wrong: B-frames (decode order differs from display order),
# keyframes 30 frames apart, an NTSC rate with a stream that starts after zero, and AVI, whose
# demuxer lands after the keyframe it is asked for.
LAYOUTS = {
    "mp4-b2": dict(suffix=".mp4", b_frames=2),
    "mp4-b3": dict(suffix=".mp4", b_frames=3),
    "mkv-b3": dict(suffix=".mkv", b_frames=3),
    "ts-ntsc": dict(suffix=".ts", fps=30000 / 1001),
    "avi-mpeg4": dict(suffix=".avi", codec="mpeg4"),
}


@pytest.fixture(params=list(LAYOUTS), scope="module")
def video(request, numbered_video, decode_all) -> tuple[Path, list[np.ndarray]]:
    """A 96-frame video and its frames decoded from the start, the order every read must match."""
    path = numbered_video(frames=96, keyframe_interval=30, **LAYOUTS[request.param])
    return path, [frame.to_ndarray(format="rgb24") for frame in decode_all(path)]


def test_the_reference_decode_is_in_frame_order(video, read_number):
    _, frames = video
    assert [read_number(frame) for frame in frames] == list(range(96))


def test_ntsc_transport_stream_starts_after_zero(numbered_video):
    with av.open(str(numbered_video(".ts", frames=96, fps=30000 / 1001))) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == Fraction(30000, 1001)
        assert stream.start_time > 0


def test_iter_frames_matches_the_reference(video):
    path, frames = video
    with VideoReader(path) as reader:
        read = list(reader.iter_frames())

    assert [index for index, _ in read] == list(range(96))
    assert all(np.array_equal(rgb, frames[index]) for index, rgb in read)


def test_iter_frames_takes_a_range(video):
    path, frames = video
    with VideoReader(path) as reader:
        read = list(reader.iter_frames(40, 47))
        tail = [index for index, _ in reader.iter_frames(90, 1000)]

    assert [index for index, _ in read] == list(range(40, 47))
    assert all(np.array_equal(rgb, frames[index]) for index, rgb in read)
    assert tail == list(range(90, 96))


def test_random_order_reads_match_the_reference(video):
    path, frames = video
    order = np.random.default_rng(7).permutation(96)
    with VideoReader(path) as reader:
        for index in order:
            assert np.array_equal(reader.read_frame(index), frames[index]), f"frame {index}"


def test_backward_reads_match_the_reference(video):
    path, frames = video
    with VideoReader(path) as reader:
        for index in range(95, -1, -1):
            assert np.array_equal(reader.read_frame(index), frames[index]), f"frame {index}"


def test_reads_after_the_end_of_the_stream(video):
    path, frames = video
    with VideoReader(path) as reader:
        for index in [95, 0, 95, 94, 1, 95]:
            assert np.array_equal(reader.read_frame(index), frames[index]), f"frame {index}"


@pytest.mark.parametrize(
    ("centre", "n", "stride", "expected"),
    [
        (50, 8, 4, [34, 38, 42, 46, 50, 54, 58, 62]),
        (50, 5, 1, [48, 49, 50, 51, 52]),
        (1, 8, 2, [0, 0, 0, 0, 1, 3, 5, 7]),
        (94, 6, 3, [85, 88, 91, 94, 95, 95]),
        (0, 1, 1, [0]),
    ],
)
def test_clips_are_strided_and_clamped_at_the_ends(video, read_number, centre, n, stride, expected):
    path, frames = video
    with VideoReader(path) as reader:
        clip = reader.read_clip(centre, n, stride)

    assert clip.shape == (n, 48, 64, 3) and clip.dtype == np.uint8
    assert [read_number(frame) for frame in clip] == expected
    assert all(np.array_equal(frame, frames[index]) for frame, index in zip(clip, expected, strict=True))


class _SeekCounter:
    def __init__(self, monkeypatch):
        self.count = 0
        original = VideoReader._seek

        def seek(reader, pts):
            self.count += 1
            return original(reader, pts)

        monkeypatch.setattr(VideoReader, "_seek", seek)


def test_sequential_reads_seek_once(numbered_video, monkeypatch):
    seeks = _SeekCounter(monkeypatch)
    with VideoReader(numbered_video()) as reader:
        list(reader.iter_frames())
        assert seeks.count == 1
        reader.read_clip(40, 8, 2)  # frames 32..46: one seek to keyframe 30, then forward
        assert seeks.count == 2
        reader.read_frame(46)  # the frame just read
        reader.read_frame(55)  # ahead, with no keyframe in between
        assert seeks.count == 2


def test_reads_past_a_keyframe_seek_there(numbered_video, monkeypatch):
    seeks = _SeekCounter(monkeypatch)
    with VideoReader(numbered_video()) as reader:
        reader.read_frame(2)
        reader.read_frame(70)  # a keyframe (60) lies between: jumping there beats decoding 68 frames

        assert seeks.count == 2


def test_properties(numbered_video):
    path = numbered_video()
    with VideoReader(str(path)) as reader:
        assert reader.path == path
        assert reader.frame_count == 96
        assert reader.fps == 25.0
        assert reader.info.width == 64 and reader.info.height == 48


@pytest.mark.parametrize("index", [-1, 96, 1000])
def test_out_of_range_frames(numbered_video, index):
    with VideoReader(numbered_video()) as reader:
        with pytest.raises(IndexError, match=f"frame index {index} is out of range: .* has 96 frames"):
            reader.read_frame(index)


def test_clip_arguments_are_checked(numbered_video):
    with VideoReader(numbered_video()) as reader:
        with pytest.raises(IndexError):
            reader.read_clip(96, 4)
        with pytest.raises(ValueError):
            reader.read_clip(10, 0)
        with pytest.raises(ValueError):
            reader.read_clip(10, 4, stride=0)


def test_a_closed_reader_refuses_reads(numbered_video):
    reader = VideoReader(numbered_video())
    reader.read_frame(3)
    reader.close()
    reader.close()  # closing twice is harmless

    with pytest.raises(ValueError, match="closed"):
        reader.read_frame(0)


def test_opening_an_unusable_file_fails_early(tmp_path):
    with pytest.raises(VideoError, match="no such file"):
        VideoReader(tmp_path / "gone.mp4")


def test_module_level_conveniences(numbered_video, read_number):
    path = numbered_video()

    assert read_number(read_frame(path, 41)) == 41
    assert [read_number(frame) for frame in read_clip(path, 41, 3, stride=5)] == [36, 41, 46]


def test_random_reads_never_fall_back_to_decoding_from_the_start(video, monkeypatch):
    path, _ = video
    restarts = []
    original = VideoReader._seek

    def seek(reader, pts):
        restarts.append(pts is None)
        original(reader, pts)

    monkeypatch.setattr(VideoReader, "_seek", seek)
    with VideoReader(path) as reader:
        for index in np.random.default_rng(3).permutation(96)[:30]:
            reader.read_frame(index)

    assert restarts and not any(restarts)


def test_b_frame_h264_seeks_land_on_the_keyframe(numbered_video, decode_all, read_number, monkeypatch):
    """H.264 MP4 with B-frames: a seek by the keyframe's presentation timestamp lands on that
    keyframe (a seek by its decoding timestamp landed one keyframe interval early), and random
    reads still give the frames of a decode from the start."""
    path = numbered_video(frames=96, keyframe_interval=30, suffix=".mp4", b_frames=3)
    reference = [frame.to_ndarray(format="rgb24") for frame in decode_all(path)]
    decoded_after_seek: list[list[int]] = []  # frames decoded after each seek of one read
    original = VideoReader._seek

    def seek(reader, pts):
        original(reader, pts)
        count = [0]
        decoded_after_seek.append(count)
        frames = reader._decoded

        def counted():
            for frame in frames:
                count[0] += 1
                yield frame

        reader._decoded = counted()

    monkeypatch.setattr(VideoReader, "_seek", seek)
    indices = [int(i) for i in np.random.default_rng(5).permutation(96)[:40]]
    with VideoReader(path) as reader:
        for index in indices:
            decoded_after_seek.clear()
            frame = reader.read_frame(index)
            assert np.array_equal(frame, reference[index]) and read_number(frame) == index
            if decoded_after_seek:
                assert len(decoded_after_seek) == 1, f"frame {index}: fell back to another seek"
                assert decoded_after_seek[0][0] <= index % 30 + 1, f"frame {index}: landed early"
