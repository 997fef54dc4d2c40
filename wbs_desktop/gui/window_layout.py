"""The main window's widgets: the photo and face views, the view controls, the result
column, the message bar and the status bar, and how a photo or a result is drawn on them.

The view choices (heatmap, landmarks, opacity, colour map) come back from the settings and
are remembered as they change; the window's size and splitters are restored and saved here.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop import __version__
from wbs_desktop.core.outputs.render import COLORMAPS, DEFAULT_COLORMAP
from wbs_desktop.gui.case_panel import CasePanel
from wbs_desktop.gui.case_photos import CasePhotos
from wbs_desktop.gui.message_bar import MessageBar
from wbs_desktop.gui.model_picker import ModelPicker
from wbs_desktop.gui.plain_text import PlainLabel
from wbs_desktop.gui.result_panel import ResultPanel
from wbs_desktop.gui.settings import Settings
from wbs_desktop.gui.views import ColorBar, ImageCanvas
from wbs_desktop.gui.workers import Analysis


class WindowLayout:
    """Builds the central area and the status bar of ``window``; keeps the widgets."""

    def __init__(self, window: QMainWindow, settings: Settings) -> None:
        self._settings = settings
        self.message_bar = MessageBar()
        self.photo_view = ImageCanvas()
        self.aligned_view = ImageCanvas()
        self.gradcam_view = ImageCanvas()
        for view in (self.aligned_view, self.gradcam_view):
            view.setMinimumSize(150, 150)
        self.colorbar = ColorBar()
        self.result_panel = ResultPanel()
        self.case_panel = CasePanel()
        self.case_photos = CasePhotos()
        self.patient_banner = PlainLabel()
        self.patient_banner.setStyleSheet("font-weight: bold; padding: 4px 2px;")
        self.case_dock = QDockWidget(window)
        self.case_dock.setObjectName("case_dock")
        case_box = QWidget()
        case_layout = QVBoxLayout(case_box)
        case_layout.setContentsMargins(0, 0, 0, 0)
        case_layout.addWidget(self.case_panel)
        case_layout.addWidget(self.case_photos, 1)
        self.case_dock.setWidget(case_box)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.case_dock)
        self.model_picker = ModelPicker()  # the toolbar holds it (see window_actions)

        self.heat_toggle = QCheckBox()
        self.landmark_toggle = QCheckBox()
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setSingleStep(5)
        self.opacity.setPageStep(10)
        self.opacity.setFixedWidth(140)
        self.opacity_value = QLabel()
        self.opacity_value.setMinimumWidth(36)
        self.colormaps = QComboBox()
        for name in COLORMAPS:
            self.colormaps.addItem(name, name)
        self.opacity_label = QLabel()
        self.colormap_label = QLabel()

        self.image_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        window.setCentralWidget(self._central())

        self.status_text = PlainLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        self.busy.hide()
        window.statusBar().addWidget(self.status_text, 1)
        window.statusBar().addPermanentWidget(self.busy)
        self.version_label = QLabel()
        window.statusBar().addPermanentWidget(self.version_label)

        # Choices as remembered; their signals are connected after, so nothing fires now.
        self.heat_toggle.setChecked(settings.heat_on_photo)
        self.landmark_toggle.setChecked(settings.show_landmarks)
        self.opacity.setValue(settings.opacity)
        index = self.colormaps.findData(settings.colormap)
        self.colormaps.setCurrentIndex(
            index if index >= 0 else self.colormaps.findData(DEFAULT_COLORMAP)
        )
        self.apply_view_options()
        self.heat_toggle.toggled.connect(self._on_view_option)
        self.landmark_toggle.toggled.connect(self._on_view_option)
        self.opacity.valueChanged.connect(self._on_view_option)
        self.colormaps.currentIndexChanged.connect(self._on_colormap_changed)
        self.case_panel.changed.connect(self._on_case_changed)
        self._on_case_changed()

    def _central(self) -> QWidget:
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 4, 0)
        controls.addWidget(self.heat_toggle)
        controls.addWidget(self.landmark_toggle)
        controls.addSpacing(16)
        for label, widget in (
            (self.opacity_label, self.opacity),
            (self.colormap_label, self.colormaps),
        ):
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

        _fill_split(self.image_split, (self.photo_view, 3), (faces_box, 2))

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        left_layout.addWidget(self.image_split, 1)
        left_layout.addLayout(controls)

        _fill_split(self.main_split, (left, 3), (self.result_panel, 1))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.patient_banner)
        layout.addWidget(self.main_split, 1)
        return central

    def retranslate(self) -> None:
        """The texts of the widgets built here, in the current language."""
        self.photo_view.title = QCoreApplication.translate("WindowLayout", "Photo")
        self.photo_view.placeholder = QCoreApplication.translate(
            "WindowLayout",
            "Open a photo (Ctrl+O), drop one here, paste one (Ctrl+V) or capture one "
            "with the camera (Ctrl+K).\n\nA frontal, well-lit photo of one child works best.",
        )
        self.aligned_view.title = QCoreApplication.translate("WindowLayout", "Aligned face")
        self.gradcam_view.title = QCoreApplication.translate(
            "WindowLayout", "Grad-CAM on the aligned face"
        )
        for view in (self.photo_view, self.aligned_view, self.gradcam_view):
            view.update()
        self.case_dock.setWindowTitle(QCoreApplication.translate("WindowLayout", "Case"))
        self.heat_toggle.setText(QCoreApplication.translate("WindowLayout", "Heatmap on photo"))
        self.heat_toggle.setToolTip(
            QCoreApplication.translate(
                "WindowLayout", "Show the Grad-CAM heatmap over the photo (Ctrl+H)"
            )
        )
        self.landmark_toggle.setText(QCoreApplication.translate("WindowLayout", "Landmarks"))
        self.landmark_toggle.setToolTip(
            QCoreApplication.translate(
                "WindowLayout", "Show the face box and the 478 landmarks (Ctrl+L)"
            )
        )
        self.opacity.setToolTip(
            QCoreApplication.translate("WindowLayout", "Heatmap opacity (Ctrl+] / Ctrl+[)")
        )
        self.opacity_label.setText(QCoreApplication.translate("WindowLayout", "Opacity"))
        self.colormap_label.setText(QCoreApplication.translate("WindowLayout", "Colour map"))
        self.colormaps.setItemText(
            self.colormaps.findData("cividis"),
            QCoreApplication.translate("WindowLayout", "cividis (colour-blind safe)"),
        )
        self.colormaps.setToolTip(
            QCoreApplication.translate(
                "WindowLayout", "Colour map of the heatmap (Ctrl+M for the next one)"
            )
        )
        self.version_label.setText(
            QCoreApplication.translate("WindowLayout", "WBS Screen {version} · offline").format(
                version=__version__
            )
        )
        self._on_case_changed()

    # ------------------------------------------------------------------- window state

    def restore_state(self, window: QMainWindow) -> None:
        geometry = self._settings.window_state("geometry")
        if geometry is None or not window.restoreGeometry(geometry):
            window.resize(1280, 820)
        for key, splitter in (("main_split", self.main_split), ("image_split", self.image_split)):
            state = self._settings.window_state(key)
            if state is not None:
                splitter.restoreState(state)
        if geometry is None:
            self.main_split.setSizes([860, 420])
            self.image_split.setSizes([450, 270])

    def save_state(self, window: QMainWindow) -> None:
        self._settings.set_window_state("geometry", window.saveGeometry())
        self._settings.set_window_state("main_split", self.main_split.saveState())
        self._settings.set_window_state("image_split", self.image_split.saveState())
        self._settings.sync()

    # -------------------------------------------------------------------- view options

    def colormap(self) -> str:
        return str(self.colormaps.currentData() or DEFAULT_COLORMAP)

    def apply_view_options(self) -> None:
        opacity = self.opacity.value() / 100
        self.opacity_value.setText(f"{self.opacity.value()} %")
        self.photo_view.set_opacity(opacity)
        self.gradcam_view.set_opacity(opacity)
        self.photo_view.set_heat_visible(self.heat_toggle.isChecked())
        for view in (self.photo_view, self.aligned_view):
            view.set_landmarks_visible(self.landmark_toggle.isChecked())

    def _on_view_option(self) -> None:
        self.apply_view_options()
        self._settings.heat_on_photo = self.heat_toggle.isChecked()
        self._settings.show_landmarks = self.landmark_toggle.isChecked()
        self._settings.opacity = self.opacity.value()

    def _on_colormap_changed(self) -> None:
        self._settings.colormap = self.colormap()

    def step_opacity(self, step: int) -> None:
        self.opacity.setValue(self.opacity.value() + step)

    def next_colormap(self) -> None:
        self.colormaps.setCurrentIndex((self.colormaps.currentIndex() + 1) % self.colormaps.count())

    # ------------------------------------------------------------------------ drawing

    def set_status(self, text: str) -> None:
        self.status_text.setText(text)

    def show_error(self, text: str) -> None:
        self.message_bar.show_message(text, "error")
        self.set_status(text.split(". ")[0][:120])

    def show_photo(self, preview: np.ndarray) -> None:
        self.photo_view.set_image(preview)
        self.aligned_view.set_image(None)
        self.gradcam_view.set_image(None)

    def show_analysis(self, analysis: Analysis) -> None:
        """The heatmaps, face box and landmarks of a result, on the photo and the face."""
        result = analysis.result
        scale = analysis.photo.preview_scale
        left, top, right, bottom = result.face.box
        self.photo_view.set_heat(analysis.layers["photo"])
        self.photo_view.set_face(
            (left * scale, top * scale, right * scale, bottom * scale),
            result.face.landmarks * scale,
        )
        self.aligned_view.set_image(result.aligned.image)
        self.aligned_view.set_face(None, result.aligned.landmarks)
        self.gradcam_view.set_image(result.aligned.image)
        self.gradcam_view.set_heat(analysis.layers["face"])

    def show_heat(self, layers: dict[str, np.ndarray]) -> None:
        self.photo_view.set_heat(layers["photo"])
        self.gradcam_view.set_heat(layers["face"])

    def _on_case_changed(self) -> None:
        self.patient_banner.setText(self.case_panel.banner_text())
        self.case_photos.set_date_of_birth(self.case_panel.patient().date_of_birth)

    def clear_photo(self) -> None:
        """No photo, no result: what a new case starts from."""
        for view in (self.photo_view, self.aligned_view, self.gradcam_view):
            view.set_image(None)
        self.result_panel.show_status(
            QCoreApplication.translate("WindowLayout", "Open a photo to analyse it.")
        )

    def clear_result(self) -> None:
        """Back to the bare photo: no heatmap, no face, no aligned views."""
        self.photo_view.set_heat(None)
        self.photo_view.set_face(None)
        self.aligned_view.set_image(None)
        self.gradcam_view.set_image(None)


def _fill_split(split: QSplitter, *parts: tuple[QWidget, int]) -> None:
    """Add each (widget, stretch) to ``split``; no part can be collapsed to nothing."""
    for index, (widget, stretch) in enumerate(parts):
        split.addWidget(widget)
        split.setStretchFactor(index, stretch)
    split.setChildrenCollapsible(False)
