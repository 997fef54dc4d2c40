"""Remembered window state and choices (QSettings); never photos, results or file contents.

``WBS_SETTINGS_FILE`` points the app at an INI file of its own (tests, portable installs).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "WBS Screen"
APPLICATION = "WBS Screen"
MAX_RECENT = 8


def open_settings() -> QSettings:
    path = os.environ.get("WBS_SETTINGS_FILE")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def _as_list(value: Any) -> list[str]:
    """INI files give back a one-item list as a bare string and an empty one as None."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class Settings:
    """Typed access to the keys the app uses."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else open_settings()

    def _get(self, key: str, default: Any, kind: type) -> Any:
        try:
            return self.store.value(key, default, type=kind)
        except (TypeError, ValueError):  # a hand-edited file with a wrong type
            return default

    # --- choices
    @property
    def colormap(self) -> str:
        return str(self._get("view/colormap", "cividis", str))

    @colormap.setter
    def colormap(self, name: str) -> None:
        self.store.setValue("view/colormap", name)

    @property
    def opacity(self) -> int:
        """Heatmap opacity in percent."""
        return max(0, min(100, int(self._get("view/opacity", 55, int))))

    @opacity.setter
    def opacity(self, percent: int) -> None:
        self.store.setValue("view/opacity", int(percent))

    @property
    def show_landmarks(self) -> bool:
        return bool(self._get("view/landmarks", True, bool))

    @show_landmarks.setter
    def show_landmarks(self, on: bool) -> None:
        self.store.setValue("view/landmarks", bool(on))

    @property
    def heat_on_photo(self) -> bool:
        return bool(self._get("view/heat_on_photo", True, bool))

    @heat_on_photo.setter
    def heat_on_photo(self, on: bool) -> None:
        self.store.setValue("view/heat_on_photo", bool(on))

    @property
    def crop_report_to_face(self) -> bool:
        return bool(self._get("report/crop_to_face", False, bool))

    @crop_report_to_face.setter
    def crop_report_to_face(self, on: bool) -> None:
        self.store.setValue("report/crop_to_face", bool(on))

    @property
    def device(self) -> str:
        return str(self._get("model/device", "auto", str))

    @device.setter
    def device(self, name: str) -> None:
        self.store.setValue("model/device", name)

    @property
    def model_path(self) -> str:
        """The model chosen last ("" for the default)."""
        return str(self._get("model/path", "", str))

    @model_path.setter
    def model_path(self, path: str) -> None:
        self.store.setValue("model/path", path)

    @property
    def added_models(self) -> dict[str, str]:
        """Model files the user added: path -> SHA-256 they confirmed ("" when the file has
        its own checksum)."""
        paths = _as_list(self.store.value("model/added_paths"))
        hashes = _as_list(self.store.value("model/added_hashes"))
        hashes += [""] * (len(paths) - len(hashes))
        return dict(zip(paths, hashes, strict=False))

    def add_model(self, path: str, confirmed_sha256: str = "") -> None:
        models = self.added_models
        models[path] = confirmed_sha256
        self.store.setValue("model/added_paths", list(models))
        self.store.setValue("model/added_hashes", list(models.values()))

    # --- files
    @property
    def recent_files(self) -> list[str]:
        return _as_list(self.store.value("files/recent"))[:MAX_RECENT]

    def add_recent_file(self, path: str) -> None:
        files = [path] + [p for p in self.recent_files if p != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    def remove_recent_file(self, path: str) -> None:
        self.store.setValue("files/recent", [p for p in self.recent_files if p != path])

    def clear_recent_files(self) -> None:
        self.store.setValue("files/recent", [])

    @property
    def last_folder(self) -> str:
        return str(self._get("files/last_folder", "", str))

    @last_folder.setter
    def last_folder(self, folder: str) -> None:
        self.store.setValue("files/last_folder", folder)

    # --- window state
    def window_state(self, key: str) -> QByteArray | None:
        value = self.store.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, key: str, value: QByteArray) -> None:
        self.store.setValue(f"window/{key}", value)

    def sync(self) -> None:
        self.store.sync()
