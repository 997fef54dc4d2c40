"""Start weights for transfer learning: a face-pretrained backbone (``wbs-train pretrain``),
or ImageNet weights read from the torch hub cache or a given file (never downloaded).

This is the only place that reads ``.pth`` checkpoints; it uses ``weights_only=True`` so a
checkpoint cannot run code. The app itself only reads safetensors bundles.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn as nn
import torchvision.models as tvm

from wbs_desktop.core.errors import WeightsError
from wbs_desktop.core.model.architectures import head_name


def imagenet_weights_path(arch: str) -> Path:
    """Where torchvision keeps the default ImageNet checkpoint of ``arch``.

    That is ``<torch.hub.get_dir()>/checkpoints/<file name of the weights enum's URL>``,
    e.g. ``~/.cache/torch/hub/checkpoints/resnet18-f37072fd.pth``; honours TORCH_HOME.
    """
    head_name(arch)  # rejects unknown architectures with a ModelError
    url = tvm.get_model_weights(arch).DEFAULT.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def face_pretrained_file(weights_file: str | os.PathLike[str] | None) -> Path | None:
    """The file, when it is a face-pretrained backbone (safetensors) rather than ImageNet's."""
    if weights_file is None or Path(weights_file).suffix != ".safetensors":
        return None
    return Path(weights_file)


def require_start_weights(arch: str, weights_file: str | os.PathLike[str] | None) -> Path:
    """The start weights for ``arch``, checked before any slow work; WeightsError else."""
    path = face_pretrained_file(weights_file)
    if path is not None:
        from training.pretrain import read_pretrained_card

        if not path.is_file():
            raise WeightsError(f"The weights file {path} does not exist.")
        card = read_pretrained_card(path)
        if card.get("architecture") != arch:
            raise WeightsError(
                f"The weights file {path.name} is a {card.get('architecture')} "
                f"backbone and cannot start a {arch}; pretrain one for {arch}."
            )
        return path
    return require_imagenet_weights(arch, weights_file)


def load_start_weights(
    network: nn.Module, arch: str, weights_file: str | os.PathLike[str] | None
) -> nn.Module:
    path = face_pretrained_file(weights_file)
    if path is not None:
        from training.pretrain import load_pretrained

        return load_pretrained(network, arch, path)
    return load_imagenet_weights(network, arch, weights_file)


def require_imagenet_weights(arch: str, weights_file: str | os.PathLike[str] | None = None) -> Path:
    """The weights file to use, or WeightsError naming where it was expected."""
    path = Path(weights_file) if weights_file is not None else imagenet_weights_path(arch)
    if not path.is_file():
        raise WeightsError(
            f"The ImageNet weights for {arch} are not on this machine; put the file at {path} "
            "or train without pretrained weights (--no-pretrained)."
        )
    return path


def load_imagenet_weights(
    network: nn.Module, arch: str, weights_file: str | os.PathLike[str] | None = None
) -> nn.Module:
    """Load ImageNet weights into every layer of ``network`` but its classification head.

    The backbone must match the checkpoint exactly. Head tensors are loaded too when their
    shapes agree (a 1000-class head), and otherwise keep their fresh initialisation.
    Returns ``network``.
    """
    path = require_imagenet_weights(arch, weights_file)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad or unsafe checkpoint
        raise WeightsError(
            f"The ImageNet weights file {path} is unreadable; replace it with torchvision's "
            f"file for {arch}."
        ) from exc
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(
            f"The file {path} is not a {arch} state dict; replace it with torchvision's file."
        )
    own = network.state_dict()
    head = head_name(arch) + "."
    skipped = {
        k for k, v in state.items() if k.startswith(head) and k in own and v.shape != own[k].shape
    }
    state = {k: v for k, v in state.items() if k not in skipped}
    try:
        missing, unexpected = network.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # a backbone tensor of the wrong shape
        raise WeightsError(
            f"The weights in {path} do not fit {arch}; use torchvision's file for it."
        ) from exc
    missing = [k for k in missing if k not in skipped]
    if missing or unexpected:
        example = (missing or unexpected)[0]
        raise WeightsError(
            f"The weights in {path} do not fit {arch} ({len(missing)} missing and "
            f"{len(unexpected)} unexpected tensors, e.g. {example}); use torchvision's file."
        )
    return network
