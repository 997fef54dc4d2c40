"""Capture a photo: live preview, camera choice (or a video file), freeze, retake, use."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop.gui.camera import CameraSource, CameraWorker, describe
from wbs_desktop.gui.plain_text import PlainLabel
from wbs_desktop.gui.views import ImageCanvas

CAMERA_COUNT = 4


class CameraDialog(QDialog):
    captured = Signal(object)  # RGB uint8 array of the frozen frame

    def __init__(self, parent: QWidget | None = None, source: CameraSource = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Capture a photo - WBS Screen"))
        self.resize(760, 620)
        self.worker: CameraWorker | None = None
        self.last_frame: np.ndarray | None = None
        self.frozen: np.ndarray | None = None
        self.frames_seen = 0
        self._live_text = ""
        self._retired: list[CameraWorker] = []

        self.sources = QComboBox()
        for index in range(CAMERA_COUNT):
            self.sources.addItem(self.tr("Camera {index}").format(index=index), index)
        self.sources.addItem(self.tr("Video file…"), None)
        self.sources.setToolTip(self.tr("Which camera to use; a video file works too"))
        self.sources.activated.connect(self._on_source_activated)
        self.preview = ImageCanvas(placeholder=self.tr("Starting the camera…"))
        self.status = PlainLabel()
        self.status.setWordWrap(True)
        self.freeze_button = QPushButton(self.tr("Freeze"))
        self.freeze_button.setShortcut(QKeySequence("Space"))
        self.freeze_button.setToolTip(self.tr("Hold the current picture (Space)"))
        self.freeze_button.clicked.connect(self.toggle_freeze)
        self.use_button = QPushButton(self.tr("Use this photo"))
        self.use_button.setDefault(True)
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_frozen)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda: self.start(self.source))
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Source")))
        top.addWidget(self.sources, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.freeze_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.source: CameraSource = source

    # --- sources
    def _on_source_activated(self, index: int) -> None:
        data = self.sources.itemData(index)
        if data is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Choose a video file"),
                "",
                self.tr("Videos (*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"),
            )
            if not path:
                self._select_current_source()
                return
            data = path
        self.start(data)

    def _select_current_source(self) -> None:
        index = self.sources.findData(self.source)
        if index < 0:
            self.sources.insertItem(self.sources.count() - 1, describe(self.source), self.source)
            index = self.sources.findData(self.source)
        self.sources.setCurrentIndex(index)

    def start(self, source: CameraSource) -> None:
        """(Re)start the preview from a camera index or a video file path."""
        self.stop()
        self.source = source
        self._select_current_source()
        self.frozen = None
        self.last_frame = None
        self.frames_seen = 0
        self.preview.placeholder = self.tr("Starting {source}…").format(source=describe(source))
        self.preview.set_image(None)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Connecting to {source}…").format(source=describe(source)))
        self.retry_button.hide()
        self.freeze_button.setText(self.tr("Freeze"))
        self.freeze_button.setEnabled(False)
        self.use_button.setEnabled(False)
        worker = CameraWorker(source)
        worker.opened.connect(self._on_opened)
        worker.frame.connect(self._on_frame)
        worker.error.connect(self._on_error)
        self.worker = worker
        worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            for signal in (worker.opened, worker.frame, worker.error):
                signal.disconnect()
            worker.requestInterruption()
            worker.wait(3000)
            self._retired.append(worker)

    # --- frames
    def _on_opened(self, name: str) -> None:
        self.status.setText(
            self.tr("Live: {name}. Ask the child to look straight at the camera.").format(name=name)
        )
        self.freeze_button.setEnabled(True)

    def _on_frame(self, frame: np.ndarray) -> None:
        self.last_frame = frame
        self.frames_seen += 1
        if self.frozen is None:
            self.preview.set_image(frame)

    def _on_error(self, message: str) -> None:
        self.status.setStyleSheet("color: #8c1d18;")
        self.status.setText(message)
        self.retry_button.show()
        self.freeze_button.setEnabled(self.frozen is not None)
        if self.frozen is None:
            self.preview.placeholder = self.tr("No picture from the camera.")
            self.preview.set_image(None)

    def error_text(self) -> str:
        return self.status.text() if self.retry_button.isVisible() else ""

    # --- freeze, retake, use
    def toggle_freeze(self) -> None:
        if self.frozen is None:
            if self.last_frame is None:
                return
            self.frozen = self.last_frame
            self.preview.set_image(self.frozen)
            self._live_text = self.status.text()
            if not self.retry_button.isVisible():
                self.status.setText(self.tr("Frozen: use this photo, or retake (Space)."))
            self.freeze_button.setText(self.tr("Retake"))
            self.freeze_button.setToolTip(self.tr("Back to the live picture (Space)"))
            self.use_button.setEnabled(True)
        else:
            self.frozen = None
            if not self.retry_button.isVisible():
                self.status.setText(self._live_text)
            self.freeze_button.setText(self.tr("Freeze"))
            self.freeze_button.setToolTip(self.tr("Hold the current picture (Space)"))
            self.use_button.setEnabled(False)
            if self.last_frame is not None:
                self.preview.set_image(self.last_frame)

    def use_frozen(self) -> None:
        if self.frozen is None:
            return
        frame = self.frozen
        self.accept()
        self.captured.emit(frame)

    def done(self, result: int) -> None:
        self.stop()
        for worker in self._retired:
            worker.wait(3000)
        super().done(result)
