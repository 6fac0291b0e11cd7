"""Distributed data parallel training under torchrun (any number of processes and nodes).

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE; each process trains on its
share of every epoch's batches, gradients are averaged by DDP, and only rank 0 writes: the run
row, events, checkpoints. NCCL on GPUs, gloo on CPUs (also how the tests run it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    started_here: bool = False
    local_world: int = 1  # processes on this machine (they share its memory)

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1

    def device(self, requested: str) -> torch.device:
        if requested == "auto":
            requested = "cuda" if torch.cuda.is_available() else "cpu"
        if requested == "cuda" and self.active:
            return torch.device("cuda", self.local_rank)
        return torch.device(requested)

    def broadcast(self, value: Any) -> Any:
        """Rank 0's ``value`` on every rank."""
        if not self.active:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def mean(self, value: float) -> float:
        if not self.active:
            return value
        tensor = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(tensor)
        return float(tensor.item()) / self.world

    def any(self, flag: bool) -> bool:
        """True on every rank when it is true on some rank (e.g. a stop signal)."""
        if not self.active:
            return flag
        tensor = torch.tensor([1 if flag else 0])
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return bool(tensor.item())

    def barrier(self) -> None:
        if self.active:
            dist.barrier()

    def close(self) -> None:
        if self.started_here and dist.is_initialized():
            dist.destroy_process_group()


def init_distributed(device: str) -> Distributed:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Distributed()
    started = False
    if not dist.is_initialized():
        use_nccl = device != "cpu" and torch.cuda.is_available()
        dist.init_process_group("nccl" if use_nccl else "gloo")
        started = True
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device != "cpu" and torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    return Distributed(dist.get_rank(), dist.get_world_size(), local_rank, started, local_world)
