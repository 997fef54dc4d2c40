"""The layers are held by import-linter's contracts in pyproject.toml (`make lint`): they hold
on the code as it is, and they break when the core imports the GUI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts over the packages under ``root`` (found first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_project(target: Path) -> Path:
    for package in ("wbs_desktop", "training"):
        shutil.copytree(
            REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", target)
    return target


def test_the_code_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_core_module_importing_the_gui_breaks_the_contracts(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    files = root / "wbs_desktop" / "core" / "files.py"
    files.write_text(
        files.read_text(encoding="utf-8") + "\nimport wbs_desktop.gui.app\n", encoding="utf-8"
    )
    result = lint_imports(root)
    assert result.returncode == 1
    assert "the core imports nothing above it BROKEN" in result.stdout
    assert "wbs_desktop.core.files -> wbs_desktop.gui.app" in result.stdout


def test_a_pipeline_stage_importing_an_output_breaks_the_core_layers(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    stage = root / "wbs_desktop" / "core" / "pipeline" / "quality.py"
    stage.write_text(
        stage.read_text(encoding="utf-8") + "\nimport wbs_desktop.core.outputs.report\n",
        encoding="utf-8",
    )
    result = lint_imports(root)
    assert result.returncode == 1
    assert "layers inside the core BROKEN" in result.stdout
    assert "the core imports nothing above it KEPT" in result.stdout
