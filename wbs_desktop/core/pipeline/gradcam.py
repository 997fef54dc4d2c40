"""Grad-CAM that rides on the scoring forward pass.

A forward hook cuts the graph at the target layer: it hands the rest of the network a copy
of the layer's output that is a fresh leaf requiring grad, so ``torch.autograd.grad`` only
back-propagates through the head (pooling and classifier), never through the backbone or
into parameters. That costs about as much as the plain forward pass, where
back-propagating through the whole network costs three to four times as much.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import cast

import torch
import torch.nn as nn
from torch import Tensor


def grad_cam(
    network: nn.Module, layer: nn.Module, x: Tensor, class_index: int | Sequence[int]
) -> tuple[Tensor, Tensor]:
    """Return ``(logits, cam)`` from one forward pass of ``network`` on ``x``.

    ``x`` is ``[N,3,S,S]`` on the network's device; ``layer`` is a submodule of ``network``
    that runs exactly once per forward pass (see ``architectures.target_layer``).
    ``class_index`` is the class to explain, one for all images or one per image.

    ``logits`` are detached, ``[N,C]``. ``cam`` is float32 at the layer's spatial size,
    ReLU'd but not normalised (see :func:`normalise_cam`): ``(h,w)`` when ``class_index``
    is a single integer and ``N == 1`` (the common case), otherwise ``(N,h,w)``.

    Put the network in eval mode first (in train mode, batch norm mixes the images of a
    batch). It must not be called under ``torch.inference_mode()``, which forbids autograd
    even where ``torch.enable_grad()`` is active; ``torch.no_grad()`` is fine. Parameters
    are frozen for the duration of the call, their ``requires_grad`` flags restored after,
    and never receive a ``.grad``.
    """
    if torch.is_inference_mode_enabled():
        raise RuntimeError("grad_cam needs autograd; call it outside torch.inference_mode()")
    n = x.shape[0]
    single = hasattr(class_index, "__index__")  # one int (numpy's too) for every image
    if single:
        indices = [operator.index(cast(int, class_index))] * n
    else:
        indices = [operator.index(i) for i in cast(Sequence[int], class_index)]
        if len(indices) != n:
            raise ValueError(f"got {len(indices)} class indices for a batch of {n} images")

    captured: list[Tensor] = []

    def hook(_module: nn.Module, _inputs: tuple[Tensor, ...], output: Tensor) -> Tensor:
        if not isinstance(output, Tensor) or output.ndim != 4:
            raise TypeError("the Grad-CAM target layer must output an [N,C,h,w] tensor")
        activation = output.detach().requires_grad_()
        captured.append(activation)
        # A clone, so that in-place operations after the layer cannot alter the leaf.
        return activation.clone()

    params = [p for p in network.parameters() if p.requires_grad]
    handle = layer.register_forward_hook(hook)
    try:
        for p in params:
            p.requires_grad_(False)
        with torch.enable_grad():
            logits = network(x)
            if len(captured) != 1:
                raise RuntimeError(
                    f"the Grad-CAM target layer ran {len(captured)} times in one forward pass"
                )
            if logits.ndim != 2 or not all(0 <= i < logits.shape[1] for i in indices):
                raise IndexError(
                    f"class indices {indices} do not fit logits of shape {tuple(logits.shape)}"
                )
            activation = captured[0]
            # Images are independent in eval mode, so the gradient of the sum is, per image,
            # the gradient of that image's own logit. One class for all is a plain column:
            # no index tensor to copy to a GPU, which would wait for the forward pass.
            if single:
                explained = logits[:, indices[0]]
            else:
                cols = torch.tensor(indices).to(logits.device, non_blocking=True)
                explained = logits.gather(1, cols[:, None])
            (grads,) = torch.autograd.grad(explained.sum(), activation)
    finally:
        handle.remove()
        for p in params:
            p.requires_grad_(True)

    weights = grads.float().mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * activation.detach().float()).sum(dim=1))
    if single and n == 1:
        cam = cam[0]
    return logits.detach(), cam


def normalise_cam(cam: Tensor) -> Tensor:
    """Min-max scale each map of ``cam`` (``(h,w)`` or ``(N,h,w)``) to [0, 1].

    A constant map (e.g. all zero: nothing pushed the score up) becomes all zeros.
    """
    flat = cam.reshape(-1, cam.shape[-2] * cam.shape[-1]).float()
    low = flat.min(dim=1, keepdim=True).values
    span = flat.max(dim=1, keepdim=True).values - low
    scaled = torch.where(span > 0, (flat - low) / span.clamp_min(1e-12), torch.zeros_like(flat))
    return scaled.reshape(cam.shape)
