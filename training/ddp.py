"""Multi-process training under ``torchrun`` (DistributedDataParallel).

``torchrun --nproc_per_node N -m training cv ...`` starts N processes; each finds its rank
in the environment, joins the process group (NCCL on GPUs, gloo on CPUs) and trains on its
shard of every batch while DDP averages the gradients. All processes evaluate the same
folds, so their decisions (early stopping, fold order) agree; only rank 0 writes files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist

from wbs_desktop.core.model.devices import resolve_device


@dataclass(frozen=True)
class Context:
    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


@contextmanager
def distributed(device: str | None = None) -> Iterator[Context]:
    """The process's place in the job: a single process unless started by ``torchrun``."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        yield Context(0, 1, resolve_device(device))
        return
    rank = int(os.environ["RANK"])
    target = resolve_device(device)
    if target.type == "cuda":
        target = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(target)
    dist.init_process_group(backend="nccl" if target.type == "cuda" else "gloo")
    try:
        yield Context(rank, world_size, target)
    finally:
        dist.destroy_process_group()


def barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
