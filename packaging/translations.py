"""Extract and compile the app's translations (``make translations``).

Two catalogues, each with its ecosystem's tools:

- the core's sentences (gettext): Babel extracts ``_``, ``N_`` and ``ngettext`` from
  ``wbs_desktop/core`` and the CLI into ``resources/locale/wbs_desktop.pot``, merges it into
  ``resources/locale/<lang>/LC_MESSAGES/wbs_desktop.po`` and compiles that to ``.mo``;
- the window's texts (Qt): ``pyside6-lupdate`` extracts ``tr()`` and
  ``QCoreApplication.translate`` from ``wbs_desktop/gui`` into
  ``resources/translations/wbs_desktop_<lang>.ts`` and ``pyside6-lrelease`` compiles ``.qm``.

The ``.po`` and ``.ts`` files are the sources (committed); ``.pot``, ``.mo`` and ``.qm`` are
built (``make venv`` and the package build run ``compile``).

Usage: ``python packaging/translations.py [extract|compile|all]`` (default ``all``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("zh_CN",)
DOMAIN = "wbs_desktop"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LOCALE = ROOT / "resources" / "locale"
TRANSLATIONS = ROOT / "resources" / "translations"


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def ts_path(language: str) -> Path:
    return TRANSLATIONS / f"{DOMAIN}_{language}.ts"


def _core_sources(root: Path) -> list[Path]:
    package = root / "wbs_desktop"
    return sorted([*(package / "core").rglob("*.py"), *package.glob("cli*.py")])


def _gui_sources(root: Path) -> list[Path]:
    return sorted((root / "wbs_desktop" / "gui").glob("*.py"))


def core_template(root: Path = ROOT) -> Catalog:
    """Every message of the core and the CLI, as Babel finds them."""
    catalog = Catalog(project="WBS Screen", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for source in _core_sources(root):
        for lineno, message, comments, context in extract_from_file(
            "python",
            str(source),
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        ):
            catalog.add(
                message,
                None,
                [(source.relative_to(root).as_posix(), lineno)],
                auto_comments=comments,
                context=context,
                flags=("python-brace-format",),
            )
    return catalog


def update_core(root: Path = ROOT) -> None:
    """Write the template and merge it into each language's ``.po``: new messages come in
    untranslated, messages gone from the code are dropped."""
    template = core_template(root)
    pot = root / "resources" / "locale" / f"{DOMAIN}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as handle:
        write_po(handle, template, width=100, include_lineno=False)
    for language in LANGUAGES:
        path = root / po_path(language).relative_to(ROOT)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="WBS Screen", fuzzy=False)
        created = catalog.creation_date  # not a change of its own: keeps diffs to real ones
        catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        catalog.creation_date = created
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, include_previous=False, include_lineno=False)


def _qt_tool(name: str) -> str:
    """``pyside6-lupdate``/``pyside6-lrelease`` beside this Python (a venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def update_gui(root: Path = ROOT, ts_files: list[Path] | None = None) -> None:
    """Run lupdate over the GUI into each ``.ts`` (``-no-obsolete``: texts gone from the
    code leave the file)."""
    targets = ts_files or [root / ts_path(lang).relative_to(ROOT) for lang in LANGUAGES]
    for ts in targets:
        ts.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                _qt_tool("pyside6-lupdate"),
                *map(str, _gui_sources(root)),
                "-no-obsolete",
                "-locations",
                "none",
                "-ts",
                str(ts),
            ],
            check=True,
            cwd=root,
            capture_output=True,
        )


def compile_all(root: Path = ROOT) -> list[Path]:
    """``.po`` -> ``.mo`` and ``.ts`` -> ``.qm``; returns the files written."""
    written = []
    for language in LANGUAGES:
        po = root / po_path(language).relative_to(ROOT)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
        ts = root / ts_path(language).relative_to(ROOT)
        qm = ts.with_suffix(".qm")
        subprocess.run(
            [_qt_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
        )
        written.append(qm)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Extract and compile the translations.")
    parser.add_argument("step", nargs="?", default="all", choices=("extract", "compile", "all"))
    step = parser.parse_args(argv).step
    if step in ("extract", "all"):
        update_core()
        update_gui()
    if step in ("compile", "all"):
        for path in compile_all():
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
