"""Mixed precision for training: the autocast type a device gets, and the optimiser step
that goes with it.

bf16 keeps fp32's exponent range, so its gradients need no loss scaling; fp16 needs a
``GradScaler``, whose checks for inf/NaN cost a synchronisation per step. What ``auto``
picks was measured (docs/performance.md, an H100, the recipe's 112 px and batch 32):

- VGG on a GPU: bf16 (fp16 on a GPU without bf16). Its large dense convolutions run on
  tensor cores: 1.24-1.26x fp32 at 112 px, 1.52-1.55x at 224 px.
- ResNet and MobileNet-V2 on a GPU: fp32. Their steps are launch-bound at this size and
  autocast adds a cast per layer: bf16 ran at 0.90x (resnet18), 0.99x (resnet34) and 0.71x
  (mobilenet_v2, whose depthwise convolutions gain nothing) of fp32.
- Any network on the CPU: fp32. Without bf16 matrix units autocast only adds casts.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import torch
from torch import nn

from training.config import PRECISIONS

# The architectures whose training ``auto`` runs in mixed precision on a GPU (see above).
MIXED_PRECISION_ON_GPU = frozenset({"vgg16", "vgg19"})

_DTYPES = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}


def autocast_dtype(
    precision: str, device: torch.device, arch: str | None = None
) -> torch.dtype | None:
    """The autocast type for ``precision`` (one of :data:`PRECISIONS`) when training
    ``arch`` on ``device``; ``None`` means plain fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return _DTYPES[precision]
    if device.type != "cuda" or arch not in MIXED_PRECISION_ON_GPU:
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class MixedPrecision:
    """Forward passes under autocast and the matching backward/step, for one device."""

    def __init__(self, precision: str, device: torch.device, arch: str | None = None) -> None:
        self.dtype = autocast_dtype(precision, device, arch)
        self.device_type = device.type
        self.scaler = torch.amp.GradScaler(device.type) if self.dtype == torch.float16 else None

    @property
    def name(self) -> str:
        """``fp32``, ``fp16`` or ``bf16``: what the steps really run in."""
        return {None: "fp32", torch.float16: "fp16", torch.bfloat16: "bf16"}[self.dtype]

    def autocast(self) -> AbstractContextManager[None]:
        return torch.autocast(
            self.device_type, dtype=self.dtype or torch.float32, enabled=self.dtype is not None
        )

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """Back-propagate ``loss`` and step ``optimizer`` (gradients cleared first)."""
        optimizer.zero_grad(set_to_none=True)
        if self.scaler is None:
            loss.backward()
            optimizer.step()
            return
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()


def on_device(model: nn.Module, device: torch.device) -> nn.Module:
    """``model`` on ``device`` in channels-last memory format, which convolutions on tensor
    cores and oneDNN's CPU kernels both prefer (the inputs are made channels-last too)."""
    return model.to(device).to(memory_format=torch.channels_last)


def resident(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The training set where the batches are drawn: moved to a GPU once (a crop of 112 px
    is 38 KB, so thousands fit), which beats per-batch pinned copies; left on the CPU."""
    return tensor.to(device) if device.type == "cuda" else tensor
