"""What a run folder records about itself: JSON and array files written atomically, the
fingerprint a ``--resume`` must match, and the software, hardware and git state that go
into its manifest."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.config import TrainConfig
from training.data import DataError
from training.ddp import Context
from wbs_desktop.core.files import atomic_write


def write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_array(path: Path, array: np.ndarray) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            np.save(f, array, allow_pickle=False)

    atomic_write(path, write)


def fingerprint(
    config: TrainConfig, data_hash: str, split_rows: list[dict[str, str]], n_folds: int
) -> dict[str, Any]:
    """What ``run.json`` holds and a ``--resume`` must match: config, data hash, splits."""
    splits_hash = hashlib.sha256(json.dumps(split_rows, sort_keys=True).encode()).hexdigest()
    return {
        "config": config.to_dict(),
        "data_hash": data_hash,
        "splits_hash": splits_hash,
        "folds": n_folds,
    }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def check_resume(saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Refuse to resume a run whose configuration, data or splits have changed."""
    changes = []
    before, after = _flatten(saved["config"]), _flatten(current["config"])
    changes += [
        f"config {key}: {before.get(key)!r} -> {after.get(key)!r}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]
    if saved["data_hash"] != current["data_hash"]:
        changes.append("the photos or their labels")
    if saved["splits_hash"] != current["splits_hash"]:
        changes.append("the held-out people or the folds")
    if changes:
        raise DataError(
            "This run cannot be resumed because "
            + "; ".join(changes[:5])
            + (" (and more)" if len(changes) > 5 else "")
            + " changed since it started; start a new run with another --out."
        )


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                capture_output=True,
                text=True,
                cwd=Path(__file__).parent,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def software_versions() -> dict[str, str | None]:
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    import cv2
    import torchvision
    from PIL import Image

    from wbs_desktop import __version__

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "mediapipe": installed("mediapipe"),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "pillow": Image.__version__,
        "wbs_desktop": __version__,
    }


def device_info(ctx: Context) -> dict[str, Any]:
    cuda = torch.cuda.is_available()
    return {
        "device": str(ctx.device),
        "world_size": ctx.world_size,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
        "cpu_threads": torch.get_num_threads(),
        "platform": platform.platform(),
    }
