"""The photo on screen and its analysis: decoding it in a worker, analysing it with the
model in use (again when the model or the device changes), drawing the result or the
failure, and recolouring the heatmaps when the colour map changes.

A photo lives in memory only. Tokens tell a late answer from the current one: a worker's
result for a photo (or an analysis) that has since been replaced is dropped.
"""

from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import Signal

from wbs_desktop.core.errors import WBSError
from wbs_desktop.gui.controller import WindowController, WindowParts
from wbs_desktop.gui.model_controller import ModelController
from wbs_desktop.gui.qimage import heat_rgba
from wbs_desktop.gui.worker_pool import error_text
from wbs_desktop.gui.workers import Analyser, Analysis, LoadedPhoto, PhotoReader, PhotoSource


class AnalysisController(WindowController):
    photo_shown = Signal(object)  # LoadedPhoto, decoded and on screen
    analysis_changed = Signal(bool)  # whether a result is on screen
    result_shown = Signal(object)  # Analysis
    unreadable = Signal(str)  # the path of a file that could not be opened as a photo

    def __init__(self, parts: WindowParts, models: ModelController) -> None:
        super().__init__(parts)
        self._models = models
        self.photo: LoadedPhoto | None = None
        self.analysis: Analysis | None = None
        self._read_token = 0
        self._analysis_token = 0

    def read_photo(self, source: PhotoSource, name: str) -> None:
        """Decode a photo in a worker, show it, then analyse it (when the model is ready)."""
        self._read_token += 1
        self._analysis_token += 1  # a result still on its way belongs to the old photo
        self._ui.message_bar.dismiss()
        self._ui.result_panel.show_status(self.tr("Reading {name}…").format(name=name))
        self._ui.set_status(self.tr("Reading {name}…").format(name=name))
        worker = PhotoReader(source, name)
        worker.succeeded.connect(partial(self._on_photo, self._read_token))
        path = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
        worker.error.connect(partial(self._on_photo_error, self._read_token, path))
        self._pool.run(worker)

    def _on_photo(self, token: int, photo: LoadedPhoto) -> None:
        if token != self._read_token:
            return
        self.photo = photo
        self._set_analysis(None)
        self._ui.show_photo(photo.preview)
        self.photo_shown.emit(photo)
        self.analyse()

    def clear(self) -> None:
        """Forget the photo and its result (a new case); answers on their way are dropped."""
        self._read_token += 1
        self._analysis_token += 1
        self.photo = None
        self._set_analysis(None)
        self._ui.clear_photo()

    def _on_photo_error(self, token: int, path: str | None, error: Exception) -> None:
        if token != self._read_token:
            return
        text = error_text(error)
        if isinstance(error, WBSError) and path is not None:
            self.unreadable.emit(path)  # no point offering it again
        self._show_failure(text)

    def analyse(self) -> None:
        """Analyse the photo shown with the model in use; a no-op before any photo."""
        if self.photo is None:
            return
        if self._models.bundle is None:
            waiting = (
                self.tr("Loading the model… this photo is analysed as soon as it is ready.")
                if self._models.loading
                else self.tr("No model is loaded: choose one in the Model list.")
            )
            self._ui.result_panel.show_status(waiting)
            return
        self._analysis_token += 1
        self._ui.result_panel.show_status(self.tr("Analysing {name}…").format(name=self.photo.name))
        self._ui.set_status(self.tr("Analysing {name}…").format(name=self.photo.name))
        worker = Analyser(self.photo, self._models.bundle, self._models.device, self._ui.colormap())
        worker.succeeded.connect(partial(self._on_analysis, self._analysis_token))
        worker.error.connect(partial(self._on_analysis_error, self._analysis_token))
        self._pool.run(worker)

    def _on_analysis(self, token: int, analysis: Analysis) -> None:
        if token != self._analysis_token or analysis.photo is not self.photo:
            return
        self._display(analysis)

    def show_again(self, analysis: Analysis) -> None:
        """Put an earlier photo of the case back on screen with its result, as it was
        analysed (no new analysis); answers still on their way are dropped."""
        self._read_token += 1
        self._analysis_token += 1
        self.photo = analysis.photo
        self._ui.show_photo(analysis.photo.preview)
        self.photo_shown.emit(analysis.photo)
        self._display(analysis)

    def _display(self, analysis: Analysis) -> None:
        self._set_analysis(analysis)
        ui = self._ui
        ui.show_analysis(analysis)
        if analysis.colormap != ui.colormap():
            self._recolour()
        if ui.colorbar.colormap != ui.colormap():
            ui.colorbar.set_colormap(ui.colormap())
        ui.apply_view_options()
        result = analysis.result
        ui.result_panel.show_result(result, analysis.bundle.card)
        total = result.timings.get("total", 0.0)
        ui.set_status(
            self.tr("{name}: {summary} (score {score:.3f}), analysed in {total:.2f} s").format(
                name=analysis.photo.name, summary=result.summary, score=result.score, total=total
            )
        )
        if result.face_count > 1:
            ui.message_bar.show_message(result.warnings[0], "warning")
        self.result_shown.emit(analysis)

    def _on_analysis_error(self, token: int, error: Exception) -> None:
        if token != self._analysis_token:
            return
        self._show_failure(error_text(error))

    def _set_analysis(self, analysis: Analysis | None) -> None:
        self.analysis = analysis
        self.analysis_changed.emit(analysis is not None)

    def _show_failure(self, text: str) -> None:
        self._set_analysis(None)
        self._ui.clear_result()
        self._ui.result_panel.show_failure(text)
        self.failed.emit(text)

    # ------------------------------------------------------- model, device, colour map

    def on_model_ready(self) -> None:
        if self.photo is not None:
            self.analyse()
        elif self.analysis is None:
            self._ui.result_panel.show_status(self.tr("Open a photo to begin."))

    def retranslate(self) -> None:
        """After a language switch: the result analysed again, so that its wording and
        warnings (made by the core) are in the new language, or the waiting line anew."""
        if self.photo is not None:
            self.analyse()
        elif self.analysis is None:
            self._ui.result_panel.show_status(self.tr("Open a photo to begin."))

    def on_device_changed(self) -> None:
        if self._models.bundle is not None:
            self.analyse()

    def on_colormap_changed(self) -> None:
        if self.analysis is not None:
            self._recolour()
            self._ui.colorbar.set_colormap(self._ui.colormap())

    def _recolour(self) -> None:
        assert self.analysis is not None
        name = self._ui.colormap()
        self.analysis.layers = {
            "photo": heat_rgba(self.analysis.photo_heat, name),
            "face": heat_rgba(self.analysis.result.heatmap, name),
        }
        self.analysis.colormap = name
        self._ui.show_heat(self.analysis.layers)
