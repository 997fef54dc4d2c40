"""PyInstaller hook for PySide6.QtGui: PyInstaller's own, less the Qt plugins the spec leaves out.

The spec names them in ``hooksconfig={"PySide6.QtGui": {"exclude_plugins": [...]}}``
(destination paths in the folder, fnmatch patterns). Leaving a plugin out here, before
PyInstaller looks for the libraries each binary links, keeps those libraries out as well:
the GTK3 theme plugin brought in cairo, pango, ATK and gdk-pixbuf, the VNC platform plugin
QtNetwork and Kerberos. Dropping plugins from the finished list would leave them behind.
"""

from __future__ import annotations

import fnmatch
import os

from PyInstaller.depend.imphookapi import PostGraphAPI
from PyInstaller.utils.hooks import get_hook_config
from PyInstaller.utils.hooks.qt import add_qt6_dependencies


def _left_out(source: str, folder: str, patterns: list[str]) -> bool:
    path = f"{folder}/{os.path.basename(source)}".replace(os.sep, "/")
    return any(fnmatch.fnmatch(path, pattern) for pattern in patterns)


def hook(hook_api: PostGraphAPI) -> None:
    hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
    patterns = get_hook_config(hook_api, "PySide6.QtGui", "exclude_plugins") or []
    hook_api.add_imports(*hiddenimports)
    hook_api.add_binaries(
        [(source, folder) for source, folder in binaries if not _left_out(source, folder, patterns)]
    )
    hook_api.add_datas(datas)
