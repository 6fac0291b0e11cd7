import numpy as np

from wsad_core.tubes import FrameDetections, cut_tubelets, deduplicate_tubelets, link_tracks


def two_people(frames=30, missing=()):
    """Person A walks right along y=0.1; person B stands at x=0.6; rows in shuffled order."""
    rows = []
    for f in range(frames):
        rows.append((f, [0.01 * f, 0.1, 0.01 * f + 0.2, 0.5], 0.9))
        if f not in missing:
            rows.append((f, [0.6, 0.2, 0.8, 0.6], 0.8))
    rng = np.random.default_rng(0)
    rng.shuffle(rows)
    frames, boxes, scores = zip(*rows)
    return FrameDetections(np.array(frames), np.array(boxes, dtype=float), np.array(scores))


def test_two_people_become_two_tracks():
    tracks = link_tracks(two_people())
    assert len(tracks) == 2
    a, b = tracks
    assert a.frames == list(range(30)) and b.frames == list(range(30))
    assert np.allclose(a.boxes[-1], [0.29, 0.1, 0.49, 0.5])
    assert np.allclose(b.boxes[0], [0.6, 0.2, 0.8, 0.6])


def test_a_short_gap_is_bridged_and_a_long_one_splits_the_track():
    bridged = link_tracks(two_people(missing={10, 11, 12}), max_gap=5)
    assert len(bridged) == 2
    split = link_tracks(two_people(missing=set(range(10, 20))), max_gap=5)
    assert len(split) == 3


def test_tubelets_start_on_every_frame_then_overlaps_are_removed():
    tracks = link_tracks(two_people(frames=30))
    tubelets = cut_tubelets(tracks, k=16)
    assert len(tubelets) == 2 * (30 - 16 + 1)
    first = tubelets[0]
    assert list(first.frames) == list(range(16)) and first.centre_frame == 8
    kept = deduplicate_tubelets(tubelets)
    # B stands still: windows d frames apart have ST-IoU (16-d)/(16+d), below 0.5 from d=6.
    b_starts = [int(t.frames[0]) for t in kept if t.track_id == 1]
    assert b_starts == [0, 6, 12]
    assert {t.track_id for t in kept} == {0, 1}


def test_gaps_are_interpolated_inside_tubelets():
    tracks = link_tracks(two_people(frames=20, missing={5, 6}))
    b = tracks[1]
    assert 5 not in b.frames
    tubelet = cut_tubelets([b], k=16)[0]
    assert list(tubelet.frames) == list(range(16))
    assert np.allclose(tubelet.boxes[5], [0.6, 0.2, 0.8, 0.6])
