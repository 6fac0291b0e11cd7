"""A SIGKILL in the middle of a long import loses nothing already committed."""

import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from wsad_core.project import Project
from wsad_core.video import write_video

VIDEOS = 150


def committed_videos(db_path):
    try:
        db = sqlite3.connect(db_path, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM videos").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_sigkill_during_a_video_import(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(VIDEOS):
        noise = rng.integers(0, 255, size=(48, 64, 3), dtype=np.uint8)
        write_video(folder / f"v{index:03d}.mp4", (np.roll(noise, i, axis=1) for i in range(40)))
    root = tmp_path / "proj"
    Project.create(root).close()

    child = subprocess.Popen(
        [sys.executable, "-m", "wsad_core", "import", "videos", str(folder), "-p", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    seen = 0
    while seen < 5 and time.monotonic() < deadline and child.poll() is None:
        seen = committed_videos(root / "project.db")
        time.sleep(0.005)
    assert child.poll() is None, "the import finished before it could be killed; make it longer"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert 5 <= seen < VIDEOS

    db = sqlite3.connect(root / "project.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with Project.open(root) as project:
        videos = project.videos()
        assert seen <= len(videos) < VIDEOS
        for video in videos:
            assert video.status == "ok" and video.frame_count == 40
            assert [c.kind for c in project.clips(video=video.id)] == ["video"]
        report = project.import_videos([folder])
        assert len(report.added) == VIDEOS - len(videos)
        assert len(report.duplicates) == len(videos)
