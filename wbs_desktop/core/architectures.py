"""The CNN architectures a model bundle may hold, and where Grad-CAM looks in each.

Networks are always built without pretrained weights: the app gets its weights from a
bundle, and training gets ImageNet weights from ``training.pretrained``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch.nn as nn
import torchvision.models as tvm

from .errors import ModelError

ARCHITECTURES: tuple[str, ...] = ("vgg16", "vgg19", "resnet18", "resnet34", "mobilenet_v2")

_CONSTRUCTORS: dict[str, Callable[..., nn.Module]] = {
    "vgg16": tvm.vgg16,
    "vgg19": tvm.vgg19,
    "resnet18": tvm.resnet18,
    "resnet34": tvm.resnet34,
    "mobilenet_v2": tvm.mobilenet_v2,
}

# Dotted name of the final Linear layer: the part that differs from an ImageNet checkpoint.
_HEADS: dict[str, str] = {
    "vgg16": "classifier.6",
    "vgg19": "classifier.6",
    "resnet18": "fc",
    "resnet34": "fc",
    "mobilenet_v2": "classifier.1",
}


def _check_arch(arch: str) -> None:
    if arch not in _CONSTRUCTORS:
        raise ModelError(
            f"The model architecture {arch!r} is not supported; "
            f"use one of {', '.join(ARCHITECTURES)}."
        )


def build_network(arch: str, num_classes: int) -> nn.Module:
    """Build ``arch`` with random weights and an ``num_classes``-way Linear head.

    Callers that only need names and shapes can call this under ``torch.device("meta")``,
    which skips the (slow, for VGG) random initialisation.
    """
    _check_arch(arch)
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    return _CONSTRUCTORS[arch](weights=None, num_classes=num_classes)


def head_name(arch: str) -> str:
    """Dotted module name of the classification head (its keys start with this + ".")."""
    _check_arch(arch)
    return _HEADS[arch]


def target_layer(network: nn.Module, arch: str) -> nn.Module:
    """The module whose output is the last convolutional feature map (the Grad-CAM target).

    For VGG this is the ReLU before the final MaxPool: torchvision's ReLUs are in place, so
    the conv's own output tensor would be overwritten after a hook on the conv had seen it.
    """
    _check_arch(arch)
    if arch.startswith("vgg"):
        features = list(network.features)  # type: ignore[attr-defined]
        if not isinstance(features[-1], nn.MaxPool2d):
            raise ModelError(f"The {arch} network does not have the expected layer layout.")
        for module in reversed(features[:-1]):
            if isinstance(module, nn.ReLU):
                return module
        raise ModelError(f"The {arch} network does not have the expected layer layout.")
    if arch.startswith("resnet"):
        return network.layer4  # type: ignore[attr-defined,return-value]
    return network.features[-1]  # type: ignore[attr-defined,index,return-value]
