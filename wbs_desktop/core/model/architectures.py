"""The CNN architectures a model bundle may hold, and where Grad-CAM looks in each.

Networks are always built without pretrained weights: the app gets its weights from a
bundle, and training gets ImageNet weights from ``training.pretrained``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn
import torchvision.models as tvm

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.i18n import _
from wbs_desktop.core.model.card import ARCHITECTURES, CAM_LAYERS

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
            _("The model architecture {arch!r} is not supported; use one of {value}.").format(
                arch=arch, value=", ".join(ARCHITECTURES)
            )
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


def target_layer(network: nn.Module, arch: str, where: str = "final") -> nn.Module:
    """The module whose output is the Grad-CAM target map (see :data:`CAM_LAYERS`).

    For VGG this is a ReLU before a MaxPool (the last one for "final" and "stride16", the
    one before for "stride8"): torchvision's ReLUs are in place, so the conv's own output
    tensor would be overwritten after a hook on the conv had seen it. MobileNet-V2's
    stride-16 and stride-8 maps are the outputs of its 14th and 7th blocks.
    """
    _check_arch(arch)
    if where not in CAM_LAYERS:
        raise ModelError(
            _("The Grad-CAM layer {where!r} is not one of {value}.").format(
                where=where, value=", ".join(CAM_LAYERS)
            )
        )
    if arch.startswith("vgg"):
        features = list(network.get_submodule("features").children())
        pools = [i for i, module in enumerate(features) if isinstance(module, nn.MaxPool2d)]
        if len(pools) != 5 or pools[-1] != len(features) - 1:
            raise ModelError(
                _("The {arch} network does not have the expected layer layout.").format(arch=arch)
            )
        pool = pools[-2 if where == "stride8" else -1]
        relu = features[pool - 1]
        if not isinstance(relu, nn.ReLU):
            raise ModelError(
                _("The {arch} network does not have the expected layer layout.").format(arch=arch)
            )
        return relu
    if arch.startswith("resnet"):
        return network.get_submodule({"final": "layer4", "stride16": "layer3"}.get(where, "layer2"))
    blocks = list(network.get_submodule("features").children())
    return blocks[{"final": -1, "stride16": 13}.get(where, 6)]


def seeded_network(arch: str, seed: int, num_classes: int = 2) -> nn.Module:
    """A random network, in eval mode, whose outputs still vary from image to image.

    With torchvision's initial batch-norm statistics, MobileNet-V2 and the ResNets give
    near-zero activations: every photo would score exactly 0.5 with an empty heatmap, a
    poor test of the pipeline. The statistics are therefore estimated on random images.
    """
    torch.manual_seed(seed)
    network = build_network(arch, num_classes)
    norms = [m for m in network.modules() if isinstance(m, nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a plain average over the batches below
    network.train()
    with torch.no_grad():
        for _ in range(2):
            network(torch.randn(4, 3, 224, 224))
    for norm in norms:
        norm.momentum = 0.1
    return network.eval()
