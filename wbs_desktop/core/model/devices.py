"""Choosing the compute device: CUDA when present, else CPU, overridable by the user."""

from __future__ import annotations

import torch

from wbs_desktop.core.errors import DeviceError
from wbs_desktop.core.i18n import _

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def available_devices() -> list[str]:
    """Device names the user can pick on this machine, "auto" first."""
    names = ["auto", "cpu"]
    if torch.cuda.is_available():
        names.append("cuda")
    return names


def resolve_device(requested: str | torch.device | None = None) -> torch.device:
    """``None``/"auto" -> CUDA if available, else CPU; "cuda" without a GPU -> DeviceError."""
    if isinstance(requested, torch.device):
        requested = str(requested)
    name = (requested or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(
                _("No CUDA graphics card is available on this computer: choose 'CPU' or 'Auto'.")
            )
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(
                _(
                    "There is no graphics card number {index} on this computer (it has "
                    "{value}): choose another device."
                ).format(index=device.index, value=torch.cuda.device_count())
            )
        return device
    raise DeviceError(
        _("Unknown device '{requested}': choose one of auto, cpu or cuda.").format(
            requested=requested
        )
    )
