"""Remembered window state and choices (QSettings); never photos, results or file contents.

``WBS_SETTINGS_FILE`` points the app at an INI file of its own (tests, portable installs).
"""

from __future__ import annotations

import os
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "WBS Screen"
APPLICATION = "WBS Screen"
MAX_RECENT = 8
T = TypeVar("T", str, int, bool)


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


class _Stored(Generic[T]):
    """One remembered choice: read as ``kind`` (the default when the file holds something
    else, e.g. after a hand edit), kept within ``limits`` when given."""

    def __init__(
        self, key: str, default: T, kind: type[T], limits: tuple[T, T] | None = None
    ) -> None:
        self.key = key
        self.default: T = default
        self.kind: type[T] = kind
        self.limits: tuple[T, T] | None = limits

    def __get__(self, settings: Settings, owner: type | None = None) -> T:
        try:
            stored: Any = settings.store.value(self.key, self.default, type=self.kind)
            value = self.kind(stored)
        except (TypeError, ValueError):
            return self.default
        if self.limits is not None:
            low, high = self.limits
            value = max(low, min(high, value))
        return value

    def __set__(self, settings: Settings, value: T) -> None:
        settings.store.setValue(self.key, self.kind(value))


class Settings:
    """Typed access to the keys the app uses."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else open_settings()

    # --- choices
    colormap = _Stored("view/colormap", "cividis", str)
    opacity = _Stored("view/opacity", 55, int, limits=(0, 100))  # heatmap opacity, percent
    show_landmarks = _Stored("view/landmarks", True, bool)
    heat_on_photo = _Stored("view/heat_on_photo", True, bool)
    crop_report_to_face = _Stored("report/crop_to_face", False, bool)
    device = _Stored("model/device", "auto", str)
    model_path = _Stored("model/path", "", str)  # the model chosen last ("" for the default)
    language = _Stored("view/language", "", str)  # "en" or "zh_CN"; "" follows the system

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

    last_folder = _Stored("files/last_folder", "", str)

    # --- window state
    def window_state(self, key: str) -> QByteArray | None:
        value = self.store.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, key: str, value: QByteArray) -> None:
        self.store.setValue(f"window/{key}", value)

    def sync(self) -> None:
        self.store.sync()
