"""Application start: the window first, everything heavy in the background.

``main(argv)`` parses ``[PHOTO] [--model F] [--device D] [--language L]`` (and the hidden
``--screenshot PATH``, which saves the window once the first result is shown and quits: for
the README picture and the Xvfb test). ``WBS_GUI_TIMINGS=1`` prints to stderr when the
window was shown and when the first result arrived (wall-clock epoch seconds), for the
start-up benchmark.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from wbs_desktop import __version__
from wbs_desktop.cli_parser import asked_language, gui_parser
from wbs_desktop.core.i18n import set_language, system_language
from wbs_desktop.gui import crash
from wbs_desktop.gui.language import apply_language, choose_language, register_fonts
from wbs_desktop.gui.main_window import MainWindow
from wbs_desktop.gui.settings import APPLICATION, ORGANIZATION, Settings

SCREENSHOT_TIMEOUT_MS = 180_000


def _timing(label: str) -> None:
    if os.environ.get("WBS_GUI_TIMINGS"):
        print(f"wbs-timing {label} {time.time():.4f}", file=sys.stderr, flush=True)


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (125 %, 150 %) as they are, not rounded: crisp text.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("wbs-screen")
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.white)
    palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.white)
    app.setPalette(palette)
    return app


def grab_window(window: QWidget, path: str) -> bool:
    """Save the window as the screen shows it (falls back to rendering the widget)."""
    pixmap = None
    screen = window.screen()
    if QGuiApplication.platformName() not in ("offscreen", "minimal") and screen is not None:
        pixmap = screen.grabWindow(window.winId())
    if pixmap is None or pixmap.isNull():
        pixmap = window.grab()
    return pixmap.save(path)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --help in the language asked for, else the system's; the window's is chosen below.
    set_language(asked_language(argv) or system_language())
    args = gui_parser().parse_args(argv)
    app = _application()
    crash.install()
    settings = Settings()
    register_fonts()
    apply_language(choose_language(args.language, settings.language))
    window = MainWindow(settings, model=args.model, device=args.device)
    window.show()
    QTimer.singleShot(0, lambda: _timing("window-shown"))
    # Start loading once the event loop runs, so the window paints before anything else.
    QTimer.singleShot(0, window.start)
    if args.photo:
        photo = args.photo
        QTimer.singleShot(0, lambda: window.open_path(photo))

    status = {"code": 0}
    first = {"done": False}

    def on_result(_analysis: object) -> None:
        if first["done"]:
            return
        first["done"] = True
        _timing("first-result")
        if args.screenshot:
            # Let the views paint at their final size before grabbing.
            QTimer.singleShot(600, lambda: _finish_screenshot(window, args.screenshot, status))

    window.result_shown.connect(on_result)
    if args.screenshot:

        def give_up(message: str) -> None:
            print(f"wbs-desktop: no result to screenshot ({message})", file=sys.stderr)
            status["code"] = 1
            grab_window(window, args.screenshot)
            window.close()

        window.failure_shown.connect(give_up)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: give_up("timed out"))
    app.exec()
    return status["code"]


def _finish_screenshot(window: MainWindow, path: str, status: dict[str, int]) -> None:
    if not grab_window(window, path):
        print(f"wbs-desktop: could not save the screenshot to {path}", file=sys.stderr)
        status["code"] = 1
    window.close()
