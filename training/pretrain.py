"""A face-pretrained start that works offline (``wbs-train pretrain``).

The source study fine-tuned ImageNet weights; these machines, and an offline clinic, cannot
download them, and from scratch a network does not learn at the study's scale (a few
hundred photos). So a backbone is pretrained here, on real face photos, with a *pretext
task* whose labels come for free and which teaches facial geometry, the stuff a gestalt is
made of. Each base photo is warped many times by random smooth shape changes (the
identity bumps and the signed phenotype fields of ``synth``), aligned as the app aligns,
and given random light, colour, blur and JPEG quality; the network learns to read back

* ``landmarks``: where the 478 landmarks of the warped face lie in the aligned crop, or
* ``warps`` (the default): the landmarks and the signed amount of each of the ten
  phenotype fields (wide or narrow mouth, long or short nose, ...).

Targets are standardised per column, and the landmark block and the warp block weigh the
same in the loss. The weights file (safetensors, no pickle) holds the backbone without its
head, and a card: pretext, people and photos (with their SHA-256 and perceptual hash, so
``cv`` can refuse to test on anyone the backbone saw), data hash, epochs, input size, versions.
``cv --weights FILE`` (or ``weights`` in the TOML config) starts from it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import nn

from training import synth
from training.engine import augmented_batches
from training.precision import MixedPrecision, on_device, resident
from training.pretext import (
    PHOTOMETRIC,
    TASKS,
    WARP_FIELDS,
    Log,
    PretextSet,
    PretextSettings,
    make_pretext_set,
)
from wbs_desktop.core.errors import WeightsError
from wbs_desktop.core.files import atomic_write
from wbs_desktop.core.model.architectures import ARCHITECTURES, build_network, head_name

CARD_KEY = "wbs_pretrained"
FORMAT_VERSION = 1


def _target_columns(task: str, total: int) -> slice:
    return slice(0, total - len(WARP_FIELDS)) if task == "landmarks" else slice(0, total)


def train_backbone(
    arch: str,
    pretext: PretextSet,
    settings: PretextSettings,
    device: torch.device,
    log: Log | None = None,
) -> tuple[nn.Module, list[dict[str, float]]]:
    """Fit ``arch`` with a linear head to the standardised targets; returns the network."""
    targets = torch.from_numpy(
        pretext.targets[:, _target_columns(settings.task, pretext.targets.shape[1])]
    )
    mean, std = targets.mean(dim=0), targets.std(dim=0).clamp_min(1e-6)
    targets = (targets - mean) / std
    landmark_columns = 2 * 478
    weights = torch.ones(targets.shape[1])
    if targets.shape[1] > landmark_columns:  # the two blocks weigh the same
        weights[:landmark_columns] = 0.5 / landmark_columns
        weights[landmark_columns:] = 0.5 / (targets.shape[1] - landmark_columns)
    else:
        weights /= targets.shape[1]
    weights = weights.to(device)
    torch.manual_seed(settings.seed)
    network = on_device(build_network(arch, targets.shape[1]), device)
    precision = MixedPrecision("auto", device, arch)
    crops, targets = resident(torch.from_numpy(pretext.crops), device), targets.to(device)
    steps_per_epoch = max(1, len(crops) // settings.batch_size)
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=settings.learning_rate, weight_decay=1e-4
    )
    total = settings.epochs * steps_per_epoch
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(
            (step + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))
        ),
    )
    generator = torch.Generator().manual_seed(settings.seed)
    history = []
    for epoch in range(settings.epochs):
        network.train()
        started, running = time.perf_counter(), 0.0
        order = torch.randperm(len(crops), generator=generator).to(crops.device)
        batches = [
            order[step * settings.batch_size : (step + 1) * settings.batch_size]
            for step in range(steps_per_epoch)
        ]
        inputs = augmented_batches(crops, batches, PHOTOMETRIC, generator, device)
        for batch, x in zip(batches, inputs, strict=True):
            with precision.autocast():
                output = network(x)
            error = F.smooth_l1_loss(output.float(), targets[batch], reduction="none")
            loss = (error * weights).sum(dim=1).mean()
            precision.step(loss, optimizer)
            schedule.step()
            running += float(loss.detach())
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "loss": running / steps_per_epoch, "seconds": seconds})
        if log:
            log(
                f"pretrain {arch} epoch {epoch + 1}/{settings.epochs}: loss "
                f"{running / steps_per_epoch:.4f} "
                f"({steps_per_epoch * settings.batch_size / seconds:.0f} img/s)"
            )
    return network.eval(), history


def backbone_state(network: nn.Module, arch: str) -> dict[str, torch.Tensor]:
    head = head_name(arch) + "."
    return {
        k: v.detach().cpu().contiguous()
        for k, v in network.state_dict().items()
        if not k.startswith(head)
    }


def save_pretrained(path: Path, network: nn.Module, arch: str, card: dict[str, Any]) -> Path:
    tensors = backbone_state(network, arch)
    metadata = {CARD_KEY: json.dumps(card, sort_keys=True, allow_nan=False)}
    atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=metadata))
    return Path(path)


def read_pretrained_card(path: Path) -> dict[str, Any]:
    """The card of a face-pretrained weights file; WeightsError when it is not one."""
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            raw = (f.metadata() or {}).get(CARD_KEY)
        card = json.loads(raw) if raw else None
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(
            f"The weights file {path} is damaged or not a weights file; make it "
            "again with wbs-train pretrain."
        ) from error
    if not isinstance(card, dict) or card.get("format_version") != FORMAT_VERSION:
        raise WeightsError(
            f"The weights file {path} was not made by wbs-train pretrain (or by "
            "another version of it); make it again."
        )
    return card


def load_pretrained(network: nn.Module, arch: str, path: Path) -> nn.Module:
    """Load a face-pretrained backbone into ``network`` (its head keeps its initialisation).

    Refuses, in one sentence, a file made for another architecture, tensors that do not
    fit, and NaN or infinite values."""
    card = read_pretrained_card(path)
    if card.get("architecture") != arch:
        raise WeightsError(
            f"The weights file {path.name} is a {card.get('architecture')} "
            f"backbone and cannot start a {arch}; pretrain one for {arch}."
        )
    with safe_open(path, framework="pt", device="cpu") as f:
        state = {key: f.get_tensor(key) for key in f.keys()}
    expected = backbone_state(network, arch)
    if set(state) != set(expected) or any(state[k].shape != expected[k].shape for k in state):
        raise WeightsError(f"The weights in {path.name} do not fit {arch}; pretrain again.")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise WeightsError(
            f"The weights file {path.name} holds invalid numbers (NaN or infinity); pretrain again."
        )
    network.load_state_dict(state, strict=False)
    return network


def _versions() -> dict[str, str]:
    import torchvision

    from wbs_desktop import __version__

    return {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "wbs_desktop": __version__,
    }


def pretrain(
    photos: Sequence[Path],
    arch: str,
    out: Path,
    settings: PretextSettings,
    *,
    identities: dict[str, str] | None = None,
    device: str | None = None,
    log: Log | None = None,
    command: str = "",
    pretext: PretextSet | None = None,
) -> Path:
    """Make the pretext set from ``photos`` (or take ``pretext``, made from them with these
    settings), train ``arch`` on it and write the weights."""
    from wbs_desktop.core.model.devices import resolve_device

    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose from {', '.join(ARCHITECTURES)}")
    settings.validate()
    started = time.perf_counter()
    pretext = pretext or make_pretext_set(photos, settings, identities, log)
    network, history = train_backbone(arch, pretext, settings, resolve_device(device), log)
    people = sorted(set(pretext.people.values()))
    data_hash = hashlib.sha256(
        json.dumps([pretext.photos, pretext.people], sort_keys=True).encode()
    ).hexdigest()
    card = {
        "format_version": FORMAT_VERSION,
        "kind": "face-pretrained backbone",
        "architecture": arch,
        "pretext": settings.task,
        "pretext_description": TASKS[settings.task],
        "settings": asdict(settings),
        "input_size": settings.input_size,
        "identities": len(people),
        "identity_names": people,
        "photos": len(pretext.photos),
        "photo_fingerprints": pretext.photos,
        "skipped": pretext.skipped,
        "samples": int(len(pretext.crops)),
        "data_hash": data_hash,
        "epochs": settings.epochs,
        "history": history,
        "seconds": time.perf_counter() - started,
        "command": command,
        "software": _versions(),
        "created": date.today().isoformat(),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_pretrained(out, network, arch, card)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--faces",
        type=Path,
        nargs="+",
        required=True,
        help="folders (or single photos) of real face photos",
    )
    parser.add_argument("--arch", required=True, choices=ARCHITECTURES)
    parser.add_argument("--out", type=Path, required=True, help="FILE.safetensors")
    parser.add_argument(
        "--identities",
        type=Path,
        help="CSV (columns file, identity) naming the person in each photo",
    )
    parser.add_argument("--task", choices=list(TASKS), default=PretextSettings.task)
    parser.add_argument("--input-size", type=int, default=PretextSettings.input_size)
    parser.add_argument(
        "--variants", type=int, default=PretextSettings.variants, help="warped crops per photo"
    )
    parser.add_argument(
        "--epochs",
        type=int,
        help=f"default: {PretextSettings.epochs}, or the architecture's own schedule "
        "(mobilenet_v2: 20; docs/training.md)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        help=f"AdamW's peak rate (default: {PretextSettings.learning_rate}, or the "
        "architecture's own: mobilenet_v2 2e-3)",
    )
    parser.add_argument("--seed", type=int, default=PretextSettings.seed)
    parser.add_argument(
        "--face-only",
        action="store_true",
        help="grey out everything outside the face oval (for face_only models)",
    )
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--quiet", action="store_true")


def photos_in(paths: Sequence[Path]) -> list[Path]:
    """Photos directly in each folder, and single photos as given."""
    folders = [p for p in paths if Path(p).is_dir()]
    files = [Path(p) for p in paths if Path(p).is_file()]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise ValueError(f"{missing[0]} does not exist")
    return synth.find_bases(*folders) + files


def run(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    try:
        photos = photos_in(args.faces)
        known = synth.read_identities(args.identities) if args.identities else None
        # The options are named as the settings' fields; the ones not given are None.
        given = {f.name: getattr(args, f.name, None) for f in fields(PretextSettings)}
        settings = PretextSettings.for_architecture(args.arch, **given)
        out = pretrain(
            photos,
            args.arch,
            args.out,
            settings,
            identities=known,
            device=args.device,
            log=log,
            command=args.command_line,
        )
    except ValueError as error:
        print(f"pretrain: {error}", file=sys.stderr)
        return 1
    print(out)
    return 0
