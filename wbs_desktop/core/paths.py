"""Where the app's bundled files live: the source tree, or a PyInstaller folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding ``models/`` and ``resources/``.

    In a PyInstaller build that is the bundle's data folder (``sys._MEIPASS``); when run
    from the source tree (or an editable install) it is the repository root.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def models_dir() -> Path:
    """The installed model bundles; ``WBS_MODELS_DIR`` overrides (tests, clinics)."""
    override = os.environ.get("WBS_MODELS_DIR")
    return Path(override) if override else app_root() / "models"


def resources_dir() -> Path:
    return app_root() / "resources"


def sample_photo_path() -> Path:
    """A frontal photo shipped with the app for the self-test (see resources/README.md)."""
    return resources_dir() / "sample_face.jpg"


def intended_use_path(language: str = "en") -> Path:
    """The full intended-use statement; ``intended_use.<language>.md`` for a translation."""
    name = "intended_use.md" if language == "en" else f"intended_use.{language}.md"
    return resources_dir() / name


def cjk_font_path() -> Path:
    """The font that reports and the window fall back on for Chinese (and any other
    character their Latin font lacks): Droid Sans Fallback, Apache-2.0 (its licence is
    ``LICENSE-DroidSansFallback.txt`` beside it)."""
    return resources_dir() / "fonts" / "DroidSansFallbackFull.ttf"
