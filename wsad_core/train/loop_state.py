"""Where a run is: epoch, batch in the epoch, global step; and the batch order of an epoch.

The order of an epoch depends only on the seed and the epoch, so a resumed run (or another
process) computes the same batches and skips the ones already trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class LoopState:
    epoch: int = 0
    batch: int = 0  # batches already done in this epoch
    step: int = 0  # batches done in all


def epoch_batches(count: int, batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
    order = torch.randperm(count, generator=generator).tolist()
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
