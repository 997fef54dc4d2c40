"""Unexpected errors: a dialog for the user and a local log for whoever maintains the app.

The log holds the traceback text only: never pixels, arrays or results. Exception messages
are cut short so that no large object's repr can spill into it. Nothing is sent anywhere.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from wbs_desktop import __version__
from wbs_desktop.core.files import printable

LOG_NAME = "wbs-screen-errors.log"
_MAX_MESSAGE = 300
_MAX_LOG_BYTES = 1_000_000


def log_path() -> Path:
    """``WBS_LOG_DIR`` (tests) or the user's local application-data folder."""
    folder = (
        os.environ.get("WBS_LOG_DIR")
        or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
        or str(Path.home() / ".wbs-screen")
    )
    return Path(folder) / LOG_NAME


def format_exception(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> str:
    """Frames and the exception type; its message cut to a few hundred characters, with
    control characters escaped (it may quote a file name, and the log is read in terminals)."""
    frames = "".join(traceback.format_tb(tb)) if tb else ""
    message = printable(str(error))
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + " [...]"
    return f"Traceback (most recent call last):\n{frames}{kind.__name__}: {message}\n"


def write_log(text: str) -> Path | None:
    """Append one entry; a log that cannot be written must not cause a second error."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > _MAX_LOG_BYTES:
            path.replace(path.with_suffix(".old.log"))
        stamp = datetime.now().isoformat(timespec="seconds")
        with path.open("a", encoding="utf-8") as log:
            log.write(
                f"--- {stamp} WBS Screen {__version__} (Python {sys.version.split()[0]})\n{text}\n"
            )
    except OSError:
        return None
    return path


class _Reporter(QObject):
    """Lives in the GUI thread; errors from other threads reach it through a signal."""

    raised = Signal(str, str)

    def __init__(self) -> None:
        super().__init__()
        self.raised.connect(self._show)
        self.last_box: QMessageBox | None = None

    def _show(self, summary: str, log: str) -> None:
        parent: QWidget | None = QApplication.activeWindow()
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            QCoreApplication.translate("crash", "WBS Screen: unexpected error"),
            QCoreApplication.translate(
                "crash",
                "Something went wrong inside WBS Screen. Your photo was not saved anywhere.",
            ),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the summary may quote a file name
        where = (
            QCoreApplication.translate(
                "crash", "The technical details were written to {log}"
            ).format(log=log)
            if log
            else (
                QCoreApplication.translate(
                    "crash", "The technical details could not be written to a log file."
                )
            )
        )
        box.setInformativeText(
            QCoreApplication.translate(
                "crash",
                "{summary}\n\n{where} (no picture is ever written there). Please send "
                "that file to your support contact.",
            ).format(summary=printable(summary), where=where)
        )
        box.setModal(True)
        box.open()  # not exec(): a nested event loop inside an error handler invites trouble
        self.last_box = box


_reporter: _Reporter | None = None


def report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Log an unexpected exception and tell the user; safe to call from any thread."""
    path = write_log(format_exception(kind, error, tb))
    summary = f"{kind.__name__}: {str(error)[:_MAX_MESSAGE]}"
    if _reporter is not None and QApplication.instance() is not None:
        _reporter.raised.emit(summary, str(path or ""))
    else:
        sys.stderr.write(f"WBS Screen: unexpected error ({summary})\n")


def report_exception(error: BaseException) -> None:
    report(type(error), error, error.__traceback__)


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    report(kind, error, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report(args.exc_type, args.exc_value, args.exc_traceback)


def install() -> _Reporter:
    """Route uncaught exceptions (GUI thread and Python threads) to :func:`report`."""
    global _reporter
    if _reporter is None:
        app = QApplication.instance()
        _reporter = _Reporter()
        if app is not None and QThread.currentThread() is not app.thread():
            _reporter.moveToThread(app.thread())
    sys.excepthook = _excepthook
    threading.excepthook = _thread_hook
    return _reporter


def last_dialog() -> QMessageBox | None:
    return _reporter.last_box if _reporter is not None else None
