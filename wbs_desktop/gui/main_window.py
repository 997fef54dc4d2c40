"""The main window: photo in (file, drop, paste, camera), result out, model choice, exports.

It builds the widgets (:mod:`window_layout`) and the actions (:mod:`window_actions`) and
wires them to the controllers that hold the session: the model in use
(:class:`ModelController`), where photos come from (:class:`PhotoController`), the photo
shown and its analysis (:class:`AnalysisController`) and reports
(:class:`ExportController`). Every failure ends up as a sentence in the message bar and the
status bar (a photo's also in the result column); unexpected exceptions go to ``crash``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from wbs_desktop import __version__
from wbs_desktop.core.files import printable
from wbs_desktop.gui.analysis_controller import AnalysisController
from wbs_desktop.gui.batch_dialog import BatchDialog
from wbs_desktop.gui.camera_dialog import CameraDialog
from wbs_desktop.gui.controller import WindowParts
from wbs_desktop.gui.documents import intended_use_dialog, model_card_dialog
from wbs_desktop.gui.export_controller import ExportController
from wbs_desktop.gui.language import apply_language
from wbs_desktop.gui.model_controller import ModelController
from wbs_desktop.gui.photo_controller import PhotoController
from wbs_desktop.gui.settings import Settings
from wbs_desktop.gui.window_actions import WindowActions
from wbs_desktop.gui.window_layout import WindowLayout
from wbs_desktop.gui.worker_pool import WorkerPool
from wbs_desktop.gui.workers import Analysis, LoadedPhoto, ModelReady

if TYPE_CHECKING:  # for annotations only: the GUI imports torch lazily
    from wbs_desktop.core.model.bundle import ModelBundle


class MainWindow(QMainWindow):
    model_ready = Signal(object)  # ModelReady
    result_shown = Signal(object)  # Analysis
    failure_shown = Signal(str)
    report_done = Signal(str)  # the path written, "" when it failed

    def __init__(
        self, settings: Settings, *, model: str | None = None, device: str | None = None
    ) -> None:
        super().__init__()
        self.settings = settings
        self.dialogs: list[QWidget] = []
        self._photo_name: str | None = None  # in the title
        self.setAcceptDrops(True)

        self.ui = WindowLayout(self, settings)
        self.commands = WindowActions(self, self.ui.model_picker)
        self.commands.view_menu.addAction(self.ui.case_dock.toggleViewAction())  # reopens it
        self.workers = WorkerPool(self)
        parts = WindowParts(self, self.ui, settings, self.workers)
        self.models = ModelController(parts, model=model, device=device)
        self.analyser = AnalysisController(parts, self.models)
        self.photos = PhotoController(parts, self.commands.recent_menu, self.models, self.analyser)
        self.exports = ExportController(parts, self.analyser)

        # The widgets and actions that tests (and the screenshot helper) reach by name.
        ui, commands = self.ui, self.commands
        self.message_bar = ui.message_bar
        self.result_panel = ui.result_panel
        self.status_text = ui.status_text
        self.photo_view = ui.photo_view
        self.aligned_view = ui.aligned_view
        self.gradcam_view = ui.gradcam_view
        self.colorbar = ui.colorbar
        self.landmark_toggle = ui.landmark_toggle
        self.opacity = ui.opacity
        self.colormaps = ui.colormaps
        self.image_split = ui.image_split
        self.model_picker = ui.model_picker
        self.open_action = commands.open_action
        self.paste_action = commands.paste_action
        self.report_action = commands.report_action
        self.crop_action = commands.crop_action
        self.landmarks_action = commands.landmarks_action
        self.card_action = commands.card_action
        self.use_action = commands.use_action

        self._connect()
        ui.restore_state(self)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts made here or by the helpers that are not widgets (actions, layout); the
        widgets retranslate themselves on the same ``LanguageChange``."""
        self.commands.retranslate()
        self.ui.retranslate()
        self._set_title()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.models.retranslate()
            self.analyser.retranslate()
        super().changeEvent(event)

    def set_language(self, language: str) -> None:
        """Switch the whole app to ``language`` ("en", "zh_CN") now, and remember it."""
        self.settings.language = apply_language(language)
        self.commands.check_language(self.settings.language)

    def _set_title(self) -> None:
        title = self.tr("WBS Screen")
        if self._photo_name is not None:
            title = self.tr("{photo} - {app}").format(photo=self._photo_name, app=title)
        self.setWindowTitle(printable(title))

    def _connect(self) -> None:
        ui, commands = self.ui, self.commands
        models, analyser, photos, exports = self.models, self.analyser, self.photos, self.exports
        commands.crop_action.setChecked(exports.crop_to_face)
        for action, slot in (
            (commands.new_case_action, self.new_case),
            (commands.open_action, photos.ask_open),
            (commands.paste_action, photos.paste),
            (commands.camera_action, photos.ask_camera),
            (commands.batch_action, photos.ask_batch),
            (commands.report_action, exports.ask_report),
            (commands.crop_action, exports.set_crop_to_face),
            (commands.reanalyse_action, analyser.analyse),
            (commands.quit_action, self.close),
            (commands.landmarks_action, ui.landmark_toggle.toggle),
            (commands.heat_action, ui.heat_toggle.toggle),
            (commands.more_opacity, lambda: ui.step_opacity(10)),
            (commands.less_opacity, lambda: ui.step_opacity(-10)),
            (commands.next_colormap, ui.next_colormap),
            (commands.add_model_action, models.ask_add_model),
            (commands.card_action, self.show_model_card),
            (commands.use_action, self.show_intended_use),
            (commands.about_action, self.show_about),
            (commands.dismiss_action, ui.message_bar.dismiss),
        ):
            action.triggered.connect(slot)

        for language, action in commands.language_actions.items():
            action.triggered.connect(lambda _checked=False, code=language: self.set_language(code))
        ui.model_picker.model_chosen.connect(models.choose_model)
        ui.model_picker.add_requested.connect(models.ask_add_model)
        ui.model_picker.device_chosen.connect(models.choose_device)
        ui.result_panel.model_card_requested.connect(self.show_model_card)
        ui.result_panel.intended_use_requested.connect(self.show_intended_use)
        ui.colormaps.currentIndexChanged.connect(analyser.on_colormap_changed)
        self.workers.busy_changed.connect(ui.busy.setVisible)

        # Slots run in the order connected: the actions and listeners learn of a new model
        # before the photo waiting for it is analysed.
        models.ready.connect(self._on_model_ready)
        models.ready.connect(self.model_ready)
        models.ready.connect(analyser.on_model_ready)
        models.device_changed.connect(analyser.on_device_changed)
        analyser.photo_shown.connect(self._on_photo_shown)
        analyser.analysis_changed.connect(commands.report_action.setEnabled)
        analyser.unreadable.connect(photos.forget)
        analyser.result_shown.connect(ui.case_photos.add)
        ui.case_photos.chosen.connect(analyser.show_again)
        analyser.result_shown.connect(self.result_shown)
        exports.report_done.connect(self.report_done)
        for controller in (models, analyser, photos, exports):
            controller.failed.connect(self._show_error)

    def _on_model_ready(self, ready: ModelReady) -> None:
        for action in (self.commands.batch_action, self.commands.card_action):
            action.setEnabled(True)
        self.ui.case_panel.set_model_card(ready.bundle.card)

    def new_case(self) -> None:
        """Clear everything: the case details, the photo and its result (Ctrl+N)."""
        self.ui.case_panel.clear()
        self.ui.case_photos.clear()
        self.analyser.clear()
        self.ui.message_bar.dismiss()
        self.commands.reanalyse_action.setEnabled(False)
        self._photo_name = None
        self._set_title()

    def _on_photo_shown(self, photo: LoadedPhoto) -> None:
        self.ui.case_panel.set_photo_date(photo.taken)
        self.commands.reanalyse_action.setEnabled(True)
        self._photo_name = photo.name
        self._set_title()

    def _show_error(self, text: str) -> None:
        self.ui.show_error(text)
        self.failure_shown.emit(text)

    # ------------------------------------------------------- the session, by its parts

    def start(self) -> None:
        """Begin loading the model in the background (called once the window is shown)."""
        self.models.start()

    @property
    def bundle(self) -> ModelBundle | None:
        return self.models.bundle

    @property
    def hash_box(self) -> QMessageBox | None:
        return self.models.hash_box

    def choose_model(self, path: str, sha: str = "") -> None:
        self.models.choose_model(path, sha)

    def choose_device(self, name: str) -> None:
        self.models.choose_device(name)

    def add_model_file(self, path: str) -> None:
        self.models.add_model_file(path)

    @property
    def photo(self) -> LoadedPhoto | None:
        return self.analyser.photo

    @property
    def analysis(self) -> Analysis | None:
        return self.analyser.analysis

    def colormap(self) -> str:
        return self.ui.colormap()

    def open_path(self, path: str | os.PathLike[str]) -> None:
        self.photos.open_path(path)

    def open_mime(self, mime: QMimeData) -> bool:
        return self.photos.open_mime(mime)

    def paste(self) -> None:
        self.photos.paste()

    def open_camera(self, source: int | str = 0) -> CameraDialog:
        return self.photos.open_camera(source)

    def open_batch(self, folder: str) -> BatchDialog | None:
        return self.photos.open_batch(folder)

    @property
    def batch_dialog(self) -> BatchDialog | None:
        return self.photos.batch_dialog

    def export_report(
        self, path: str, crop_to_face: bool | None = None, fmt: str | None = None
    ) -> None:
        self.exports.export_report(path, crop_to_face, fmt)

    # ------------------------------------------------------------------- window events

    @staticmethod
    def _answer(event: QDropEvent, accepted: bool) -> None:
        if accepted:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt naming
        self._answer(event, self.photos.can_open(event.mimeData()))

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt naming
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt naming
        self._answer(event, self.photos.open_mime(event.mimeData()))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        self.ui.save_state(self)
        self.photos.close_dialogs()
        self.workers.stop()
        super().closeEvent(event)

    # ---------------------------------------------------------------------- documents

    def _keep(self, dialog: QWidget) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]

    def show_intended_use(self) -> None:
        dialog = intended_use_dialog(self)
        self._keep(dialog)
        dialog.open()

    def show_model_card(self) -> None:
        bundle = self.models.bundle
        if bundle is None:
            return
        dialog = model_card_dialog(bundle.card, bundle.sha256, bundle.provenance_note, self)
        self._keep(dialog)
        dialog.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About WBS Screen"),
            self.tr(
                "<b>WBS Screen {version}</b><p>Offline screening aid for a Williams-Beuren "
                "syndrome facial gestalt. Research and decision support only: it does not "
                "diagnose.</p><p>Photos stay on this computer and in memory; nothing is sent "
                "anywhere.</p>"
            ).format(version=__version__),
        )
