import pytest
import torch
import torch.nn.functional as F

from wsad_core.mil.targets import fully_supervised_targets, instance_bce, naive_instance_targets


def test_naive_targets_copy_the_bag_labels_to_every_real_instance():
    bag_targets = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    mask = torch.tensor([[True, True, False], [True, False, False]])
    targets = naive_instance_targets(bag_targets, mask)
    assert targets.shape == (2, 3, 3) and targets.dtype == bag_targets.dtype
    assert torch.equal(targets[0, 0], bag_targets[0]) and torch.equal(targets[0, 1], bag_targets[0])
    assert torch.equal(targets[1, 0], bag_targets[1])
    assert torch.all(targets[~mask] == 0)
    targets[0, 0, 1] = 5.0
    assert bag_targets[0, 1] == 0.0  # a new tensor, not a view of the bag labels
    with pytest.raises(ValueError, match="same B"):
        naive_instance_targets(bag_targets, mask[:1])


def test_instance_bce_averages_over_real_instances_and_classes_only():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 4, 2, generator=g, dtype=torch.float64)
    mask = torch.tensor([[True, True, True, True], [True, False, False, False], [True, True, False, False]])
    targets = naive_instance_targets((torch.rand(3, 2, generator=g) < 0.5).double(), mask)
    padded = logits.clone()
    padded[~mask] = float("nan")
    padded.requires_grad_(True)
    loss = instance_bce(padded, targets, mask)
    real = [F.binary_cross_entropy_with_logits(logits[b, mask[b]], targets[b, mask[b]], reduction="sum") for b in range(3)]
    expected = sum(real) / (7 * 2)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    loss.backward()
    assert torch.isfinite(padded.grad).all() and torch.all(padded.grad[~mask] == 0)
    expected_grad = (torch.sigmoid(logits) - targets) / 14
    torch.testing.assert_close(padded.grad[mask], expected_grad[mask])


def test_instance_bce_of_extreme_logits_is_finite():
    logits = torch.tensor([[[1000.0, -1000.0]]], requires_grad=True)
    loss = instance_bce(logits, torch.tensor([[[0.0, 1.0]]]), torch.ones(1, 1, dtype=torch.bool))
    assert loss.item() == pytest.approx(1000.0)
    loss.backward()
    assert torch.isfinite(logits.grad).all()


GT_BOXES = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 8.0], [20.0, 0.0, 30.0, 10.0]])
GT_LABELS = torch.tensor([[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]])


def test_a_proposal_takes_the_labels_of_the_ground_truth_box_it_overlaps_best():
    proposals = torch.tensor(
        [
            [0.0, 0.0, 10.0, 10.0],  # IoU 1 with box 0
            [0.0, 0.0, 10.0, 9.0],  # IoU 0.9 with box 0, 80/90 with box 1: box 0
            [0.0, 0.0, 10.0, 7.0],  # IoU 0.7 with box 0, 70/80 with box 1: box 1
            [20.0, 0.0, 30.0, 6.0],  # IoU 0.6 with box 2
            [0.0, 0.0, 10.0, 5.0],  # IoU exactly 0.5 with box 0 (and 50/80 with box 1: box 1)
            [50.0, 50.0, 60.0, 60.0],  # overlaps nothing
            [20.0, 0.0, 40.0, 10.0],  # IoU exactly 0.5 with box 2 only
        ]
    )
    targets = fully_supervised_targets(proposals, GT_BOXES, GT_LABELS)
    expected = torch.tensor(
        [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        dtype=torch.float32,
    )
    assert targets.dtype == torch.float32
    assert torch.equal(targets, expected)


def test_an_iou_of_exactly_the_threshold_is_negative():
    proposals = torch.tensor([[0.0, 0.0, 2.0, 1.0]])  # twice the box: IoU 1/2
    gt = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    labels = torch.tensor([[1.0, 1.0]])
    assert torch.equal(fully_supervised_targets(proposals, gt, labels), torch.zeros(1, 2))
    assert torch.equal(fully_supervised_targets(proposals, gt, labels, iou_threshold=0.25), torch.ones(1, 2))


def test_no_ground_truth_or_no_proposals():
    proposals = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 5.0, 5.0]], dtype=torch.float64)
    empty = fully_supervised_targets(proposals, torch.zeros(0, 4), torch.zeros(0, 5))
    assert empty.shape == (2, 5) and empty.dtype == torch.float64 and not empty.any()
    none = fully_supervised_targets(torch.zeros(0, 4), GT_BOXES, GT_LABELS)
    assert none.shape == (0, 4)


def test_box_arguments_are_checked():
    with pytest.raises(ValueError, match="boxes"):
        fully_supervised_targets(torch.zeros(3, 5), GT_BOXES, GT_LABELS)
    with pytest.raises(ValueError, match="gt_labels"):
        fully_supervised_targets(torch.zeros(3, 4), GT_BOXES, GT_LABELS[:2])
