"""The workers a window runs, kept alive until they finish, and how their failures read.

A ``QThread`` that goes out of scope while it runs takes the process down, so every worker
the controllers start goes through one :class:`WorkerPool`, which holds it until its
``finished`` and tells the window whether anything is still busy.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, Signal

from wbs_desktop.core.errors import WBSError
from wbs_desktop.gui import crash
from wbs_desktop.gui.workers import Worker


def error_text(error: Exception) -> str:
    """The sentence the window shows for a failed job: a :class:`WBSError` is written for
    the user; anything else is a bug, which goes to the error log."""
    if isinstance(error, WBSError):
        return str(error)
    crash.report_exception(error)
    return QCoreApplication.translate(
        "WorkerPool",
        "An unexpected error occurred; it was written to the error log. Try "
        "again, or restart WBS Screen.",
    )


class WorkerPool(QObject):
    busy_changed = Signal(bool)  # True while at least one worker runs

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers: set[Worker] = set()

    def run(self, worker: Worker) -> Worker:
        """Start a worker and keep it alive until it has finished."""
        self._workers.add(worker)
        worker.finished.connect(partial(self._finished, worker))
        worker.start()
        self.busy_changed.emit(not self.is_idle())
        return worker

    def _finished(self, worker: Worker) -> None:
        self._workers.discard(worker)
        worker.deleteLater()
        self.busy_changed.emit(not self.is_idle())

    def is_idle(self) -> bool:
        return not any(w.isRunning() for w in self._workers)

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Ask every worker to stop, then wait for each (the window is closing)."""
        workers = list(self._workers)
        for worker in workers:
            worker.requestInterruption()
        for worker in workers:
            worker.wait(timeout_ms)
