"""What the main window's controllers share: the window that parents them and their
dialogs, its widgets, the remembered settings and the worker pool, handed over as one
:class:`WindowParts`, and one signal for the sentence the window shows when something
fails."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from wbs_desktop.gui.settings import Settings
from wbs_desktop.gui.window_layout import WindowLayout
from wbs_desktop.gui.worker_pool import WorkerPool


@dataclass(frozen=True)
class WindowParts:
    window: QWidget  # parent of the dialogs and of the controllers
    ui: WindowLayout
    settings: Settings
    pool: WorkerPool


class WindowController(QObject):
    failed = Signal(str)  # the sentence shown

    def __init__(self, parts: WindowParts) -> None:
        super().__init__(parts.window)
        self._window = parts.window
        self._ui = parts.ui
        self._settings = parts.settings
        self._pool = parts.pool
