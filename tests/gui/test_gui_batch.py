"""Screening a folder: progress, failures with their reason, sorting, cancel, CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import installed_default

DEFAULT = installed_default()


def test_batch_over_a_folder_with_bad_files(window, qtbot, photo_dir: Path, tmp_path: Path) -> None:
    dialog = window.open_batch(str(photo_dir))
    assert dialog is not None and dialog.banner.isVisible()  # the untrained model says so
    with qtbot.waitSignal(dialog.finished_screening, timeout=120_000) as done:
        pass
    outcome = done.args[0]
    assert not outcome.cancelled and outcome.total == 4  # the sub-folder is not entered
    by_name = {row.photo.name: row for row in outcome.rows}
    assert set(by_name) == {"astronaut.png", "blank.png", "broken.jpg", "sample.jpg"}
    assert by_name["sample.jpg"].ok and by_name["astronaut.png"].ok
    assert by_name["blank.png"].error.startswith("No face was found")
    assert "not a readable photo" in by_name["broken.jpg"].error
    assert dialog.table.rowCount() == 4
    assert "2 could not be analysed" in dialog.status.text()

    # Sorting by score puts numbers in order and failures last.
    dialog.table.sortItems(2, Qt.SortOrder.AscendingOrder)
    names = [dialog.table.item(r, 0).text() for r in range(4)]
    scores = sorted((by_name[n].score, n) for n in ("sample.jpg", "astronaut.png"))
    assert names[:2] == [n for _, n in scores]
    assert dialog.table.item(3, 1).text() == "failed"
    reasons = {dialog.table.item(r, 0).text(): dialog.table.item(r, 5).text() for r in range(4)}
    assert reasons["blank.png"].startswith("No face was found")

    out = tmp_path / "results.csv"
    with qtbot.waitSignal(dialog.csv_saved, timeout=30_000) as saved:
        dialog.export_csv(str(out))
    assert saved.args[0] == str(out)
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["file"] for r in rows] == ["astronaut.png", "blank.png", "broken.jpg", "sample.jpg"]
    assert [r["status"] for r in rows] == ["ok", "failed", "failed", "ok"]
    assert float(rows[3]["score"]) == round(by_name["sample.jpg"].score, 4)
    assert all(r["provenance_note"] == DEFAULT["note"] for r in rows)
    assert rows[1]["score"] == "" and rows[1]["error"].startswith("No face was found")
    dialog.cancel_or_close()
    assert not dialog.isVisible()


def test_batch_cancel_and_csv_to_a_full_disk(window, qtbot, photo_dir: Path) -> None:
    dialog = window.open_batch(str(photo_dir))
    dialog.cancel_or_close()  # cancel at once: the worker stops between photos
    with qtbot.waitSignal(dialog.finished_screening, timeout=120_000) as done:
        pass
    assert done.args[0].cancelled
    assert len(done.args[0].rows) < 4
    assert "Cancelled after" in dialog.status.text()
    assert dialog.cancel_button.text() == "Close"
    with qtbot.waitSignal(dialog.csv_saved, timeout=30_000) as saved:
        dialog.export_csv("/dev/full")
    assert saved.args[0] == ""
    assert "not an ordinary file" in dialog.status.text()
    assert Path("/dev/full").is_char_device()
    dialog.cancel_or_close()


def test_dropping_a_folder_opens_the_batch(window, qtbot, photo_dir: Path) -> None:
    from PySide6.QtCore import QMimeData, QUrl

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo_dir / "extra"))])
    assert window.open_mime(mime)
    dialog = window.batch_dialog
    with qtbot.waitSignal(dialog.finished_screening, timeout=120_000) as done:
        pass
    assert [row.photo.name for row in done.args[0].rows] == ["two_faces.jpg"]
    assert dialog.table.item(0, 4).text() == "2"
    dialog.cancel_or_close()
