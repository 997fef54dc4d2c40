"""Fitting and evaluating one network: the torchvision reference recipe, on aligned crops.

Crops live in memory as one uint8 tensor; each batch is augmented on the device as a whole
(flip, small affine, colour, blur), which keeps a 2-core CPU busy with the network rather
than with per-image Python. Randomness is drawn from generators seeded by (seed, epoch), so
a resumed run continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from training.config import Augmentation, TrainConfig
from training.precision import MixedPrecision, on_device, resident
from wbs_desktop.core.model.card import IMAGENET_MEAN, IMAGENET_STD
from wbs_desktop.core.model.scoring import to_input


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed torch and numpy; with ``deterministic``, refuse nondeterministic kernels.

    On the CPU every kernel training uses has a deterministic implementation, so it is
    enforced (an op without one raises). On CUDA a few backward kernels have none (e.g.
    ``grid_sample``'s, used by augmentation), so there it warns instead; cuBLAS also needs
    ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` in the environment before CUDA starts, which
    ``run_cv`` sets.
    """
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=torch.cuda.is_available())
        torch.backends.cudnn.benchmark = False


def normalise(batch_uint8: torch.Tensor) -> torch.Tensor:
    """(N,S,S,3) uint8 -> (N,3,S,S) float, ImageNet-normalised (as the bundle's card says)."""
    return to_input(batch_uint8, IMAGENET_MEAN, IMAGENET_STD)


# Batches a GPU augments in one go: per batch, the launches of the augmentation's small
# kernels cost a launch-bound step (a small network at 112 px) a fifth of its time.
GPU_AUGMENTATION_CHUNK = 16


def draw_augmentation(
    n: int, settings: Augmentation, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """The random part of :func:`augment` for ``n`` images, drawn on the CPU: ``(params,
    blur)``, params ``(n, 9)`` (the affine matrix, then brightness, contrast, saturation),
    blur a boolean mask of the images to blur."""

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(n, generator=generator).mul(high - low).add(low)

    angle = uniform(-1, 1) * math.radians(settings.rotate_degrees)
    scale = 1 + uniform(-1, 1) * settings.scale
    flip = torch.where(uniform(0, 1) < 0.5, -1.0, 1.0) if settings.flip else torch.ones_like(scale)
    shift = torch.stack([uniform(-1, 1), uniform(-1, 1)], 1) * settings.translate * 2
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([cos * flip, -sin, shift[:, 0], sin * flip, cos, shift[:, 1]], 1)
    brightness = uniform(-1, 1) * settings.brightness
    contrast = 1 + uniform(-1, 1) * settings.contrast
    saturation = 1 + uniform(-1, 1) * settings.saturation
    to_grey = uniform(0, 1) < settings.greyscale_probability
    saturation = torch.where(to_grey, torch.zeros_like(saturation), saturation)
    blur = uniform(0, 1) < settings.blur_probability
    return torch.cat([theta, torch.stack([brightness, contrast, saturation], 1)], 1), blur


def apply_augmentation(x: torch.Tensor, params: torch.Tensor, blur: torch.Tensor) -> torch.Tensor:
    """Warp, recolour and blur the normalised (N,3,S,S) ``x`` as drawn (``params`` on
    ``x``'s device, ``blur`` on the CPU, where asking whether any is set costs no wait)."""
    n = x.shape[0]
    theta = params[:, :6].reshape(n, 2, 3)
    brightness, contrast, saturation = (params[:, 6 + i].view(n, 1, 1, 1) for i in range(3))
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    grey = x.mean(dim=1, keepdim=True)
    x = grey + (x - grey) * saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * contrast + mean + brightness * 4  # ~ +/-25 % of the 0-1 range
    if bool(blur.any()):
        blurred_ones = blur.nonzero().squeeze(1).to(x.device, non_blocking=True)
        kernel = torch.tensor([1.0, 2.0, 1.0], device=x.device) / 4
        kernel2d = (kernel[:, None] * kernel[None, :]).expand(3, 1, 3, 3)
        blurred = F.conv2d(F.pad(x[blurred_ones], (1, 1, 1, 1), mode="reflect"), kernel2d, groups=3)
        x = x.clone()
        x[blurred_ones] = blurred
    return x


def augment(x: torch.Tensor, settings: Augmentation, generator: torch.Generator) -> torch.Tensor:
    """Random flip, rotation/scale/shift, colour and blur for a normalised (N,3,S,S) batch."""
    params, blur = draw_augmentation(x.shape[0], settings, generator)
    return apply_augmentation(x, params.to(x.device, non_blocking=True), blur)


def augmented_batches(
    crops: torch.Tensor,
    batches: Sequence[torch.Tensor],
    settings: Augmentation,
    generator: torch.Generator,
    device: torch.device,
) -> Iterator[torch.Tensor]:
    """The crops of each batch (indices into the uint8 ``crops``), normalised, augmented and
    channels-last, in order.

    Every batch's draws are made first, in the batches' order, so the result does not depend
    on how batches are grouped: the CPU augments batch by batch, a GPU
    :data:`GPU_AUGMENTATION_CHUNK` batches at a time, in one transfer and one set of launches.
    """
    draws = [draw_augmentation(len(batch), settings, generator) for batch in batches]
    chunk = GPU_AUGMENTATION_CHUNK if device.type == "cuda" else 1
    for start in range(0, len(batches), chunk):
        group = batches[start : start + chunk]
        params = torch.cat([p for p, _ in draws[start : start + chunk]])
        blur = torch.cat([b for _, b in draws[start : start + chunk]])
        x = normalise(crops[torch.cat(list(group))].to(device))
        x = apply_augmentation(x, params.to(device, non_blocking=True), blur)
        # Channels-last input, like the model: MobileNet-V2 trains ~45 % faster on CPU.
        yield from x.contiguous(memory_format=torch.channels_last).split(
            [len(batch) for batch in group]
        )


def lr_lambda(config: TrainConfig, steps_per_epoch: int) -> Callable[[int], float]:
    """Linear warm-up, then cosine decay to zero (or constant), per optimiser step."""
    warmup = config.warmup_epochs * steps_per_epoch
    total = max(1, config.epochs * steps_per_epoch)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if config.schedule == "constant":
            return 1.0
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def make_optimizer(
    model: nn.Module, config: TrainConfig, head: str | None = None
) -> torch.optim.Optimizer:
    """The config's optimiser; the parameters under ``head`` (a module name prefix) learn at
    ``learning_rate``, the rest at ``learning_rate * backbone_lr_factor``."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    in_head = [p for n, p in named if head is not None and n.startswith(head + ".")]
    backbone = [p for n, p in named if head is None or not n.startswith(head + ".")]
    groups = [{"params": backbone, "lr": config.learning_rate * config.backbone_lr_factor}]
    if in_head:
        groups.append({"params": in_head, "lr": config.learning_rate})
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            groups,
            lr=config.learning_rate,
            momentum=config.momentum,
            weight_decay=config.weight_decay,
            nesterov=True,
        )
    return torch.optim.AdamW(groups, lr=config.learning_rate, weight_decay=config.weight_decay)


def class_weights(labels: np.ndarray, enabled: bool) -> torch.Tensor | None:
    if not enabled:
        return None
    counts = np.bincount(labels, minlength=2).astype(np.float64)
    return torch.tensor(len(labels) / (2 * np.maximum(counts, 1)), dtype=torch.float32)


@dataclass
class FitState:
    """Everything needed to resume a fit after any finished epoch."""

    epoch: int = 0
    best_loss: float = math.inf
    best_epoch: int = -1
    best_state: dict[str, torch.Tensor] | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False


def should_stop_early(state: FitState, config: TrainConfig) -> bool:
    """After ``state.epoch`` finished epochs: has the validation loss failed to improve for
    ``early_stopping_patience`` epochs, with at least ``min_epochs`` done?"""
    epochs_since_best = state.epoch - 1 - state.best_epoch
    return state.epoch >= config.min_epochs and epochs_since_best >= config.early_stopping_patience


def _rank_and_world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def train_one_epoch(
    model: nn.Module,
    crops: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    loss_fn: nn.Module,
    config: TrainConfig,
    device: torch.device,
    epoch: int,
    seed: int,
    precision: MixedPrecision | None = None,
) -> dict[str, float]:
    """One pass over the training crops; under DDP each process takes its own shard.
    ``precision`` is the forward passes' autocast and its step (default: fp32).

    Shuffling, augmentation and dropout all draw from (seed, epoch), never from what an
    earlier epoch left behind, so a run resumed from a checkpoint repeats an uninterrupted
    one exactly.
    """
    model.train()
    rank, world = _rank_and_world()
    epoch_seed = seed * 10_007 + epoch
    torch.manual_seed(epoch_seed)
    generator = torch.Generator().manual_seed(epoch_seed)
    # The order is drawn on the CPU (the same on every device), then indexes where the crops are.
    order = torch.randperm(len(crops), generator=generator).to(crops.device)
    per_step = config.batch_size * world
    steps = len(order) // per_step or 1  # drop the ragged last batch (batch norm needs > 1)
    # The loss stays on the device until the end: reading it every step would stall a GPU.
    total_loss, seen, started = torch.zeros((), device=device), 0, time.perf_counter()
    precision = precision or MixedPrecision("fp32", device)
    batches = [order[step * per_step : (step + 1) * per_step][rank::world] for step in range(steps)]
    inputs = augmented_batches(crops, batches, config.augmentation, generator, device)
    for batch, x in zip(batches, inputs, strict=True):
        y = labels[batch].to(device)
        with precision.autocast():
            loss = loss_fn(model(x), y)
        precision.step(loss, optimizer)
        scheduler.step()
        total_loss += loss.detach().float() * len(batch)
        seen += len(batch)
    mean_loss = float(total_loss) / max(seen, 1)  # waits for the last step
    seconds = time.perf_counter() - started
    return {
        "train_loss": mean_loss,
        "images": seen * world,
        "seconds": seconds,
        "images_per_second": seen * world / max(seconds, 1e-9),
    }


@torch.no_grad()
def predict_logits(
    model: nn.Module, crops: torch.Tensor, device: torch.device, batch_size: int = 64
) -> torch.Tensor:
    """(N, C) logits on CPU, for the validation loss (scores use ``scoring``)."""
    model.eval()
    outputs = [
        model(normalise(crops[start : start + batch_size].to(device))).float().cpu()
        for start in range(0, len(crops), batch_size)
    ]
    return torch.cat(outputs) if outputs else torch.zeros(0, 2)


def fit(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    validation: tuple[torch.Tensor, torch.Tensor],
    config: TrainConfig,
    device: torch.device,
    seed: int,
    state: FitState | None = None,
    optimizer_state: dict[str, Any] | None = None,
    on_epoch: Callable[[FitState, nn.Module, torch.optim.Optimizer], None] | None = None,
    progress: Callable[[str], None] | None = None,
    head: str | None = None,
    arch: str | None = None,
) -> FitState:
    """Train with early stopping on the validation loss; ``state.best_state`` holds the best
    weights. Without validation photos every epoch runs and only the last weights exist.
    ``on_epoch`` is called after each epoch (the caller writes checkpoints); to
    resume, pass the saved ``state`` and ``optimizer_state`` with the model's weights
    restored. ``head`` names the new classification head (see ``make_optimizer``); ``arch``
    lets ``config.precision = "auto"`` choose the autocast type (``training.precision``)."""
    train_crops, train_labels = resident(train[0], device), resident(train[1], device)
    state = state or FitState()
    on_device(model, device)
    weights = class_weights(train[1].numpy(), config.class_weighting)
    loss_fn = nn.CrossEntropyLoss(
        weight=None if weights is None else weights.to(device),
        label_smoothing=config.label_smoothing,
    )
    optimizer = make_optimizer(model, config, head)
    if optimizer_state is not None:
        optimizer.load_state_dict(optimizer_state)
    _, world = _rank_and_world()
    steps_per_epoch = max(1, len(train_crops) // (config.batch_size * world))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda(config, steps_per_epoch))
    precision = MixedPrecision(config.precision, device, arch)
    if progress:
        progress(f"training in {precision.name} on {device.type}")
    if state.epoch:
        # Resuming: replay the schedule to where it stopped; weights come from the caller.
        for _ in range(state.epoch * steps_per_epoch):
            scheduler.step()
    training_model = model
    if world > 1:
        training_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    evaluation_loss = nn.CrossEntropyLoss()
    while state.epoch < config.epochs and not state.stopped_early:
        stats = train_one_epoch(
            training_model,
            train_crops,
            train_labels,
            optimizer,
            scheduler,
            loss_fn,
            config,
            device,
            state.epoch,
            seed,
            precision,
        )
        stats.update(epoch=state.epoch, lr=float(scheduler.get_last_lr()[0]))
        validated = ""
        if len(validation[0]):
            val_loss = float(
                evaluation_loss(predict_logits(model, validation[0], device), validation[1])
            )
            stats["val_loss"] = val_loss
            validated = f" val loss {val_loss:.3f}"
            if val_loss < state.best_loss:
                state.best_loss, state.best_epoch = val_loss, state.epoch
                state.best_state = {
                    k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()
                }
        state.history.append(stats)
        state.epoch += 1
        state.stopped_early = bool(len(validation[0])) and should_stop_early(state, config)
        if progress:
            progress(
                f"epoch {state.epoch}/{config.epochs} train loss {stats['train_loss']:.3f}"
                f"{validated} ({stats['images_per_second']:.0f} img/s)"
            )
        if on_epoch:
            on_epoch(state, model, optimizer)
    return state
