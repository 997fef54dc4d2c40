"""Where a model file's expected SHA-256 comes from: the caller, ``index.json`` in its folder
(the installed models' list) or a ``<file>.sha256`` sidecar. A file with none is untrusted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import atomic_write
from wbs_desktop.core.i18n import _
from wbs_desktop.core.model.card import MAX_CARD_BYTES
from wbs_desktop.core.model.strict_json import strict_json

INDEX_FILE = "index.json"


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def read_index(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``folder/index.json`` (``{"bundles": {file name: {"sha256": ...}}}``).

    A missing index reads as ``{"bundles": {}}``.
    """
    path = Path(folder) / INDEX_FILE
    if not path.is_file():
        return {"bundles": {}}
    damaged = ModelError(
        _("The model list {path} is damaged; reinstall the models.").format(path=path)
    )
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise damaged
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            _("The model list {path} is unreadable; reinstall the models.").format(path=path)
        ) from exc
    index = strict_json(text, lambda _problem: damaged)
    bundles = index.get("bundles") if isinstance(index, dict) else None
    if not isinstance(bundles, dict) or not all(isinstance(e, dict) for e in bundles.values()):
        raise damaged
    return index


def write_index(folder: str | os.PathLike[str], entries: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write ``folder/index.json`` from ``{file name: {"sha256", "name", ...}}``."""
    path = Path(folder) / INDEX_FILE
    text = json.dumps({"bundles": entries}, indent=2, sort_keys=True) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def expected_checksum(path: Path, expected: str | None) -> str:
    if expected is not None:
        return expected.strip().lower()
    entry = read_index(path.parent)["bundles"].get(path.name)
    if entry is not None and "sha256" in entry:
        return str(entry["sha256"]).strip().lower()
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        try:
            text = sidecar.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelError(
                _("The checksum file {sidecar} is unreadable; reinstall the model.").format(
                    sidecar=sidecar
                )
            ) from exc
        return (text.split() or [""])[0].lower()
    raise ModelError(
        _(
            "The model file {name} has no checksum (no entry in {index_file} and "
            "no {sidecar}), so it cannot be trusted; reinstall it."
        ).format(name=path.name, index_file=INDEX_FILE, sidecar=sidecar.name)
    )


def has_own_checksum(path: Path) -> bool:
    """Whether ``path`` has an entry in its folder's index or a sidecar; a damaged index
    counts as no entry (loading the file will say what is wrong)."""
    if sidecar_path(path).is_file():
        return True
    try:
        return path.name in read_index(path.parent)["bundles"]
    except ModelError:
        return False
