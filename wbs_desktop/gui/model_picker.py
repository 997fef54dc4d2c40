"""Toolbar controls to choose the model bundle and the compute device."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from wbs_desktop.core.files import printable
from wbs_desktop.gui.plain_text import tooltip

if TYPE_CHECKING:
    from wbs_desktop.core.model.registry import BundleEntry

ADD_ITEM = "Add model file…"
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA (GPU)"}


def same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


class ModelPicker(QWidget):
    model_chosen = Signal(str, str)  # path, SHA-256 the user confirmed ("" if none needed)
    add_requested = Signal()
    device_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models = QComboBox()
        self.models.setMinimumContentsLength(34)
        self.models.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.models.addItem(self.tr("Loading model…"))
        self.models.setEnabled(False)
        self.devices = QComboBox()
        for name in ("auto", "cpu"):
            self.devices.addItem(DEVICE_LABELS[name], name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self.model_label = QLabel()
        self.model_label.setBuddy(self.models)
        self.device_label = QLabel()
        self.device_label.setBuddy(self.devices)
        layout.addWidget(self.model_label)
        layout.addWidget(self.models)
        layout.addSpacing(10)
        layout.addWidget(self.device_label)
        layout.addWidget(self.devices)
        self._current_path = ""
        self.retranslate()
        self.models.activated.connect(self._on_model_activated)
        self.devices.activated.connect(
            lambda index: self.device_chosen.emit(self.devices.itemData(index))
        )

    # --- models
    def retranslate(self) -> None:
        self.models.setToolTip(self.tr("Model bundle used for the analysis"))
        self.devices.setToolTip(self.tr("Where the networks run"))
        self.model_label.setText(self.tr("Model"))
        self.device_label.setText(self.tr("Device"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_models(
        self, installed: Iterable[BundleEntry], added: Mapping[str, str], current_path: str
    ) -> None:
        """``installed``: registry entries; ``added``: path -> confirmed SHA-256."""
        self.models.blockSignals(True)
        self.models.clear()
        seen: list[str] = []
        for entry in installed:
            label = printable(entry.name) + (self.tr(" (default)") if entry.default else "")
            self.models.addItem(label, (str(entry.path), ""))
            self.models.setItemData(
                self.models.count() - 1,
                tooltip(f"{entry.path.name}\n{entry.summary}"),
                Qt.ItemDataRole.ToolTipRole,
            )
            seen.append(str(entry.path))
        for path, sha in added.items():
            if any(same_file(path, other) for other in seen):
                continue
            self.models.addItem(
                self.tr("{value} (added)").format(value=printable(os.path.basename(path))),
                (path, sha),
            )
            seen.append(path)
        if current_path and not any(same_file(current_path, p) for p in seen):
            self.models.addItem(printable(os.path.basename(current_path)), (current_path, ""))
        self.models.insertSeparator(self.models.count())
        self.models.addItem(ADD_ITEM, None)
        self.models.setEnabled(True)
        self.models.blockSignals(False)
        self.set_current(current_path)

    def set_current(self, path: str) -> None:
        self._current_path = path
        for index in range(self.models.count()):
            data = self.models.itemData(index)
            if data and same_file(data[0], path):
                self.models.setCurrentIndex(index)
                return

    def current_path(self) -> str:
        return self._current_path

    def index_of(self, path: str) -> int:
        for index in range(self.models.count()):
            data = self.models.itemData(index)
            if data and same_file(data[0], path):
                return index
        return -1

    def _on_model_activated(self, index: int) -> None:
        data = self.models.itemData(index)
        if data is None:  # "Add model file…"
            self.set_current(self._current_path)
            self.add_requested.emit()
            return
        path, sha = data
        if not same_file(path, self._current_path or "\0"):
            self.model_chosen.emit(path, sha)

    # --- devices
    def set_devices(self, names: Iterable[str], current: str) -> None:
        self.devices.blockSignals(True)
        self.devices.clear()
        for name in names:
            self.devices.addItem(DEVICE_LABELS.get(name, name), name)
        index = self.devices.findData(current)
        self.devices.setCurrentIndex(max(0, index))
        self.devices.blockSignals(False)

    def current_device(self) -> str:
        return str(self.devices.currentData() or "auto")
