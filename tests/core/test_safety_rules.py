"""Source rules: the app never deserialises pickles, and the core never imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "wbs_desktop"
CORE = APP / "core"
QT_MODULES = {"PySide2", "PySide6", "PyQt5", "PyQt6", "shiboken2", "shiboken6", "qtpy", "sip"}


def python_files(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.py"))
    assert files, f"no Python files under {folder}"
    return files


@pytest.mark.parametrize("forbidden", ["torch.load", "pickle"])
def test_app_never_unpickles(forbidden: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files(APP)
        if forbidden in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], f"{forbidden!r} appears in {offenders}"


def imported_modules(source: str) -> set[str]:
    """Absolute module names imported anywhere in ``source`` (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_qt() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(qt)
        for path in python_files(CORE)
        if (
            qt := {
                m
                for m in imported_modules(path.read_text(encoding="utf-8"))
                if m.split(".")[0] in QT_MODULES
            }
        )
    }
    assert offenders == {}


def test_import_scan_sees_every_form() -> None:
    source = "import PySide6.QtCore\nfrom PyQt6 import QtGui\ndef f():\n    import shiboken6\n"
    assert imported_modules(source) == {"PySide6.QtCore", "PyQt6", "shiboken6"}
