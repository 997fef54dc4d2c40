"""Choosing the compute device: CUDA when present, else CPU, overridable by the user."""

from __future__ import annotations

import torch

from wbs_desktop.core.errors import DeviceError

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
                "No CUDA graphics card is available on this computer: choose 'CPU' or 'Auto'."
            )
        device = torch.device(name)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(
                f"There is no graphics card number {device.index} on this computer "
                f"(it has {torch.cuda.device_count()}): choose another device."
            )
        return device
    raise DeviceError(f"Unknown device '{requested}': choose one of auto, cpu or cuda.")
