"""The batch worker over the pipelined batch: progress, rows and their order as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.gui.workers import BatchScreener


def test_progress_names_each_photo_before_its_row(
    qtbot, photo_dir: Path, mobilenet_bundle: ModelBundle
) -> None:
    worker = BatchScreener(str(photo_dir), mobilenet_bundle, "cpu")
    events: list[tuple[Any, ...]] = []
    worker.progress.connect(lambda done, total, name: events.append((done, total, name)))
    worker.row.connect(lambda row: events.append((row.photo.name, row.ok)))
    with qtbot.waitSignal(worker.succeeded, timeout=120_000) as done:
        worker.start()
    worker.wait()
    assert events == [
        (0, 4, "astronaut.png"),
        ("astronaut.png", True),
        (1, 4, "blank.png"),
        ("blank.png", False),
        (2, 4, "broken.jpg"),
        ("broken.jpg", False),
        (3, 4, "sample.jpg"),
        ("sample.jpg", True),
        (4, 4, ""),
    ]
    outcome = done.args[0]
    assert not outcome.cancelled and outcome.total == 4 and len(outcome.rows) == 4


def test_cancel_after_the_first_row(qtbot, photo_dir: Path, mobilenet_bundle: ModelBundle) -> None:
    worker = BatchScreener(str(photo_dir), mobilenet_bundle, "cpu")
    direct = Qt.ConnectionType.DirectConnection  # in the worker's thread, so no race
    worker.row.connect(lambda _row: worker.requestInterruption(), direct)
    progress: list[int] = []
    worker.progress.connect(lambda done, _total, _name: progress.append(done), direct)
    with qtbot.waitSignal(worker.succeeded, timeout=120_000) as done:
        worker.start()
    worker.wait()
    outcome = done.args[0]
    assert outcome.cancelled and outcome.total == 4
    assert [row.photo.name for row in outcome.rows] == ["astronaut.png"]
    assert progress == [0]  # no photo is announced once the cancel is asked for
