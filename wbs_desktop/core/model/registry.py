"""The installed model bundles, as listed in ``models/index.json``.

The index maps each bundle's file name to its SHA-256 and a short summary; one entry may be
marked ``"default": true``. Loading a bundle checks its hash against this list, so a bundle
is only usable once it is registered here (or has a ``.sha256`` sidecar).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import file_sha256
from wbs_desktop.core.i18n import _
from wbs_desktop.core.model.bundle import load_model
from wbs_desktop.core.model.checksums import read_index, write_index
from wbs_desktop.core.paths import models_dir


@dataclass(frozen=True)
class BundleEntry:
    path: Path
    sha256: str
    name: str
    architecture: str
    status: str
    summary: str
    default: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.path.name,
            "sha256": self.sha256,
            "name": self.name,
            "architecture": self.architecture,
            "status": self.status,
            "summary": self.summary,
            "default": self.default,
        }


def installed_bundles(folder: Path | None = None) -> list[BundleEntry]:
    """Bundles listed in the index, the default first."""
    folder = folder or models_dir()
    entries = [
        BundleEntry(
            path=folder / file_name,
            sha256=str(info.get("sha256", "")),
            name=str(info.get("name", file_name)),
            architecture=str(info.get("architecture", "?")),
            status=str(info.get("status", "?")),
            summary=str(info.get("summary", "")),
            default=bool(info.get("default", False)),
        )
        for file_name, info in sorted(read_index(folder)["bundles"].items())
    ]
    return sorted(entries, key=lambda entry: not entry.default)


def default_model_path(folder: Path | None = None) -> Path:
    folder = folder or models_dir()
    entries = installed_bundles(folder)
    if not entries:
        raise ModelError(
            _(
                "No model is installed in {folder}: reinstall WBS Screen or add a model file."
            ).format(folder=folder)
        )
    return entries[0].path


def register_bundle(path: Path, *, summary: str = "", default: bool = False) -> BundleEntry:
    """Verify a bundle (with its current hash) and list it in its folder's index."""
    path = Path(path)
    sha256 = file_sha256(path)
    card = load_model(path, expected_sha256=sha256).card
    index = read_index(path.parent)["bundles"]
    if default:
        for info in index.values():
            info["default"] = False
    index[path.name] = {
        "sha256": sha256,
        "name": card["name"],
        "architecture": card["architecture"],
        "status": card["status"],
        "summary": summary,
        "default": default,
    }
    write_index(path.parent, index)
    return next(e for e in installed_bundles(path.parent) if e.path.name == path.name)
