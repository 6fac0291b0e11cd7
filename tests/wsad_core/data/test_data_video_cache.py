import numpy as np

from wsad_core.data import video_cache
from wsad_core.data.video_cache import (
    DEFAULT_BUDGET_BYTES,
    MEMORY_SHARE,
    DecodedVideo,
    Preloaded,
    VideoCache,
    available_memory_bytes,
    memory_budget,
)
from wsad_core.video import VideoReader, write_video


def test_a_decoded_video_reads_the_same_frames_as_the_reader(tmp_path):
    rng = np.random.default_rng(0)
    path = write_video(tmp_path / "v.mp4", (rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(30)))
    cache = VideoCache()
    decoded = cache.get(str(path))
    assert isinstance(decoded, DecodedVideo) and cache.get(str(path)) is decoded
    with VideoReader(path) as reader:
        for centre, n, stride in [(0, 8, 2), (15, 8, 2), (29, 4, 3), (10, 1, 1)]:
            assert np.array_equal(decoded.read_clip(centre, n, stride), reader.read_clip(centre, n, stride))
        assert np.array_equal(decoded.read_frame(7), reader.read_frame(7))


def test_large_videos_and_those_past_the_budget_are_read_by_seeking(tmp_path):
    paths = [
        str(write_video(tmp_path / f"v{i}.mp4", (np.full((48, 64, 3), i * 40, np.uint8) for _ in range(10))))
        for i in range(3)
    ]
    frame_bytes = 48 * 64 * 3 * 10
    small_budget = VideoCache(budget_bytes=2 * frame_bytes, max_video_bytes=frame_bytes)
    first, second, third = (small_budget.get(path) for path in paths)
    assert isinstance(first, DecodedVideo) and isinstance(second, DecodedVideo)
    # The third does not push out the first two (an epoch's cycle over more videos than fit
    # would otherwise decode every one again): it is read by seeking, and the same reader is kept.
    assert isinstance(third, VideoReader) and small_budget.get(paths[2]) is third
    assert small_budget.get(paths[0]) is first and small_budget.get(paths[1]) is second
    clip = third.read_clip(5, 4, 2)
    assert clip.shape == (4, 48, 64, 3) and abs(float(clip.mean()) - 80) < 3
    too_big = VideoCache(max_video_bytes=frame_bytes - 1)
    assert isinstance(too_big.get(paths[0]), VideoReader)
    too_big.close()


def test_a_video_cached_at_the_model_size_holds_the_resized_frames(tmp_path):
    from wsad_core.data.transforms import resize_frames

    rng = np.random.default_rng(1)
    path = write_video(tmp_path / "v.mp4", (rng.integers(0, 255, (60, 80, 3), dtype=np.uint8) for _ in range(12)))
    cache = VideoCache()
    small = cache.get(str(path), short_side=30)
    assert small.frames.shape == (12, 30, 40, 3)
    assert cache.get(str(path)) is not small  # full size is another entry
    with VideoReader(path) as reader:
        expected = resize_frames(reader.read_clip(6, 4, 2), 30)
    assert np.array_equal(small.read_clip(6, 4, 2), expected)


def test_preload_decodes_in_order_while_the_budget_lasts(tmp_path):
    rng = np.random.default_rng(2)
    paths = [
        str(write_video(tmp_path / f"v{i}.mp4", (rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(10))))
        for i in range(4)
    ]
    resized_bytes = 24 * 32 * 3 * 10
    cache = VideoCache(budget_bytes=2 * resized_bytes)
    report = cache.preload([paths[0], paths[0], paths[1], paths[2], paths[3]], short_side=24, threads=2)
    assert report == Preloaded(videos=4, held=2, held_bytes=2 * resized_bytes, over_budget=2,
                               needed_bytes=4 * resized_bytes)
    assert not report.complete
    first, second, third = (cache.get(path, short_side=24) for path in paths[:3])
    assert isinstance(first, DecodedVideo) and isinstance(second, DecodedVideo)
    assert isinstance(third, VideoReader)  # past the budget: read by seeking, as get() would
    fresh = VideoCache().get(paths[1], short_side=24)
    assert np.array_equal(second.frames, fresh.frames)  # the same frames as a decode on demand
    again = cache.preload(paths[:2], short_side=24)  # already held: nothing decoded again
    assert again.complete and (again.videos, again.held, again.held_bytes) == (2, 2, 2 * resized_bytes)
    cache.close()


def test_the_budget_is_a_share_of_the_memory_available(tmp_path, monkeypatch):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       32000000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n")
    assert available_memory_bytes(meminfo) == 20000000 * 1024
    available = 20000000 * 1024
    assert memory_budget(available=available) == int(available * MEMORY_SHARE)
    assert memory_budget(processes=4, available=available) == int(available * MEMORY_SHARE) // 4
    # Without /proc/meminfo, the free pages; a machine that cannot tell gets the fixed default.
    assert available_memory_bytes(tmp_path / "missing") > 0
    monkeypatch.setattr(video_cache, "available_memory_bytes", lambda: None)
    assert memory_budget(processes=2) == DEFAULT_BUDGET_BYTES // 2
