"""The photos of the case (issue 12): every photo analysed since the case began, each with
its date, the age at it, its score and its number of quality warnings, a tick box that
leaves it out of the combined result in one click, and the combined result itself
(``core.case.combine``: the Platt map of the mean deployed logit of the photos ticked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from wbs_desktop.core.case.age import age_at
from wbs_desktop.core.i18n import format_date
from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.gui.plain_text import PlainLabel

if TYPE_CHECKING:
    import numpy as np

    from wbs_desktop.core.case.combine import CaseResult
    from wbs_desktop.core.outputs.report_frame import CasePhotoLine
    from wbs_desktop.gui.workers import Analysis, LoadedPhoto


@dataclass
class _Entry:
    photo: LoadedPhoto  # the photo object: a re-analysis of it replaces its entry
    analysis: Analysis
    texture: np.ndarray  # identity.face_texture of its aligned face


class CasePhotos(QWidget):
    changed = Signal()
    chosen = Signal(object)  # the Analysis of a photo activated in the list (double-click)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.combined = PlainLabel()
        self.combined.setWordWrap(True)
        self.combined.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = PlainLabel()
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addWidget(self.combined)
        self._entries: list[_Entry] = []
        self._born: date | None = None
        self.list.itemChanged.connect(self._refresh)
        self.list.itemActivated.connect(
            lambda item: self.chosen.emit(self._entries[self.list.row(item)].analysis)
        )
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Photos of this case"))
        self.list.setToolTip(
            self.tr(
                "Untick a photo (e.g. one with quality warnings) to leave it out; "
                "double-click it to show it again with its heatmap"
            )
        )
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def add(self, analysis: Analysis) -> None:
        """A result shown: its photo joins the case (or its entry is renewed, e.g. after a
        model change). Photos with quality warnings join unticked."""
        from wbs_desktop.core.case.identity import face_texture  # cv2: loaded by the analysis

        texture = face_texture(analysis.result.aligned.image)
        for entry in self._entries:
            if entry.photo is analysis.photo:
                entry.analysis, entry.texture = analysis, texture
                break
        else:
            self._entries.append(_Entry(analysis.photo, analysis, texture))
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = not analysis.result.warnings
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._refresh()

    def set_date_of_birth(self, born: date | None) -> None:
        self._born = born
        self._refresh()

    def clear(self) -> None:
        self._entries.clear()
        self.list.clear()
        self._refresh()

    def ticked(self) -> list[bool]:
        return [
            self.list.item(i).checkState() == Qt.CheckState.Checked
            for i in range(self.list.count())
        ]

    def report_lines(self) -> tuple[CasePhotoLine, ...]:
        """Each photo as a report lists it (``core.outputs.report_frame``)."""
        from wbs_desktop.core.outputs.report_frame import CasePhotoLine

        lines = []
        for entry, ticked in zip(self._entries, self.ticked(), strict=True):
            result, taken = entry.analysis.result, entry.photo.taken
            known = taken is not None and self._born is not None and taken >= self._born
            lines.append(
                CasePhotoLine(
                    entry.photo.name,
                    taken,
                    str(age_at(self._born, taken)) if known and self._born and taken else "",
                    result.score,
                    result.label,
                    len(result.warnings),
                    ticked,
                    result.aligned.image,
                )
            )
        return tuple(lines)

    def _line(self, entry: _Entry) -> str:
        result, taken = entry.analysis.result, entry.photo.taken
        when = format_date(taken) if taken else self.tr("no date")
        if taken and self._born and taken >= self._born:
            when = self.tr("{date}, {age}").format(date=when, age=age_at(self._born, taken))
        warnings = len(result.warnings)
        from wbs_desktop.core.pipeline.analysis import label_text  # loaded: a result exists

        line = self.tr("{name} ({when}): {score} {label}").format(
            name=entry.photo.name,
            when=when,
            score=human_number(result.score),
            label=label_text(result.label),
        )
        if warnings == 1:
            line += self.tr(", 1 quality warning")
        elif warnings:
            line += self.tr(", {count} quality warnings").format(count=warnings)
        return line

    def _refresh(self) -> None:
        self.list.blockSignals(True)
        for index, entry in enumerate(self._entries):
            self.list.item(index).setText(self._line(entry))
        self.list.blockSignals(False)
        self.combined.setText(self.combined_text())
        self.changed.emit()

    def combined_text(self) -> str:
        """The case's combined result ("Case: ..."), or why there is none."""
        line, combined = self.combined_line()
        if not combined:
            return line
        text = self.tr("Case: {result}").format(result=line)
        warning = self.identity_warning()
        return f"{text}\n{warning}" if warning else text

    def combined_line(self) -> tuple[str, bool]:
        """(the combined result, True), or (why there is none, False)."""
        case = self._combined()
        if isinstance(case, str):
            return case, False
        line = self.tr("{summary}, score {score}").format(
            summary=case.summary, score=human_number(case.score)
        )
        return line, True

    def identity_warning(self) -> str:
        """That a photo that counts may show someone else (``core.case.identity``), or ""."""
        case = self._combined()
        return "" if isinstance(case, str) else case.identity_warning or ""

    def _combined(self) -> CaseResult | str:
        """The combined result of the ticked photos, or why there is none."""
        if not self._entries:
            return self.tr("No photo analysed in this case yet.")
        from wbs_desktop.core.case.combine import CaseError, CasePhoto, combine

        photos = [
            CasePhoto(
                e.photo.name,
                e.analysis.result.logit,
                e.analysis.bundle.sha256,
                e.photo.taken,
                excluded=not ticked,
                texture=e.texture,
            )
            for e, ticked in zip(self._entries, self.ticked(), strict=True)
        ]
        try:
            return combine(photos, self._entries[-1].analysis.bundle.card)
        except CaseError as error:
            return str(error)
