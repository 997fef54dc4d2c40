"""Entry point of both frozen executables (see wbs_screen.spec).

One PyInstaller Analysis serves two executables in one folder, so they share every library.
The executable's own name picks the program: ``wbs-screen`` is the windowed app
(``wbs_desktop.gui.app:main``), anything else (``wbs-desktop``) is the command line
(``wbs_desktop.cli:main``, whose default without arguments is the GUI too).
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

GUI_NAMES = ("wbs-screen",)


def main() -> int:
    # A frozen child process started by multiprocessing (spawn, Windows/macOS) must run the
    # child's code, not the app.
    multiprocessing.freeze_support()
    name = Path(sys.executable).stem.lower()
    if name in GUI_NAMES:
        from wbs_desktop.gui.app import main as gui_main

        return gui_main()
    from wbs_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
