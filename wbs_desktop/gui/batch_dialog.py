"""Screen a folder: progress, cancel, a sortable table (failures with their reason), CSV."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.files import printable
from wbs_desktop.core.model.card_text import human_number, provenance_banner
from wbs_desktop.gui import crash
from wbs_desktop.gui.language import QT_TRANSLATE_NOOP
from wbs_desktop.gui.plain_text import PlainLabel
from wbs_desktop.gui.workers import BatchOutcome, BatchScreener, CsvWriter

if TYPE_CHECKING:  # for annotations only: the GUI imports torch lazily
    from wbs_desktop.core.model.bundle import ModelBundle
    from wbs_desktop.core.outputs.batch import BatchRow

COLUMNS = (
    QT_TRANSLATE_NOOP("BatchDialog", "Photo"),
    QT_TRANSLATE_NOOP("BatchDialog", "Result"),
    QT_TRANSLATE_NOOP("BatchDialog", "Score"),
    QT_TRANSLATE_NOOP("BatchDialog", "SD across networks"),
    QT_TRANSLATE_NOOP("BatchDialog", "Faces"),
    QT_TRANSLATE_NOOP("BatchDialog", "Warnings / reason"),
)


class _Item(QTableWidgetItem):
    """Sorts by the value stored in UserRole (numbers as numbers; empty cells last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
            return mine < theirs
        if isinstance(mine, (int, float)) != isinstance(theirs, (int, float)):
            return isinstance(mine, (int, float))
        # Not super().__lt__: PySide routes the C++ operator back here (endless recursion).
        return str(mine).lower() < str(theirs).lower()


def _item(text: str, sort_value: str | float | None = None) -> QTableWidgetItem:
    item = _Item(text)
    item.setData(Qt.ItemDataRole.UserRole, sort_value if sort_value is not None else text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    return item


class BatchDialog(QDialog):
    finished_screening = Signal(object)  # BatchOutcome
    csv_saved = Signal(str)

    def __init__(
        self, folder: str, bundle: ModelBundle, device: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.bundle = bundle
        self.device = device
        self.rows: list[BatchRow] = []
        self.outcome: BatchOutcome | None = None
        self.worker: BatchScreener | None = None
        self._csv_worker: CsvWriter | None = None
        self.setWindowTitle(
            printable(
                self.tr("Screen a folder - {folder}").format(
                    folder=os.path.basename(folder) or folder
                )
            )
        )
        self.resize(900, 560)

        note = bundle.provenance_note
        self.banner = PlainLabel(provenance_banner(note))
        self.banner.setStyleSheet(
            "background: #fdecea; border: 1px solid #b3261e; "
            "color: #8c1d18; padding: 6px; border-radius: 4px; "
            "font-weight: bold;"
        )
        self.banner.setVisible(bool(note))
        self.status = PlainLabel(
            self.tr("Model: {name}. Folder: {folder}").format(name=bundle.name, folder=folder)
        )
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setFormat(self.tr("%v of %m photos"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(True)

        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setShortcut(QKeySequence("Esc"))
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setShortcut(QKeySequence.StandardKey.Save)
        self.export_button.setToolTip(self.tr("Save the table as a CSV file (Ctrl+S)"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._ask_csv_path)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # --- screening
    def start(self) -> None:
        worker = BatchScreener(self.folder, self.bundle, self.device)
        worker.progress.connect(self._on_progress)
        worker.row.connect(self._add_row)
        worker.succeeded.connect(self._on_done)
        worker.error.connect(self._on_error)
        self.worker = worker
        self.table.setSortingEnabled(False)
        worker.start()

    def is_running(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def cancel_or_close(self) -> None:
        if self.is_running():
            assert self.worker is not None
            self.worker.requestInterruption()
            self.status.setText(self.tr("Cancelling after the current photo…"))
            self.cancel_button.setEnabled(False)
        else:
            self.accept()

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        if name:
            self.status.setText(self.tr("Screening {name}…").format(name=name))

    def _add_row(self, row: BatchRow) -> None:
        self.rows.append(row)
        index = self.table.rowCount()
        self.table.insertRow(index)
        cells = [
            _item(printable(row.photo.name), row.photo.name.lower()),
            _item(row.label if row.ok else "failed", row.label if row.ok else "~failed"),
            _item(human_number(row.score) if row.score is not None else "", row.score),
            _item(human_number(row.score_std) if row.score_std is not None else "", row.score_std),
            _item(str(row.faces_found) if row.ok else "", row.faces_found if row.ok else None),
            _item(printable(row.error if not row.ok else " | ".join(row.warnings))),
        ]
        for column, cell in enumerate(cells):
            if not row.ok:
                cell.setForeground(QColor("#8c1d18"))
            self.table.setItem(index, column, cell)

    def _finish(self) -> None:
        self.table.setSortingEnabled(True)
        self.cancel_button.setText(self.tr("Close"))
        self.cancel_button.setEnabled(True)
        self.export_button.setEnabled(bool(self.rows))

    def _on_done(self, outcome: BatchOutcome) -> None:
        self.outcome = outcome
        failed = sum(not r.ok for r in outcome.rows)
        if outcome.total == 0:
            self.status.setText(self.tr("No photos (JPEG, PNG, BMP, TIFF or WebP) in this folder."))
        else:
            done = (
                self.tr(
                    "Cancelled after {rows} of {total} photos; {failed} could not be analysed "
                    "(reason in the table)."
                )
                if outcome.cancelled
                else self.tr(
                    "Screened {rows} of {total} photos; {failed} could not be analysed "
                    "(reason in the table)."
                )
            )
            self.status.setText(
                done.format(rows=len(outcome.rows), total=outcome.total, failed=failed)
            )
        self._finish()
        self.finished_screening.emit(outcome)

    def _on_error(self, error: Exception) -> None:
        if not isinstance(error, WBSError):
            crash.report_exception(error)
        self.status.setText(str(error))
        self.outcome = BatchOutcome(self.rows, True, len(self.rows))
        self._finish()
        self.finished_screening.emit(self.outcome)

    # --- CSV
    def _ask_csv_path(self) -> None:
        default = str(Path(self.folder) / "wbs_screen_results.csv")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), default, "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        """Write the rows in their screening order (not the table's sort order)."""
        worker = CsvWriter(path, list(self.rows))
        worker.succeeded.connect(lambda written: self._on_csv(str(written)))
        worker.error.connect(self._on_csv_error)
        self._csv_worker = worker
        worker.start()

    def _on_csv(self, path: str) -> None:
        self.status.setText(self.tr("Saved {path}").format(path=path))
        self.csv_saved.emit(path)

    def _on_csv_error(self, error: Exception) -> None:
        if not isinstance(error, WBSError):
            crash.report_exception(error)
        self.status.setText(str(error))
        self.csv_saved.emit("")

    def done(self, result: int) -> None:
        if self.is_running():
            assert self.worker is not None
            self.worker.requestInterruption()
            self.worker.wait(30_000)
        if self._csv_worker is not None:
            self._csv_worker.wait(30_000)
        super().done(result)
