import hashlib
import os
from pathlib import Path

import av
import numpy as np
import pytest

from wsad_core.errors import VideoError
from wsad_core.video import (
    VIDEO_EXTENSIONS,
    VideoInfo,
    find_video_files,
    fingerprint_file,
    probe_video,
)


def _copy_truncated(source: Path, target: Path, fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def _remux(source: Path, target: Path, **options: str) -> Path:
    with av.open(str(source)) as inp, av.open(str(target), "w", options=options) as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.size:
                packet.stream = stream
                out.mux(packet)
    return target


def _video_without_frames(path: Path, codec: str, **options: str) -> Path:
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        container.start_encoding()
    return path


def _audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        for index in range(8):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, index * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _probe_error(path: Path) -> str:
    with pytest.raises(VideoError) as caught:
        probe_video(path)
    assert caught.value.path == str(path)
    return caught.value.reason


# --- what a good video is ---------------------------------------------------------------------


def test_probes_an_mp4_from_its_metadata(numbered_video):
    info = probe_video(numbered_video(".mp4", frames=96, size=(64, 48)))

    assert info == VideoInfo(fps=25.0, frame_count=96, duration=3.84, width=64, height=48, codec="h264")


def test_counts_packets_when_the_container_has_no_frame_count(numbered_video):
    path = numbered_video(".mkv", frames=96)
    with av.open(str(path)) as container:
        assert container.streams.video[0].frames == 0  # the premise: Matroska stores no count

    info = probe_video(path)

    assert info.frame_count == 96
    assert info.duration == pytest.approx(3.84)


def test_reads_a_fractional_rate_with_a_nonzero_start(numbered_video):
    path = numbered_video(".ts", frames=96, fps=30000 / 1001)

    info = probe_video(path)

    assert info.fps == pytest.approx(30000 / 1001)
    assert info.frame_count == 96
    assert info.duration == pytest.approx(96 * 1001 / 30000)


def test_accepts_a_str_path(numbered_video):
    assert probe_video(str(numbered_video())).frame_count == 96


# --- why a video is unusable ------------------------------------------------------------------


def test_missing_file(tmp_path):
    assert _probe_error(tmp_path / "gone.mp4") == "no such file"


def test_folder(tmp_path):
    assert "folder" in _probe_error(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    assert _probe_error(path) == "file is empty"


def test_text_file_named_like_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("these are not frames\n" * 50)
    assert "cannot be opened as a video" in _probe_error(path)


def test_audio_only_file(tmp_path):
    assert _probe_error(_audio_only(tmp_path / "song.m4a")) == "no video stream (found only audio)"


@pytest.mark.parametrize(
    ("name", "codec", "options"),
    [("empty.avi", "mpeg4", {}), ("empty.mp4", "libx264", {"movflags": "empty_moov"})],
)
def test_video_stream_without_frames(tmp_path, name, codec, options):
    path = _video_without_frames(tmp_path / name, codec, **options)
    assert _probe_error(path) == "video stream has no frames"


def test_mp4_cut_before_its_index(tmp_path, numbered_video):
    path = _copy_truncated(numbered_video(".mp4"), tmp_path / "cut.mp4")
    assert "MP4/MOV file is incomplete" in _probe_error(path)


def test_fast_start_mp4_cut_in_half(tmp_path, numbered_video):
    whole = _remux(numbered_video(".mp4"), tmp_path / "faststart.mp4", movflags="faststart")
    assert probe_video(whole).frame_count == 96  # the index is at the front: it still opens...
    path = _copy_truncated(whole, tmp_path / "cut.mp4")

    assert "truncated" in _probe_error(path)  # ...but the frames it lists are gone


@pytest.mark.parametrize("suffix", [".mkv", ".avi"])
def test_cut_files_that_declare_their_length(tmp_path, numbered_video, suffix):
    codec = "mpeg4" if suffix == ".avi" else "libx264"
    path = _copy_truncated(numbered_video(suffix, codec=codec), tmp_path / f"cut{suffix}")
    assert "truncated" in _probe_error(path)


def test_codec_without_a_decoder(tmp_path, numbered_video):
    data = numbered_video(".mkv").read_bytes()
    assert data.count(b"V_MPEG4/ISO/AVC") == 1
    path = tmp_path / "unknown.mkv"
    path.write_bytes(data.replace(b"V_MPEG4/ISO/AVC", b"V_UNKNOWN/X/ABC"))

    assert "no decoder" in _probe_error(path)


def test_frames_the_codec_cannot_decode(tmp_path, numbered_video):
    source = numbered_video(".mp4")
    with av.open(str(source)) as container:
        payloads = [(packet.pos, packet.size) for packet in container.demux(video=0) if packet.size]
    data = bytearray(source.read_bytes())
    noise = np.random.default_rng(0)
    for position, size in payloads:
        data[position : position + size] = noise.integers(0, 256, size, dtype=np.uint8).tobytes()
    path = tmp_path / "noise.mp4"
    path.write_bytes(bytes(data))

    assert "h264 video cannot be decoded" in _probe_error(path)


# --- fingerprints -----------------------------------------------------------------------------


def test_small_files_are_hashed_whole(tmp_path):
    path = tmp_path / "small.bin"
    path.write_bytes(b"abc" * 10)

    assert fingerprint_file(path) == "s3:" + hashlib.sha256(b"30:" + b"abc" * 10).hexdigest()


def test_fingerprint_depends_on_content_not_name(tmp_path):
    data = bytes(range(256)) * 40
    first, second = tmp_path / "a.mp4", tmp_path / "b.mov"
    first.write_bytes(data)
    second.write_bytes(data)

    assert fingerprint_file(first, chunk=64) == fingerprint_file(second, chunk=64)


@pytest.mark.parametrize("offset", [0, 5120 - 32, 10239])
def test_sampled_bytes_change_the_fingerprint(tmp_path, offset):
    path = tmp_path / "v.mp4"
    data = bytearray(os.urandom(10240))
    path.write_bytes(data)
    before = fingerprint_file(path, chunk=64)
    data[offset] ^= 0xFF
    path.write_bytes(data)

    assert fingerprint_file(path, chunk=64) != before


def test_bytes_between_samples_are_not_read(tmp_path):
    """The documented trade-off: only the size and three chunks count."""
    path = tmp_path / "v.mp4"
    data = bytearray(os.urandom(10240))
    path.write_bytes(data)
    before = fingerprint_file(path, chunk=64)
    data[1000] ^= 0xFF
    path.write_bytes(data)

    assert fingerprint_file(path, chunk=64) == before


def test_size_changes_the_fingerprint(tmp_path):
    path = tmp_path / "v.mp4"
    path.write_bytes(bytes(10240))
    before = fingerprint_file(path, chunk=64)
    path.write_bytes(bytes(10241))

    assert fingerprint_file(path, chunk=64) != before


def test_fingerprint_of_a_missing_file(tmp_path):
    with pytest.raises(VideoError, match="no such file"):
        fingerprint_file(tmp_path / "gone.mp4")


# --- finding video files ----------------------------------------------------------------------


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    for name in [
        "a.mp4",
        "B.MKV",
        "notes.txt",
        "sub/c.avi",
        "sub/deeper/d.WebM",
        "sub/e.json",
        "._a.mp4",
        ".cache/f.mp4",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


def test_extensions_are_lowercase_with_a_dot():
    assert all(ext.startswith(".") and ext == ext.lower() for ext in VIDEO_EXTENSIONS)
    assert {".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv"} == set(
        VIDEO_EXTENSIONS
    )


def test_walks_folders_recursively_by_suffix_skipping_hidden(library):
    found = find_video_files([library])

    assert found == [library / "B.MKV", library / "a.mp4", library / "sub/c.avi", library / "sub/deeper/d.WebM"]


def test_stays_in_the_folder_when_not_recursive(library):
    assert find_video_files([library], recursive=False) == [library / "B.MKV", library / "a.mp4"]


def test_takes_files_as_given_and_removes_duplicates(library):
    os.symlink(library / "a.mp4", library / "sub/link.mp4")

    found = find_video_files([library / "notes.txt", library / "a.mp4", str(library), library / "sub"])

    assert found == [
        library / "B.MKV",
        library / "a.mp4",
        library / "notes.txt",
        library / "sub/c.avi",
        library / "sub/deeper/d.WebM",
    ]


def test_custom_extensions(library):
    assert find_video_files([library], extensions=["json", ".TXT"]) == [
        library / "notes.txt",
        library / "sub/e.json",
    ]


def test_missing_path(library):
    with pytest.raises(VideoError, match="no such file or folder") as caught:
        find_video_files([library / "a.mp4", library / "nowhere"])
    assert caught.value.path == str(library / "nowhere")
