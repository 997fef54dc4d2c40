"""The main window: photo in (file, drop, paste, camera), result out, model choice, exports.

It wires widgets to workers and holds the state of one session: the loaded model, the photo
(in memory only) and its analysis. Every failure ends up as a sentence in the message bar
and the result column; unexpected exceptions go to ``crash``.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop import __version__
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.files import printable
from wbs_desktop.core.outputs.render import COLORMAPS, DEFAULT_COLORMAP
from wbs_desktop.core.pipeline.imaging import SUPPORTED_SUFFIXES
from wbs_desktop.gui import crash
from wbs_desktop.gui.batch_dialog import BatchDialog
from wbs_desktop.gui.camera_dialog import CameraDialog
from wbs_desktop.gui.documents import intended_use_dialog, model_card_dialog
from wbs_desktop.gui.message_bar import MessageBar
from wbs_desktop.gui.model_picker import ModelPicker, same_file
from wbs_desktop.gui.plain_text import PlainLabel, menu_text, tooltip
from wbs_desktop.gui.qimage import heat_rgba
from wbs_desktop.gui.result_panel import ResultPanel
from wbs_desktop.gui.settings import Settings
from wbs_desktop.gui.views import ColorBar, ImageCanvas
from wbs_desktop.gui.workers import (
    Analyser,
    Analysis,
    HashWorker,
    LoadedPhoto,
    ModelLoader,
    ModelReady,
    PhotoReader,
    PhotoSource,
    ReportWriter,
    Worker,
)

APP_TITLE = "WBS Screen"
PHOTO_FILTER = ("Photos (" + " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES) + ");;All files (*)")
COLORMAP_LABELS = {"cividis": "cividis (colour-blind safe)"}
PLACEHOLDER = ("Open a photo (Ctrl+O), drop one here, paste one (Ctrl+V) or capture one "
               "with the camera (Ctrl+K).\n\nA frontal, well-lit photo of one child works best.")


def _unexpected(error: Exception) -> str:
    crash.report_exception(error)
    return ("An unexpected error occurred; it was written to the error log. Try again, or "
            "restart WBS Screen.")


class MainWindow(QMainWindow):
    model_ready = Signal(object)  # ModelReady
    result_shown = Signal(object)  # Analysis
    failure_shown = Signal(str)
    report_done = Signal(str)  # the path written, "" when it failed

    def __init__(self, settings: Settings, *, model: str | None = None,
                 device: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.bundle: Any = None
        self.model_info: dict[str, Any] = {}
        self.photo: LoadedPhoto | None = None
        self.analysis: Analysis | None = None
        self._model_override = model
        self._device = device or settings.device
        self._read_token = 0
        self._analysis_token = 0
        self._model_token = 0
        self._workers: set[Worker] = set()
        self._loading_model = True  # start() follows construction at once
        self.batch_dialog: BatchDialog | None = None
        self.camera_dialog: CameraDialog | None = None
        self.hash_box: QMessageBox | None = None
        self.dialogs: list[QWidget] = []

        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self._build_views()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._restore_state()

    # ---------------------------------------------------------------------------- layout

    def _build_views(self) -> None:
        self.message_bar = MessageBar()
        self.photo_view = ImageCanvas("Photo", PLACEHOLDER)
        self.aligned_view = ImageCanvas("Aligned face", "")
        self.gradcam_view = ImageCanvas("Grad-CAM on the aligned face", "")
        for view in (self.aligned_view, self.gradcam_view):
            view.setMinimumSize(150, 150)
        self.colorbar = ColorBar()

        self.heat_toggle = QCheckBox("Heatmap on photo")
        self.heat_toggle.setToolTip("Show the Grad-CAM heatmap over the photo (Ctrl+H)")
        self.landmark_toggle = QCheckBox("Landmarks")
        self.landmark_toggle.setToolTip("Show the face box and the 478 landmarks (Ctrl+L)")
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setSingleStep(5)
        self.opacity.setPageStep(10)
        self.opacity.setFixedWidth(140)
        self.opacity.setToolTip("Heatmap opacity (Ctrl+] / Ctrl+[)")
        self.opacity_value = QLabel()
        self.opacity_value.setMinimumWidth(36)
        self.colormaps = QComboBox()
        for name in COLORMAPS:
            self.colormaps.addItem(COLORMAP_LABELS.get(name, name), name)
        self.colormaps.setToolTip("Colour map of the heatmap (Ctrl+M for the next one)")

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.addWidget(self.heat_toggle)
        controls.addWidget(self.landmark_toggle)
        controls.addSpacing(16)
        for text, widget in (("Opacity", self.opacity), ("Colour map", self.colormaps)):
            label = QLabel(text)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget)
            if widget is self.opacity:
                controls.addWidget(self.opacity_value)
                controls.addSpacing(16)
        controls.addStretch(1)

        faces = QHBoxLayout()
        faces.setContentsMargins(0, 0, 0, 0)
        faces.addWidget(self.aligned_view, 1)
        faces.addWidget(self.gradcam_view, 1)
        faces.addWidget(self.colorbar)
        faces_box = QWidget()
        faces_box.setLayout(faces)

        self.image_split = QSplitter(Qt.Orientation.Vertical)
        self.image_split.addWidget(self.photo_view)
        self.image_split.addWidget(faces_box)
        self.image_split.setStretchFactor(0, 3)
        self.image_split.setStretchFactor(1, 2)
        self.image_split.setChildrenCollapsible(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        left_layout.addWidget(self.image_split, 1)
        left_layout.addLayout(controls)

        self.result_panel = ResultPanel()
        self.result_panel.model_card_requested.connect(self.show_model_card)
        self.result_panel.intended_use_requested.connect(self.show_intended_use)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(left)
        self.main_split.addWidget(self.result_panel)
        self.main_split.setStretchFactor(0, 3)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.main_split, 1)
        self.setCentralWidget(central)

        self.status_text = PlainLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(QLabel(f"WBS Screen {__version__} · offline"))

        # Choices as remembered; their signals are connected after, so nothing fires now.
        self.heat_toggle.setChecked(self.settings.heat_on_photo)
        self.landmark_toggle.setChecked(self.settings.show_landmarks)
        self.opacity.setValue(self.settings.opacity)
        index = self.colormaps.findData(self.settings.colormap)
        self.colormaps.setCurrentIndex(index if index >= 0
                                       else self.colormaps.findData(DEFAULT_COLORMAP))
        self._apply_view_options()
        self.heat_toggle.toggled.connect(self._on_view_option)
        self.landmark_toggle.toggled.connect(self._on_view_option)
        self.opacity.valueChanged.connect(self._on_view_option)
        self.colormaps.currentIndexChanged.connect(self._on_colormap_changed)

    def _action(self, text: str, slot: Any, shortcut: QKeySequence | str | None = None,
                tip: str = "", icon: QStyle.StandardPixmap | None = None,
                checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        shortcut_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text.replace('…', '')}"
                          + (f" ({shortcut_text})" if shortcut_text else ""))
        action.setStatusTip(tip or text.replace("…", ""))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        keys = QKeySequence.StandardKey
        self.open_action = self._action("&Open photo…", self.ask_open, keys.Open,
                                        "Open a photo file", sp.SP_DialogOpenButton)
        self.paste_action = self._action("&Paste photo", self.paste, keys.Paste,
                                         "Analyse the picture on the clipboard",
                                         sp.SP_FileDialogContentsView)
        self.camera_action = self._action("&Camera…", self.ask_camera, "Ctrl+K",
                                          "Capture a photo with a camera", sp.SP_ComputerIcon)
        self.batch_action = self._action("Screen a &folder…", self.ask_batch, "Ctrl+B",
                                         "Screen every photo in a folder",
                                         sp.SP_DirOpenIcon)
        self.report_action = self._action("&Save report…", self.ask_report,
                                          QKeySequence.StandardKey.Save,
                                          "Save a PDF or PNG report of this result",
                                          sp.SP_DialogSaveButton)
        self.crop_action = self._action("Crop report photo to the &face", self._on_crop_toggled,
                                        None, "Reports show only the face, not the whole photo",
                                        checkable=True)
        self.crop_action.setChecked(self.settings.crop_report_to_face)
        self.reanalyse_action = self._action("&Analyse again", self.reanalyse, "F5",
                                             "Analyse the photo again", sp.SP_BrowserReload)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.landmarks_action = self._action("&Landmarks", self.landmark_toggle.toggle, "Ctrl+L",
                                             "Show the face box and landmarks")
        self.heat_action = self._action("&Heatmap on photo", self.heat_toggle.toggle, "Ctrl+H",
                                        "Show the heatmap over the photo")
        self.more_opacity = self._action("More opaque heatmap",
                                         lambda: self.opacity.setValue(self.opacity.value() + 10),
                                         "Ctrl+]")
        self.less_opacity = self._action("More transparent heatmap",
                                         lambda: self.opacity.setValue(self.opacity.value() - 10),
                                         "Ctrl+[")
        self.next_colormap = self._action(
            "Next colour &map",
            lambda: self.colormaps.setCurrentIndex(
                (self.colormaps.currentIndex() + 1) % self.colormaps.count()),
            "Ctrl+M")
        self.add_model_action = self._action("&Add model file…", self.ask_add_model,
                                             "Ctrl+Shift+M", "Use a model bundle file")
        self.card_action = self._action("Model &card", self.show_model_card, "Ctrl+I",
                                        "The model's card: data, validation, threshold")
        self.use_action = self._action("&Intended use", self.show_intended_use,
                                       QKeySequence.StandardKey.HelpContents,
                                       "What WBS Screen is for, and what not",
                                       sp.SP_MessageBoxInformation)
        self.about_action = self._action("&About WBS Screen", self.show_about)
        self.dismiss_action = self._action("Dismiss message", self.message_bar.dismiss, "Esc")
        for action in (self.report_action, self.reanalyse_action):
            action.setEnabled(False)
        for action in (self.batch_action, self.card_action):
            action.setEnabled(False)

    def _build_menus_and_toolbar(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addAction(self.paste_action)
        file_menu.addAction(self.camera_action)
        file_menu.addSeparator()
        file_menu.addAction(self.batch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.report_action)
        file_menu.addAction(self.crop_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("&View")
        for action in (self.landmarks_action, self.heat_action, self.more_opacity,
                       self.less_opacity, self.next_colormap, self.reanalyse_action):
            view_menu.addAction(action)
        model_menu = menu.addMenu("&Model")
        model_menu.addAction(self.card_action)
        model_menu.addAction(self.add_model_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.use_action)
        help_menu.addAction(self.about_action)
        self._refresh_recent_menu()

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.open_action, self.paste_action, self.camera_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.batch_action)
        toolbar.addAction(self.report_action)
        toolbar.addSeparator()
        self.model_picker = ModelPicker()
        self.model_picker.model_chosen.connect(self.choose_model)
        self.model_picker.add_requested.connect(self.ask_add_model)
        self.model_picker.device_chosen.connect(self.choose_device)
        toolbar.addWidget(self.model_picker)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.use_action)
        self.addToolBar(toolbar)

    # ------------------------------------------------------------------- window state

    def _restore_state(self) -> None:
        geometry = self.settings.window_state("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 820)
        for key, splitter in (("main_split", self.main_split),
                              ("image_split", self.image_split)):
            state = self.settings.window_state(key)
            if state is not None:
                splitter.restoreState(state)
        if geometry is None:
            self.main_split.setSizes([860, 420])
            self.image_split.setSizes([450, 270])

    def _save_state(self) -> None:
        self.settings.set_window_state("geometry", self.saveGeometry())
        self.settings.set_window_state("main_split", self.main_split.saveState())
        self.settings.set_window_state("image_split", self.image_split.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        self._save_state()
        for dialog in (self.batch_dialog, self.camera_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.reject()
        for worker in list(self._workers):
            worker.requestInterruption()
        for worker in list(self._workers):
            worker.wait(30_000)
        super().closeEvent(event)

    # ------------------------------------------------------------------------ workers

    def _run(self, worker: Worker) -> Worker:
        """Start a worker and keep it alive until it has finished."""
        self._workers.add(worker)
        worker.finished.connect(partial(self._worker_finished, worker))
        worker.start()
        self._update_busy()
        return worker

    def _worker_finished(self, worker: Worker) -> None:
        self._workers.discard(worker)
        worker.deleteLater()
        self._update_busy()

    def _update_busy(self) -> None:
        self.busy.setVisible(any(w.isRunning() for w in self._workers))

    def is_idle(self) -> bool:
        return not any(w.isRunning() for w in self._workers)

    def _set_status(self, text: str) -> None:
        self.status_text.setText(text)

    # ------------------------------------------------------------------------- models

    def start(self) -> None:
        """Begin loading the model in the background (called once the window is shown)."""
        path = self._model_override or self.settings.model_path or None
        sha = ""
        if path and not self._model_override:
            sha = self.settings.added_models.get(path, "")
            if not os.path.isfile(path):
                path, sha = None, ""  # a remembered model that has gone: use the default
        self.load_model(path, sha)

    def load_model(self, path: str | None, expected_sha256: str = "") -> None:
        self._model_token += 1
        self._loading_model = True
        self._set_status("Loading model…")
        if self.bundle is None:
            self.result_panel.show_status(
                "Loading the model… a photo opened now is analysed as soon as it is ready.",
                keep_result=self.analysis is not None)
        worker = ModelLoader(path, expected_sha256 or None, self._device)
        worker.progress.connect(lambda _d, _t, text: self._set_status(text))
        worker.succeeded.connect(partial(self._on_model_loaded, self._model_token,
                                         path, expected_sha256))
        worker.error.connect(partial(self._on_model_error, self._model_token))
        self._run(worker)

    def _on_model_loaded(self, token: int, path: str | None, sha: str,
                         ready: ModelReady) -> None:
        if token != self._model_token:
            return
        self._loading_model = False
        self.bundle = ready.bundle
        self.model_info = ready.summary
        model_path = str(ready.bundle.path)
        if path is not None:
            self.settings.model_path = model_path
            if sha or not any(same_file(model_path, str(e.path)) for e in ready.installed):
                self.settings.add_model(model_path, sha)
        self.model_picker.set_models(ready.installed, self.settings.added_models, model_path)
        self.model_picker.set_devices(ready.devices, self._device)
        self.result_panel.set_model(self.model_info, self.bundle.card)
        for action in (self.batch_action, self.card_action):
            action.setEnabled(True)
        self._set_status(f"Model ready: {self.bundle.name}")
        self.model_ready.emit(ready)
        if self.photo is not None:
            self._analyse()
        elif self.analysis is None:
            self.result_panel.show_status("Open a photo to begin.")

    def _on_model_error(self, token: int, error: Exception) -> None:
        if token != self._model_token:
            return
        self._loading_model = False
        text = str(error) if isinstance(error, WBSError) else _unexpected(error)
        self._show_error(f"The model could not be used. {text}")
        self._set_status("Model refused" if self.bundle is not None else "No model loaded")
        if self.bundle is None:
            self.result_panel.show_failure(
                "No model is loaded: choose one in the Model list or add a model file.")
            self._list_models_without_bundle()
        else:
            self.model_picker.set_current(str(self.bundle.path))

    def _list_models_without_bundle(self) -> None:
        try:
            from wbs_desktop.core.model.registry import installed_bundles

            installed = installed_bundles()
        except Exception:  # noqa: BLE001 - a damaged index: the error above says enough
            installed = []
        self.model_picker.set_models(installed, self.settings.added_models, "")

    def choose_model(self, path: str, sha: str = "") -> None:
        """Switch to another bundle; the photo shown is analysed again with it."""
        self.load_model(path, sha)

    def ask_add_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a model file", self.settings.last_folder,
                                              "Model bundles (*.safetensors)")
        if path:
            self.add_model_file(path)

    def add_model_file(self, path: str) -> None:
        """Load a bundle file; one without a checksum needs the user to confirm its hash."""
        self._set_status("Checking the model file…")
        worker = HashWorker(path)
        worker.succeeded.connect(partial(self._on_hash, path))
        worker.error.connect(lambda error: self._show_error(
            str(error) if isinstance(error, WBSError) else _unexpected(error)))
        self._run(worker)

    def _on_hash(self, path: str, sha256: str | None) -> None:
        if sha256 is None:  # the file has its own checksum: load_model checks it
            self.load_model(path)
        else:
            self._confirm_hash(path, sha256)

    def _confirm_hash(self, path: str, sha256: str) -> None:
        self._set_status("")
        box = QMessageBox(QMessageBox.Icon.Question, "Confirm the model file",
                          f"The model file {printable(os.path.basename(path))} has no checksum "
                          "file, so WBS Screen cannot tell whether it is the file its provider "
                          "made.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(f"Its SHA-256 is:\n\n{sha256}\n\nCompare it with the checksum "
                               "the model's provider published. Use this model only if they "
                               "match. Load it?")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        def answered(button: int) -> None:
            self.hash_box = None
            if button == QMessageBox.StandardButton.Yes:
                self.load_model(path, sha256)
            else:
                self._set_status("Model not added.")

        box.finished.connect(answered)
        self.hash_box = box
        box.open()

    def choose_device(self, name: str) -> None:
        self._device = name
        self.settings.device = name
        if self.photo is not None and self.bundle is not None:
            self._analyse()

    # ------------------------------------------------------------------------- photos

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo", self.settings.last_folder,
                                              PHOTO_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path: str | os.PathLike[str]) -> None:
        path = os.path.abspath(os.fspath(path))
        self.settings.last_folder = os.path.dirname(path)
        self.settings.add_recent_file(path)
        self._refresh_recent_menu()
        self.read_photo(path, os.path.basename(path))

    def read_photo(self, source: PhotoSource, name: str) -> None:
        """Decode a photo in a worker, show it, then analyse it (when the model is ready)."""
        self._read_token += 1
        self._analysis_token += 1  # a result still on its way belongs to the old photo
        self.message_bar.dismiss()
        self.result_panel.show_status(f"Reading {name}…")
        self._set_status(f"Reading {name}…")
        worker = PhotoReader(source, name)
        worker.succeeded.connect(partial(self._on_photo, self._read_token))
        path = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
        worker.error.connect(partial(self._on_photo_error, self._read_token, path))
        self._run(worker)

    def _on_photo(self, token: int, photo: LoadedPhoto) -> None:
        if token != self._read_token:
            return
        self.photo = photo
        self.analysis = None
        self.photo_view.set_image(photo.preview)
        self.aligned_view.set_image(None)
        self.gradcam_view.set_image(None)
        self.report_action.setEnabled(False)
        self.reanalyse_action.setEnabled(True)
        self.setWindowTitle(printable(f"{photo.name} - {APP_TITLE}"))
        self._analyse()

    def _on_photo_error(self, token: int, path: str | None, error: Exception) -> None:
        if token != self._read_token:
            return
        text = str(error) if isinstance(error, WBSError) else _unexpected(error)
        if isinstance(error, WBSError) and path is not None:
            self.settings.remove_recent_file(path)  # no point offering it again
            self._refresh_recent_menu()
        self._show_failure(text)

    def reanalyse(self) -> None:
        self._analyse()

    def _analyse(self) -> None:
        if self.photo is None:
            return
        if self.bundle is None:
            waiting = ("Loading the model… this photo is analysed as soon as it is ready."
                       if self._loading_model else
                       "No model is loaded: choose one in the Model list.")
            self.result_panel.show_status(waiting)
            return
        self._analysis_token += 1
        self.result_panel.show_status(f"Analysing {self.photo.name}…")
        self._set_status(f"Analysing {self.photo.name}…")
        worker = Analyser(self.photo, self.bundle, self._device, self.colormap())
        worker.succeeded.connect(partial(self._on_analysis, self._analysis_token))
        worker.error.connect(partial(self._on_analysis_error, self._analysis_token))
        self._run(worker)

    def _on_analysis(self, token: int, analysis: Analysis) -> None:
        if token != self._analysis_token or analysis.photo is not self.photo:
            return
        self.analysis = analysis
        result = analysis.result
        photo = analysis.photo
        scale = photo.preview_scale
        self.photo_view.set_heat(analysis.layers["photo"])
        self.photo_view.set_face(tuple(v * scale for v in result.face.box),  # type: ignore[arg-type]
                                 result.face.landmarks * scale)
        self.aligned_view.set_image(result.aligned.image)
        self.aligned_view.set_face(None, result.aligned.landmarks)
        self.gradcam_view.set_image(result.aligned.image)
        self.gradcam_view.set_heat(analysis.layers["face"])
        if analysis.colormap != self.colormap():
            self._recolour()
        if self.colorbar.colormap != self.colormap():
            self.colorbar.set_colormap(self.colormap())
        self._apply_view_options()
        self.result_panel.show_result(result, analysis.bundle.card)
        self.report_action.setEnabled(True)
        total = result.timings.get("total", 0.0)
        self._set_status(f"{photo.name}: {result.summary} (score {result.score:.3f}), "
                         f"analysed in {total:.2f} s")
        if result.face_count > 1:
            self.message_bar.show_message(result.warnings[0], "warning")
        self.result_shown.emit(analysis)

    def _on_analysis_error(self, token: int, error: Exception) -> None:
        if token != self._analysis_token:
            return
        self._show_failure(str(error) if isinstance(error, WBSError) else _unexpected(error))

    def _show_failure(self, text: str) -> None:
        self.analysis = None
        self.report_action.setEnabled(False)
        self.photo_view.set_heat(None)
        self.photo_view.set_face(None)
        self.aligned_view.set_image(None)
        self.gradcam_view.set_image(None)
        self.result_panel.show_failure(text)
        self._show_error(text)

    def _show_error(self, text: str) -> None:
        self.message_bar.show_message(text, "error")
        self._set_status(text.split(". ")[0][:120])
        self.failure_shown.emit(text)

    # ------------------------------------------------------------ drop, paste, camera

    @staticmethod
    def _local_files(mime: QMimeData) -> list[str]:
        return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt naming
        mime = event.mimeData()
        if self._local_files(mime) or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802 - Qt naming
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt naming
        if self.open_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def open_mime(self, mime: QMimeData) -> bool:
        """Open what a drop or the clipboard holds: a file, a folder (batch) or a picture."""
        files = self._local_files(mime)
        if files:
            folders = [f for f in files if os.path.isdir(f)]
            if folders and len(files) == 1:
                self.open_batch(folders[0])
                return True
            photos = [f for f in files if not os.path.isdir(f)]
            if not photos:
                self._show_error("Drop a photo file, or a single folder to screen it.")
                return False
            self.open_path(photos[0])
            if len(photos) > 1:
                QTimer.singleShot(0, lambda: self.message_bar.show_message(
                    f"{len(photos)} files were dropped; only {os.path.basename(photos[0])} "
                    "was opened. To screen several photos, use Screen a folder (Ctrl+B).",
                    "info"))
            return True
        if mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.read_photo(image, "Pasted picture")
                return True
        return False

    def paste(self) -> None:
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self.read_photo(image, "Pasted picture")
                return
        if mime is not None and self.open_mime(mime):
            return
        text = clipboard.text().strip() if mime is not None and mime.hasText() else ""
        if text and os.path.isfile(text):
            self.open_path(text)
            return
        self._show_error("The clipboard holds no picture: copy a photo (or a photo file) "
                         "first, then paste.")

    def ask_camera(self) -> None:
        self.open_camera(0)

    def open_camera(self, source: int | str = 0) -> CameraDialog:
        dialog = CameraDialog(self, source)
        dialog.captured.connect(lambda frame: self.read_photo(frame, "Camera capture"))
        dialog.finished.connect(lambda _result: setattr(self, "camera_dialog", None))
        self.camera_dialog = dialog
        dialog.open()
        dialog.start(source)
        return dialog

    # -------------------------------------------------------------------------- batch

    def ask_batch(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Screen a folder of photos",
                                                  self.settings.last_folder)
        if folder:
            self.open_batch(folder)

    def open_batch(self, folder: str) -> BatchDialog | None:
        if self.bundle is None:
            self._show_error("The model is not loaded yet; try again in a moment.")
            return None
        self.settings.last_folder = folder
        dialog = BatchDialog(folder, self.bundle, self._device, self)
        self.batch_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

    # ------------------------------------------------------------------------- report

    def ask_report(self) -> None:
        if self.analysis is None:
            return
        stem = Path(self.analysis.photo.name).stem.replace(" ", "_") or "photo"
        default = os.path.join(self.settings.last_folder or os.path.expanduser("~"),
                               f"{stem}_wbs_report.pdf")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save report", default, "PDF report (*.pdf);;PNG image (*.png)")
        if not path:
            return
        fmt = "png" if "png" in chosen.lower() else "pdf"
        if not Path(path).suffix:
            path += f".{fmt}"
        elif Path(path).suffix.lower() in (".pdf", ".png"):
            fmt = Path(path).suffix.lower()[1:]
        self.export_report(path, self.crop_action.isChecked(), fmt)

    def export_report(self, path: str, crop_to_face: bool | None = None,
                      fmt: str | None = None) -> None:
        """Write the report of the result shown, in a worker: ``fmt`` "pdf" or "png", by
        default from the file name's suffix."""
        from wbs_desktop.core.outputs.report import ReportOptions

        if self.analysis is None:
            self._show_error("There is no result to report yet.")
            return
        crop = self.crop_action.isChecked() if crop_to_face is None else crop_to_face
        options = ReportOptions(crop_to_face=crop, colormap=self.colormap(),
                                opacity=self.opacity.value() / 100,
                                photo_label=self.analysis.photo.name)
        self._set_status(f"Saving {os.path.basename(path)}…")
        worker = ReportWriter(path, self.analysis, options, fmt)
        worker.succeeded.connect(self._on_report_saved)
        worker.error.connect(self._on_report_error)
        self._run(worker)

    def _on_report_saved(self, path: Path) -> None:
        self.message_bar.show_message(f"Report saved: {path}", "info")
        self._set_status(f"Report saved: {path}")
        self.report_done.emit(str(path))

    def _on_report_error(self, error: Exception) -> None:
        self._show_error(str(error) if isinstance(error, WBSError) else _unexpected(error))
        self.report_done.emit("")

    def _on_crop_toggled(self) -> None:
        self.settings.crop_report_to_face = self.crop_action.isChecked()

    # -------------------------------------------------------------------- view options

    def colormap(self) -> str:
        return str(self.colormaps.currentData() or DEFAULT_COLORMAP)

    def _apply_view_options(self) -> None:
        opacity = self.opacity.value() / 100
        self.opacity_value.setText(f"{self.opacity.value()} %")
        self.photo_view.set_opacity(opacity)
        self.gradcam_view.set_opacity(opacity)
        self.photo_view.set_heat_visible(self.heat_toggle.isChecked())
        for view in (self.photo_view, self.aligned_view):
            view.set_landmarks_visible(self.landmark_toggle.isChecked())

    def _on_view_option(self) -> None:
        self._apply_view_options()
        self.settings.heat_on_photo = self.heat_toggle.isChecked()
        self.settings.show_landmarks = self.landmark_toggle.isChecked()
        self.settings.opacity = self.opacity.value()

    def _on_colormap_changed(self) -> None:
        self.settings.colormap = self.colormap()
        if self.analysis is not None:
            self._recolour()
            self.colorbar.set_colormap(self.colormap())

    def _recolour(self) -> None:
        assert self.analysis is not None
        name = self.colormap()
        self.analysis.layers = {"photo": heat_rgba(self.analysis.photo_heat, name),
                                "face": heat_rgba(self.analysis.result.heatmap, name)}
        self.analysis.colormap = name
        self.photo_view.set_heat(self.analysis.layers["photo"])
        self.gradcam_view.set_heat(self.analysis.layers["face"])

    # ---------------------------------------------------------------------- documents

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files
        for number, path in enumerate(files, 1):
            action = self.recent_menu.addAction(f"&{number} {menu_text(os.path.basename(path))}")
            action.setToolTip(tooltip(path))
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+Shift+{number}"))
            action.triggered.connect(partial(self._open_recent, path))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self._clear_recent)
        self.recent_menu.setEnabled(bool(files))

    def _open_recent(self, path: str) -> None:
        if not os.path.isfile(path):
            self.settings.remove_recent_file(path)
            self._refresh_recent_menu()
            self._show_error(f"The photo {os.path.basename(path)} is no longer there "
                             f"({os.path.dirname(path)}); it was removed from the recent list.")
            return
        self.open_path(path)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._refresh_recent_menu()

    def _keep(self, dialog: QWidget) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]

    def show_intended_use(self) -> None:
        dialog = intended_use_dialog(self)
        self._keep(dialog)
        dialog.open()

    def show_model_card(self) -> None:
        if self.bundle is None:
            return
        dialog = model_card_dialog(self.bundle.card, self.bundle.sha256,
                                   self.bundle.provenance_note, self)
        self._keep(dialog)
        dialog.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About WBS Screen",
            f"<b>WBS Screen {__version__}</b><p>Offline screening aid for a Williams-Beuren "
            "syndrome facial gestalt. Research and decision support only: it does not "
            "diagnose.</p><p>Photos stay on this computer and in memory; nothing is sent "
            "anywhere.</p>")
