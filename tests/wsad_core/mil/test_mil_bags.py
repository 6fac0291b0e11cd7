import numpy as np
import pytest

from wsad_core.mil import BagSampler, ClipSpan, bag_report, make_bags
from wsad_core.tubes import Tubelet


def tubelet(start, track=0, k=16):
    frames = np.arange(start, start + k)
    return Tubelet(track, frames, np.tile([0.1, 0.1, 0.5, 0.5], (k, 1)), 0.9)


def test_a_bag_holds_the_tubelets_centred_in_its_clip():
    tubelets = {"v": [tubelet(s) for s in (0, 10, 30, 42)]}  # centres 8, 18, 38, 50
    clips = [
        ClipSpan(1, "v", 0.0, 2.0, 10.0, ("walk",)),   # frames 0-19
        ClipSpan(2, "v", 2.0, 4.0, 10.0, ()),          # frames 20-39
        ClipSpan(3, "v", 4.0, 5.0, 10.0, ("wave",)),   # frames 40-49: centre 50 is outside
        ClipSpan(4, "w", 0.0, 5.0, 10.0, ("jump",)),   # no tubelets at all
    ]
    bags = make_bags(clips, tubelets)
    assert [[t.centre_frame for t in bag.tubelets] for bag in bags] == [[8, 18], [38], [], []]
    assert bags[0].labels == ("walk",)
    report = bag_report(bags)
    assert (report.bags, report.empty_bags, report.tubelets, report.max_tubelets) == (4, 2, 3, 2)
    assert report.mean_tubelets == pytest.approx(0.75)


def test_the_sampler_draws_at_most_m_uniformly_and_deterministically():
    bag = make_bags([ClipSpan(1, "v", 0, 100, 10, ("x",))], {"v": [tubelet(s) for s in range(0, 900, 10)]})[0]
    sampler = BagSampler(m=4, seed=7)
    first = sampler.sample(bag, epoch=0, index=3)
    assert len(first) == 4 and len({t.centre_frame for t in first}) == 4
    centres = [t.centre_frame for t in first]
    assert centres == [t.centre_frame for t in BagSampler(m=4, seed=7).sample(bag, epoch=0, index=3)]
    assert centres != [t.centre_frame for t in sampler.sample(bag, epoch=1, index=3)]
    counts = np.zeros(len(bag.tubelets))
    for epoch in range(2000):
        for t in sampler.sample(bag, epoch=epoch, index=0):
            counts[t.centre_frame // 10] += 1
    expected = 2000 * 4 / len(bag.tubelets)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_small_bags_are_used_whole():
    bag = make_bags([ClipSpan(1, "v", 0, 10, 10, ("x",))], {"v": [tubelet(0), tubelet(40)]})[0]
    assert BagSampler(m=4).sample(bag, epoch=0, index=0) == bag.tubelets
