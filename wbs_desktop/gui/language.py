"""The window's language: Qt's translators for the window's own texts (``.qm`` from
``resources/translations``) and for Qt's standard dialogs (PySide6's ``qtbase_*.qm``), the
core's sentences (``core.i18n``), and the bundled font that draws Chinese where the system
has none.

Installing or removing a translator makes Qt send every widget a ``LanguageChange`` event;
each retranslates itself then, so the switch needs no restart. A missing ``.qm`` leaves the
window in English.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFontDatabase

from wbs_desktop.core import i18n
from wbs_desktop.core.paths import cjk_font_path, resources_dir

_installed: list[QTranslator] = []  # kept alive while installed (Qt does not own them)


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # noqa: N802 - lupdate's marker
    """Marks ``source`` for ``pyside6-lupdate`` (which matches the name) in ``context``;
    translated where it is shown. PySide6's own is typed to return ``object``."""
    return source


def system_language() -> str:
    """Chinese when the system's locale is Chinese, else English."""
    return i18n.normalise(QLocale.system().name())


def choose_language(requested: str | None, remembered: str) -> str:
    """``--language`` first, then the choice remembered in the settings, then the system."""
    for choice in (requested, remembered):
        if choice:
            return i18n.normalise(choice)
    return system_language()


def _translator(folder: str, name: str) -> QTranslator | None:
    translator = QTranslator()
    return translator if translator.load(name, folder) else None


def apply_language(language: str) -> str:
    """Switch the window and the core to ``language``; returns the language now in use."""
    app = QCoreApplication.instance()
    language = i18n.set_language(language)
    if app is None:
        return language
    while _installed:
        app.removeTranslator(_installed.pop())
    if language != i18n.ENGLISH:
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for translator in (
            _translator(str(resources_dir() / "translations"), f"wbs_desktop_{language}"),
            _translator(qt_folder, f"qtbase_{language}"),
        ):
            if translator is not None and app.installTranslator(translator):
                _installed.append(translator)
    return language


def register_fonts() -> None:
    """Make the bundled CJK font available to the window: Qt falls back on it for
    characters the default font lacks (a machine without Chinese fonts)."""
    path = cjk_font_path()
    if path.is_file():
        QFontDatabase.addApplicationFont(str(path))
