"""Where photos come from: the open dialog, the recent-files menu, a drop, the clipboard,
the camera, and a folder for batch screening. Each photo goes on to the
:class:`~wbs_desktop.gui.analysis_controller.AnalysisController`."""

from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QMimeData, QTimer
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from wbs_desktop.core.pipeline.imaging import SUPPORTED_SUFFIXES
from wbs_desktop.gui.analysis_controller import AnalysisController
from wbs_desktop.gui.batch_dialog import BatchDialog
from wbs_desktop.gui.camera_dialog import CameraDialog
from wbs_desktop.gui.controller import WindowController, WindowParts
from wbs_desktop.gui.model_controller import ModelController
from wbs_desktop.gui.plain_text import menu_text, tooltip

PATTERNS = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)


def local_files(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class PhotoController(WindowController):
    def __init__(
        self,
        parts: WindowParts,
        recent_menu: QMenu,
        models: ModelController,
        analyser: AnalysisController,
    ) -> None:
        super().__init__(parts)
        self._recent_menu = recent_menu
        self._models = models
        self._analyser = analyser
        self.batch_dialog: BatchDialog | None = None
        self.camera_dialog: CameraDialog | None = None
        self.refresh_recent_menu()

    # -------------------------------------------------------------------------- files

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Open a photo"),
            self._settings.last_folder,
            self.tr("Photos ({patterns});;All files (*)").format(patterns=PATTERNS),
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str | os.PathLike[str]) -> None:
        path = os.path.abspath(os.fspath(path))
        self._settings.last_folder = os.path.dirname(path)
        self._settings.add_recent_file(path)
        self.refresh_recent_menu()
        self._analyser.read_photo(path, os.path.basename(path))

    def refresh_recent_menu(self) -> None:
        menu = self._recent_menu
        menu.clear()
        files = self._settings.recent_files
        for number, path in enumerate(files, 1):
            action = menu.addAction(f"&{number} {menu_text(os.path.basename(path))}")
            action.setToolTip(tooltip(path))
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+Shift+{number}"))
            action.triggered.connect(partial(self._open_recent, path))
        if files:
            menu.addSeparator()
            menu.addAction(self.tr("Clear list"), self._clear_recent)
        menu.setEnabled(bool(files))

    def forget(self, path: str) -> None:
        """Take a photo that could not be opened off the recent list."""
        self._settings.remove_recent_file(path)
        self.refresh_recent_menu()

    def _open_recent(self, path: str) -> None:
        if not os.path.isfile(path):
            self.forget(path)
            self.failed.emit(
                self.tr(
                    "The photo {path} is no longer there ({path2}); it was removed from "
                    "the recent list."
                ).format(path=os.path.basename(path), path2=os.path.dirname(path))
            )
            return
        self.open_path(path)

    def _clear_recent(self) -> None:
        self._settings.clear_recent_files()
        self.refresh_recent_menu()

    # ---------------------------------------------------------------- drop and paste

    @staticmethod
    def can_open(mime: QMimeData) -> bool:
        """Whether a drag carries something :meth:`open_mime` takes."""
        return bool(local_files(mime)) or mime.hasImage()

    def open_mime(self, mime: QMimeData) -> bool:
        """Open what a drop or the clipboard holds: a file, a folder (batch) or a picture."""
        files = local_files(mime)
        if files:
            folders = [f for f in files if os.path.isdir(f)]
            if folders and len(files) == 1:
                self.open_batch(folders[0])
                return True
            photos = [f for f in files if not os.path.isdir(f)]
            if not photos:
                self.failed.emit(self.tr("Drop a photo file, or a single folder to screen it."))
                return False
            self.open_path(photos[0])
            if len(photos) > 1:
                QTimer.singleShot(
                    0,
                    lambda: self._ui.message_bar.show_message(
                        self.tr(
                            "{photos} files were dropped; only {value} was opened. To screen "
                            "several photos, use Screen a folder (Ctrl+B)."
                        ).format(photos=len(photos), value=os.path.basename(photos[0])),
                        "info",
                    ),
                )
            return True
        if mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self._analyser.read_photo(image, self.tr("Pasted picture"))
                return True
        return False

    def paste(self) -> None:
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self._analyser.read_photo(image, self.tr("Pasted picture"))
                return
        if mime is not None and self.open_mime(mime):
            return
        text = clipboard.text().strip() if mime is not None and mime.hasText() else ""
        if text and os.path.isfile(text):
            self.open_path(text)
            return
        self.failed.emit(
            self.tr(
                "The clipboard holds no picture: copy a photo (or a photo file) first, then paste."
            )
        )

    # ---------------------------------------------------------------- camera and batch

    def ask_camera(self) -> None:
        self.open_camera(0)

    def open_camera(self, source: int | str = 0) -> CameraDialog:
        dialog = CameraDialog(self._window, source)
        dialog.captured.connect(
            lambda frame: self._analyser.read_photo(frame, self.tr("Camera capture"))
        )
        dialog.finished.connect(lambda _result: setattr(self, "camera_dialog", None))
        self.camera_dialog = dialog
        dialog.open()
        dialog.start(source)
        return dialog

    def ask_batch(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._window, self.tr("Screen a folder of photos"), self._settings.last_folder
        )
        if folder:
            self.open_batch(folder)

    def open_batch(self, folder: str) -> BatchDialog | None:
        if self._models.bundle is None:
            self.failed.emit(self.tr("The model is not loaded yet; try again in a moment."))
            return None
        self._settings.last_folder = folder
        dialog = BatchDialog(folder, self._models.bundle, self._models.device, self._window)
        self.batch_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    def close_dialogs(self) -> None:
        """Stop the camera and the batch, if open (the window is closing)."""
        for dialog in (self.batch_dialog, self.camera_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.reject()
