"""Entry point of the frozen app (see wbs_screen.spec).

One PyInstaller Analysis serves both programs in one folder, so they share every library. The
name the program was started under picks it: ``wbs-screen`` is the windowed app
(``wbs_desktop.gui.app:main``), anything else (``wbs-desktop``) is the command line
(``wbs_desktop.cli:main``, whose default without arguments is the GUI too).

On Linux ``wbs-screen`` is a symbolic link to the one executable, ``wbs-desktop``: the name
comes from ``argv[0]``, since ``sys.executable`` is the link's target there. On Windows and
macOS, two executables, ``argv[0]`` is the executable's own path.
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
    name = Path(sys.argv[0]).stem.lower() if sys.argv else ""
    if name in GUI_NAMES:
        from wbs_desktop.gui.app import main as gui_main

        return gui_main()
    from wbs_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
