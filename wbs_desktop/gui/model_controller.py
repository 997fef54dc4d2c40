"""Which model bundle the window uses, and on which device: loading it in a worker,
switching to another, and adding a model file, whose SHA-256 the user confirms when the
file has no checksum of its own."""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from wbs_desktop.core.files import printable
from wbs_desktop.gui.controller import WindowController, WindowParts
from wbs_desktop.gui.model_picker import same_file
from wbs_desktop.gui.worker_pool import error_text
from wbs_desktop.gui.workers import HashWorker, ModelLoader, ModelReady

if TYPE_CHECKING:  # for annotations only: the GUI imports torch lazily
    from wbs_desktop.core.model.bundle import ModelBundle


class ModelController(WindowController):
    ready = Signal(object)  # ModelReady, once its bundle is the one in use
    device_changed = Signal(str)

    def __init__(
        self, parts: WindowParts, *, model: str | None = None, device: str | None = None
    ) -> None:
        super().__init__(parts)
        self._override = model
        self.device = device or parts.settings.device
        self.bundle: ModelBundle | None = None
        self.loading = True  # start() follows the window's construction at once
        self.hash_box: QMessageBox | None = None
        self._token = 0

    def start(self) -> None:
        """Begin loading the model in the background (called once the window is shown)."""
        path = self._override or self._settings.model_path or None
        sha = ""
        if path and not self._override:
            sha = self._settings.added_models.get(path, "")
            if not os.path.isfile(path):
                path, sha = None, ""  # a remembered model that has gone: use the default
        self.load_model(path, sha)

    def load_model(self, path: str | None, expected_sha256: str = "") -> None:
        self._token += 1
        self.loading = True
        self._ui.set_status(self.tr("Loading model…"))
        if self.bundle is None:  # and so no result on screen either
            self._ui.result_panel.show_status(
                self.tr("Loading the model… a photo opened now is analysed as soon as it is ready.")
            )
        worker = ModelLoader(path, expected_sha256 or None, self.device)
        worker.progress.connect(lambda _d, _t, text: self._ui.set_status(text))
        worker.succeeded.connect(partial(self._on_loaded, self._token, path, expected_sha256))
        worker.error.connect(partial(self._on_error, self._token))
        self._pool.run(worker)

    def _on_loaded(self, token: int, path: str | None, sha: str, ready: ModelReady) -> None:
        if token != self._token:
            return
        self.loading = False
        self.bundle = ready.bundle
        model_path = str(ready.bundle.path)
        if path is not None:
            self._settings.model_path = model_path
            if sha or not any(same_file(model_path, str(e.path)) for e in ready.installed):
                self._settings.add_model(model_path, sha)
        self._ui.model_picker.set_models(ready.installed, self._settings.added_models, model_path)
        self._ui.model_picker.set_devices(ready.devices, self.device)
        self._ui.result_panel.set_model(ready.summary, self.bundle.card)
        self._ui.set_status(self.tr("Model ready: {name}").format(name=self.bundle.name))
        self.ready.emit(ready)

    def _on_error(self, token: int, error: Exception) -> None:
        if token != self._token:
            return
        self.loading = False
        self.failed.emit(
            self.tr("The model could not be used. {error}").format(error=error_text(error))
        )
        self._ui.set_status(
            self.tr("Model refused") if self.bundle is not None else self.tr("No model loaded")
        )
        if self.bundle is None:
            self._ui.result_panel.show_failure(
                self.tr("No model is loaded: choose one in the Model list or add a model file.")
            )
            self._list_models_without_bundle()
        else:
            self._ui.model_picker.set_current(str(self.bundle.path))

    def retranslate(self) -> None:
        """The model section in the current language (its lines come from the core)."""
        if self.bundle is not None:
            from wbs_desktop.core.pipeline.analysis import model_summary

            self._ui.result_panel.set_model(model_summary(self.bundle), self.bundle.card)

    def _list_models_without_bundle(self) -> None:
        try:
            from wbs_desktop.core.model.registry import installed_bundles

            installed = installed_bundles()
        except Exception:  # noqa: BLE001 - a damaged index: the error above says enough
            installed = []
        self._ui.model_picker.set_models(installed, self._settings.added_models, "")

    def choose_model(self, path: str, sha: str = "") -> None:
        """Switch to another bundle; the photo shown is analysed again with it."""
        self.load_model(path, sha)

    def choose_device(self, name: str) -> None:
        self.device = name
        self._settings.device = name
        self.device_changed.emit(name)

    # ------------------------------------------------------------------- added files

    def ask_add_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Add a model file"),
            self._settings.last_folder,
            self.tr("Model bundles (*.safetensors)"),
        )
        if path:
            self.add_model_file(path)

    def add_model_file(self, path: str) -> None:
        """Load a bundle file; one without a checksum needs the user to confirm its hash."""
        self._ui.set_status(self.tr("Checking the model file…"))
        worker = HashWorker(path)
        worker.succeeded.connect(partial(self._on_hash, path))
        worker.error.connect(lambda error: self.failed.emit(error_text(error)))
        self._pool.run(worker)

    def _on_hash(self, path: str, sha256: str | None) -> None:
        if sha256 is None:  # the file has its own checksum: load_model checks it
            self.load_model(path)
        else:
            self._confirm_hash(path, sha256)

    def _confirm_hash(self, path: str, sha256: str) -> None:
        self._ui.set_status("")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Confirm the model file"),
            self.tr(
                "The model file {value} has no checksum file, so WBS Screen cannot "
                "tell whether it is the file its provider made."
            ).format(value=printable(os.path.basename(path))),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self._window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            self.tr(
                "Its SHA-256 is:\n\n{sha256}\n\nCompare it with the checksum the model's "
                "provider published. Use this model only if they match. Load it?"
            ).format(sha256=sha256)
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        def answered(button: int) -> None:
            self.hash_box = None
            if button == QMessageBox.StandardButton.Yes:
                self.load_model(path, sha256)
            else:
                self._ui.set_status(self.tr("Model not added."))

        box.finished.connect(answered)
        self.hash_box = box
        box.open()
