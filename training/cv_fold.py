"""One fold of the cross-validation: train on the other development folds (with an inner
validation split of people), predict the fold's photos as the app scores them, and leave
what a ``--resume`` needs (a checkpoint per finished epoch, the fold's predictions)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from training.config import TrainConfig
from training.cv_plan import Task, repeat_seed, sample_fields
from training.ddp import Context, barrier
from training.engine import FitState, fit, seed_everything
from training.folds import inner_split
from training.run_record import write_json
from wbs_desktop.core.files import atomic_write, write_csv
from wbs_desktop.core.files import read_csv as read_rows
from wbs_desktop.core.model.architectures import build_network, head_name
from wbs_desktop.core.model.card import IMAGENET_MEAN, IMAGENET_STD
from wbs_desktop.core.model.scoring import network_logits

OOF_FIELDS = (
    "path",
    "relative_path",
    "subject",
    "identity",
    "group",
    "repeat",
    "fold",
    "label",
    "logit",
    "probability",
)
Log = Callable[[str], None]


def build_model(arch: str, pretrained: bool, weights_file: Path | None) -> nn.Module:
    network = build_network(arch, 2)
    if pretrained:
        from training.pretrained import load_start_weights

        load_start_weights(network, arch, weights_file)
    return network


def _save_torch(obj: Any, path: Path) -> None:
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def predict(
    models: list[nn.Module], crops: torch.Tensor, config: TrainConfig, device: torch.device
) -> np.ndarray:
    """(N, models) positive-class logits, scored as the app scores (``scoring``)."""
    return network_logits(
        models,
        crops,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        positive=1,
        flip=config.flip_tta,
        device=device,
    )


def run_fold(
    task: Task,
    crops: torch.Tensor,
    folds: np.ndarray,
    fold: int,
    repeat: int,
    arch: str,
    config: TrainConfig,
    ctx: Context,
    folder: Path,
    weights_file: Path | None,
    log: Log,
) -> list[dict[str, Any]]:
    """Train on the other development folds (with an inner validation split of people),
    predict this one."""
    predictions_file = folder / "predictions.csv"
    if predictions_file.is_file():
        return [dict(row) for row in read_rows(predictions_file)]
    folder.mkdir(parents=True, exist_ok=True)
    seed = repeat_seed(config, repeat) * 100 + fold
    seed_everything(seed, config.deterministic)
    train_rows = np.flatnonzero((folds >= 0) & (folds != fold))
    test_rows = np.flatnonzero(folds == fold)
    inner_train, inner_val = inner_split(
        task.groups[train_rows], task.identities[train_rows], config.inner_validation_fraction, seed
    )
    labels = torch.from_numpy(task.labels)

    def subset(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return crops[rows], labels[rows]

    model = build_model(arch, config.pretrained, weights_file)
    checkpoint_file = folder / "checkpoint.pt"
    state, optimizer_state = None, None
    name = f"{arch} repeat {repeat + 1} fold {fold + 1}"
    if checkpoint_file.is_file():
        saved = torch.load(checkpoint_file, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["model"])
        state, optimizer_state = FitState(**saved["fit_state"]), saved["optimizer"]
        log(f"{name}: resuming after epoch {state.epoch}")

    def save_checkpoint(current: FitState, network: nn.Module, optimizer: Any) -> None:
        if ctx.is_main:
            _save_torch(
                {
                    "model": network.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "fit_state": dataclasses.asdict(current),
                    "arch": arch,
                    "fold": fold,
                    "repeat": repeat,
                    "config": config.to_dict(),
                },
                checkpoint_file,
            )

    started = time.perf_counter()
    state = fit(
        model,
        subset(train_rows[inner_train]),
        subset(train_rows[inner_val]),
        config,
        ctx.device,
        seed,
        state,
        optimizer_state,
        on_epoch=save_checkpoint,
        progress=(lambda m: log(f"{name}: {m}")) if ctx.is_main else None,
        head=head_name(arch),
        arch=arch,
    )
    if config.keep_weights == "best" and state.best_state is not None:
        model.load_state_dict(state.best_state)
    logit = predict([model.eval()], crops[test_rows], config, ctx.device)[:, 0]
    probability = np.exp(-np.logaddexp(0.0, -logit))
    rows = [
        {
            **sample_fields(task.data.samples[task.index[r]]),
            "repeat": repeat,
            "fold": fold,
            "label": int(task.labels[r]),
            "logit": repr(float(z)),
            "probability": repr(float(p)),
        }
        for r, z, p in zip(test_rows, logit, probability, strict=True)
    ]
    if ctx.is_main:
        _save_torch(
            {
                "model": model.state_dict(),
                "arch": arch,
                "fold": fold,
                "repeat": repeat,
                "best_epoch": state.best_epoch,
                "history": state.history,
                "seconds": time.perf_counter() - started,
                "config": config.to_dict(),
            },
            folder / "model.pt",
        )
        write_json(
            folder / "fold.json",
            {
                "seconds": time.perf_counter() - started,
                "epochs_run": state.epoch,
                "best_epoch": state.best_epoch,
                "kept_weights": config.keep_weights,
                "stopped_early": state.stopped_early,
                "train_photos": int(len(inner_train)),
                "validation_photos": int(len(inner_val)),
                "test_photos": int(len(test_rows)),
            },
        )
        write_csv(predictions_file, rows, OOF_FIELDS)
        checkpoint_file.unlink(missing_ok=True)
    barrier()
    return rows
