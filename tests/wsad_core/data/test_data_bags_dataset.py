import numpy as np
import torch

from wsad_core.data import BagDataset, ClipSpec, collate_bags, group_by_centre
from wsad_core.data.transforms import resize_clips
from wsad_core.mil import Bag
from wsad_core.mil import BagSampler, ClipSpan, make_bags
from wsad_core.tubes import Tubelet
from wsad_core.video import write_video

SPEC = ClipSpec(frames=4, frame_stride=2, short_side=48, mean=(0.5,) * 3, std=(0.5,) * 3)


def video_with_frame_numbers(path, frames=40, size=(64, 48)):
    width, height = size
    write_video(path, (np.full((height, width, 3), 5 * i, dtype=np.uint8) for i in range(frames)), fps=10)
    return path


def tubelet(start, box=(0.25, 0.25, 0.75, 0.75), k=8):
    return Tubelet(0, np.arange(start, start + k), np.tile(box, (k, 1)), 0.9)


def dataset(tmp_path, tubelets, m=2, train=False, size=(64, 48), name="v", resize_in_loader=True):
    path = video_with_frame_numbers(tmp_path / f"{name}.mp4", size=size)
    bags = make_bags([ClipSpan(1, name, 0, 4, 10, ("b",))], {name: tubelets})
    return BagDataset(bags, {name: path}, ["a", "b", "c"], SPEC, BagSampler(m=m, seed=0), train=train,
                      resize_in_loader=resize_in_loader)


def test_an_item_is_the_clips_around_each_sampled_tubelet(tmp_path):
    data = dataset(tmp_path, [tubelet(0), tubelet(20)])
    item = data[0]
    assert item["clips"].shape == (2, 3, 4, 48, 64)
    assert torch.equal(item["targets"], torch.tensor([[0.0, 1.0, 0.0]]))
    assert item["clip_index"].tolist() == [0, 1]
    assert item["centre_frames"].tolist() == [4, 24]
    # Frames centre + (k - 2) * 2: 0, 2, 4, 6 for the first tubelet; pixel value 5 × frame.
    assert item["clips"].dtype == torch.uint8
    grey = item["clips"][0, 0, :, 24, 32].float()
    assert torch.allclose(grey, torch.tensor([0.0, 10, 20, 30]), atol=3)
    assert torch.allclose(item["boxes"][0], torch.tensor([16.0, 12, 48, 36]))


def test_collate_numbers_clips_and_pads_bags(tmp_path):
    first = dataset(tmp_path, [tubelet(0), tubelet(10), tubelet(20)], m=3)[0]
    second = dataset(tmp_path, [tubelet(0)], size=(96, 48), name="w")[0]
    batch = collate_bags([first, second])
    assert batch.clips.shape == (4, 3, 4, 48, 96)  # padded to the wider video
    assert batch.boxes[:, 0].tolist() == [0, 1, 2, 3]
    assert batch.bag_index.tolist() == [0, 0, 0, 1]
    assert batch.mask.tolist() == [[True, True, True], [True, False, False]]
    padded = batch.pad(torch.arange(4.0)[:, None])
    assert padded[:, :, 0].tolist() == [[0, 1, 2], [3, 0, 0]]


def test_collate_records_each_clips_size_inside_its_padding(tmp_path):
    first = dataset(tmp_path, [tubelet(0), tubelet(20)])[0]
    second = dataset(tmp_path, [tubelet(0)], size=(96, 40), name="w")[0]
    batch = collate_bags([first, second])
    assert batch.clip_sizes.tolist() == [[48, 64], [48, 64], [48, 115]]  # the second one resized, unpadded


def test_a_loader_that_leaves_the_resize_to_the_device_gives_the_same_batch_once_resized(tmp_path):
    """resize_in_loader=False: clips and boxes at the video's own size (the cache holds it
    so), which resize_clips turns into the loader's own clips and boxes."""
    tubelets = [tubelet(0, box=(0.1, 0.2, 0.5, 0.9)), tubelet(20)]
    resized = dataset(tmp_path, tubelets, size=(128, 96), train=True)
    native = dataset(tmp_path, tubelets, size=(128, 96), train=True, resize_in_loader=False)
    assert native.preload().held == 1 and native._reader("v").frames.shape[1:3] == (96, 128)
    for epoch in range(4):  # flipped and not
        native.set_epoch(epoch)
        resized.set_epoch(epoch)
        at_size, small = collate_bags([resized[0]]), collate_bags([native[0]])
        assert small.clips.shape[-2:] == (96, 128) and at_size.clips.shape[-2:] == (48, 64)
        clips, boxes = resize_clips(small.clips, small.clip_sizes, small.boxes, SPEC.short_side)
        assert clips.shape == at_size.clips.shape
        assert float((clips - at_size.clips.float()).abs().max()) <= 0.5
        assert torch.allclose(boxes, at_size.boxes)


def test_training_items_change_with_the_epoch_but_repeat_for_the_same_epoch(tmp_path):
    data = dataset(tmp_path, [tubelet(s) for s in range(0, 32, 4)], m=2, train=True)
    first = data[0]["centre_frames"].tolist()
    assert data[0]["centre_frames"].tolist() == first
    seen = set()
    for epoch in range(6):
        data.set_epoch(epoch)
        seen.add(tuple(data[0]["centre_frames"].tolist()))
    assert len(seen) > 1


def test_boxes_sharing_a_centre_frame_are_read_on_one_clip(tmp_path):
    path = video_with_frame_numbers(tmp_path / "v.mp4")
    left, right = (0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0)
    bags = [
        Bag(-1, "v", ("a",), (tubelet(0, left),)),
        Bag(-1, "v", ("c",), (tubelet(8, left),)),
        Bag(-1, "v", ("b",), (tubelet(0, right),)),
    ]
    groups = group_by_centre(bags)
    assert groups == [[0, 2], [1]]
    data = BagDataset(bags, {"v": path}, ["a", "b", "c"], SPEC, BagSampler(m=1, seed=0), train=False, groups=groups)
    assert len(data) == 2
    item = data[0]
    assert item["clips"].shape[0] == 1  # two people of one keyframe, one clip
    assert item["clip_index"].tolist() == [0, 0]
    assert item["targets"].tolist() == [[1, 0, 0], [0, 1, 0]]
    assert torch.allclose(item["boxes"], torch.tensor([[0.0, 0, 32, 48], [32.0, 0, 64, 48]]))
    batch = collate_bags([data[1], item])
    assert batch.clips.shape[0] == 2
    assert batch.boxes[:, 0].tolist() == [0, 1, 1]
    assert batch.bag_index.tolist() == [0, 1, 2]
    assert batch.targets.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def test_a_flipped_item_mirrors_its_shared_clip_and_every_box_once(tmp_path):
    path = video_with_frame_numbers(tmp_path / "v.mp4")
    bags = [Bag(-1, "v", ("a",), (tubelet(0, (0.0, 0.0, 0.25, 1.0)),)), Bag(-1, "v", ("b",), (tubelet(0),))]
    data = BagDataset(bags, {"v": path}, ["a", "b"], SPEC, BagSampler(m=1, seed=0), train=True,
                      flip_probability=1.0, groups=group_by_centre(bags))
    item = data[0]
    assert item["clips"].shape[0] == 1
    assert torch.allclose(item["boxes"], torch.tensor([[48.0, 0, 64, 48], [16.0, 12, 48, 36]]))


def test_an_item_asked_with_its_epoch_is_the_item_of_that_epoch(tmp_path):
    """Loader workers outlive an epoch and never see set_epoch: the epoch comes with the index."""
    data = dataset(tmp_path, [tubelet(s) for s in range(0, 32, 4)], m=2, train=True)
    data.set_epoch(3)
    expected = data[0]
    data.set_epoch(0)
    tagged = data[(3, 0)]
    assert tagged["centre_frames"].tolist() == expected["centre_frames"].tolist()
    assert torch.equal(tagged["clips"], expected["clips"]) and torch.equal(tagged["boxes"], expected["boxes"])
    assert data[(0, 0)]["centre_frames"].tolist() == data[0]["centre_frames"].tolist()


def test_loader_workers_forked_after_a_preload_decode_nothing(tmp_path, monkeypatch):
    """Training preloads before its workers start: they share the decoded videos (fork), where
    each worker used to decode every video it met once, and a batch waited for that decode."""
    import multiprocessing

    import pytest

    from wsad_core.data import video_cache

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers share the preloaded videos only where they are forked")
    paths = {name: video_with_frame_numbers(tmp_path / f"{name}.mp4") for name in ("v", "w", "x")}
    clips = [ClipSpan(i, name, 0, 4, 10, ("b",)) for i, name in enumerate(paths)]
    bags = make_bags(clips, {name: [tubelet(0), tubelet(20)] for name in paths})
    reference = BagDataset(bags, paths, ["a", "b", "c"], SPEC, BagSampler(m=2, seed=0))
    expected = [reference[i] for i in range(len(reference))]
    data = BagDataset(bags, paths, ["a", "b", "c"], SPEC, BagSampler(m=2, seed=0))
    assert data.preload(threads=2).held == 3

    def no_decoding(*_args):
        raise AssertionError("a loader worker decoded a video again")

    monkeypatch.setattr(video_cache, "_decode", no_decoding)
    loader = torch.utils.data.DataLoader(data, batch_size=None, num_workers=2,
                                         multiprocessing_context="fork")
    for item, want in zip(loader, expected, strict=True):
        assert torch.equal(item["clips"], want["clips"]) and torch.equal(item["boxes"], want["boxes"])
