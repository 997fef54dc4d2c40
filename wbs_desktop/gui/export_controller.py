"""Saving the result on screen as a PDF or PNG report, written in a worker."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog

from wbs_desktop.gui.analysis_controller import AnalysisController
from wbs_desktop.gui.controller import WindowController, WindowParts
from wbs_desktop.gui.worker_pool import error_text
from wbs_desktop.gui.workers import ReportWriter


class ExportController(WindowController):
    report_done = Signal(str)  # the path written, "" when it failed

    def __init__(self, parts: WindowParts, analyser: AnalysisController) -> None:
        super().__init__(parts)
        self._analyser = analyser

    @property
    def crop_to_face(self) -> bool:
        """Whether reports show only the face (the choice is remembered)."""
        return self._settings.crop_report_to_face

    def set_crop_to_face(self, crop: bool) -> None:
        self._settings.crop_report_to_face = crop

    def ask_report(self) -> None:
        analysis = self._analyser.analysis
        if analysis is None:
            return
        stem = Path(analysis.photo.name).stem.replace(" ", "_") or "photo"
        default = os.path.join(
            self._settings.last_folder or os.path.expanduser("~"), f"{stem}_wbs_report.pdf"
        )
        path, chosen = QFileDialog.getSaveFileName(
            self._window,
            self.tr("Save report"),
            default,
            self.tr("PDF report (*.pdf);;PNG image (*.png)"),
        )
        if not path:
            return
        fmt = "png" if "png" in chosen.lower() else "pdf"
        if not Path(path).suffix:
            path += f".{fmt}"
        elif Path(path).suffix.lower() in (".pdf", ".png"):
            fmt = Path(path).suffix.lower()[1:]
        self.export_report(path, self.crop_to_face, fmt)

    def export_report(
        self, path: str, crop_to_face: bool | None = None, fmt: str | None = None
    ) -> None:
        """Write the report of the result shown, in a worker: ``fmt`` "pdf" or "png", by
        default from the file name's suffix."""
        from wbs_desktop.core.outputs.report import ReportOptions

        analysis = self._analyser.analysis
        if analysis is None:
            self.failed.emit(self.tr("There is no result to report yet."))
            return
        case_panel = self._ui.case_panel
        case = None
        if not case_panel.is_empty():  # details typed: they go on the report, checked
            problems = case_panel.problems(for_report=True)
            if problems:
                self.failed.emit(" ".join(problems))
                return
            case = case_panel.case_details()
            photos = self._ui.case_photos
            if photos.list.count() > 1:  # the report lists them and their combined result
                case = replace(
                    case,
                    photos=photos.report_lines(),
                    combined=photos.combined_line()[0],
                    combined_warning=photos.identity_warning(),
                )
        crop = self.crop_to_face if crop_to_face is None else crop_to_face
        options = ReportOptions(
            crop_to_face=crop,
            colormap=self._ui.colormap(),
            opacity=self._ui.opacity.value() / 100,
            photo_label=analysis.photo.name,
        )
        self._ui.set_status(self.tr("Saving {path}…").format(path=os.path.basename(path)))
        worker = ReportWriter(path, analysis, options, fmt, case)
        worker.succeeded.connect(self._on_saved)
        worker.error.connect(self._on_error)
        self._pool.run(worker)

    def _on_saved(self, path: Path) -> None:
        self._ui.message_bar.show_message(self.tr("Report saved: {path}").format(path=path), "info")
        self._ui.set_status(self.tr("Report saved: {path}").format(path=path))
        self.report_done.emit(str(path))

    def _on_error(self, error: Exception) -> None:
        self.failed.emit(error_text(error))
        self.report_done.emit("")
