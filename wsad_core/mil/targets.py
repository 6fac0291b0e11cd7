"""Instance-level targets for the paper's baselines (section 4.2, Table 1).

* Naive weak supervision: no MIL at all; every tubelet of a bag inherits the bag's labels and
  is trained with a per-instance cross-entropy. It is the baseline that shows what MIL buys:
  in an untrimmed clip most tubelets do not perform most of the clip's actions.
* Full supervision: each proposal takes the labels of the ground-truth box it overlaps best,
  the upper bound the weakly supervised models are compared with.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torchvision.ops import box_iou


def naive_instance_targets(bag_targets: Tensor, mask: Tensor) -> Tensor:
    """(B, M, C) targets: each real instance gets its bag's (B, C) labels, padding gets zeros."""
    if bag_targets.dim() != 2 or mask.dim() != 2 or bag_targets.shape[0] != mask.shape[0]:
        raise ValueError(
            f"need bag_targets (B, C) and mask (B, M) with the same B, "
            f"not {tuple(bag_targets.shape)} and {tuple(mask.shape)}"
        )
    zero = torch.zeros((), dtype=bag_targets.dtype, device=bag_targets.device)
    return torch.where(mask.unsqueeze(-1), bag_targets.unsqueeze(1), zero)


def instance_bce(instance_logits: Tensor, targets: Tensor, mask: Tensor) -> Tensor:
    """Per-instance binary cross-entropy, averaged over the real instances and the classes.

    Padding neither counts in the mean nor receives gradient, whatever its logits hold.
    """
    if instance_logits.shape != targets.shape or instance_logits.shape[:2] != mask.shape:
        raise ValueError(
            f"need instance_logits and targets (B, M, C) and mask (B, M), not "
            f"{tuple(instance_logits.shape)}, {tuple(targets.shape)} and {tuple(mask.shape)}"
        )
    mask3 = mask.unsqueeze(-1)
    logits = torch.where(mask3, instance_logits, 0.0)
    terms = F.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype), reduction="none")
    count = mask.sum() * instance_logits.shape[-1]
    return torch.where(mask3, terms, 0.0).sum() / count


def fully_supervised_targets(
    proposals: Tensor, gt_boxes: Tensor, gt_labels: Tensor, iou_threshold: float = 0.5
) -> Tensor:
    """(N, C) targets for (N, 4) proposals from (G, 4) ground-truth boxes and their (G, C)
    multi-hot labels, boxes as (x1, y1, x2, y2).

    A proposal whose best IoU with a ground-truth box is strictly above ``iou_threshold``
    takes that box's labels (on a tie, the first such box's); every other proposal is
    all-negative. The result is a float tensor of the proposals' dtype.
    """
    if any(boxes.dim() != 2 or boxes.shape[1] != 4 for boxes in (proposals, gt_boxes)):
        raise ValueError(
            f"boxes must be (N, 4) and (G, 4), "
            f"not {tuple(proposals.shape)} and {tuple(gt_boxes.shape)}"
        )
    if gt_labels.dim() != 2 or gt_labels.shape[0] != gt_boxes.shape[0]:
        raise ValueError(
            f"gt_labels must be (G, C) with G = {gt_boxes.shape[0]}, not {tuple(gt_labels.shape)}"
        )
    dtype = proposals.dtype if proposals.is_floating_point() else torch.get_default_dtype()
    out = torch.zeros(proposals.shape[0], gt_labels.shape[1], dtype=dtype, device=proposals.device)
    if gt_boxes.shape[0] == 0 or proposals.shape[0] == 0:
        return out
    iou = box_iou(proposals.to(dtype), gt_boxes.to(dtype))
    best = iou.argmax(dim=1)
    positive = iou.gather(1, best.unsqueeze(1)).squeeze(1) > iou_threshold
    out[positive] = gt_labels[best[positive]].to(dtype)
    return out
