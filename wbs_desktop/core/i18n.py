"""The language of the core's sentences (errors, warnings, result wording, reports).

The core uses the standard library's ``gettext`` with the catalogue
``resources/locale/<language>/LC_MESSAGES/wbs_desktop.mo`` (compiled from the ``.po`` by
``make translations``). Sentences are looked up when they are made, not when a module is
imported, so switching the language takes effect at once; constants that must be written at
import time are marked with :func:`N_` and translated where they are shown.

Only human-readable text follows the language: JSON keys, CSV headers and values such as
``"high"``/``"low"`` never change. A missing catalogue means English, never a crash.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
from collections.abc import Mapping
from pathlib import Path

from wbs_desktop.core.paths import resources_dir

DOMAIN = "wbs_desktop"
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES = (ENGLISH, CHINESE)
# What each language is called in its own script, for menus and --help.
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}

_state: dict[str, object] = {"language": ENGLISH, "translations": gettext.NullTranslations()}


def locale_dir() -> Path:
    return resources_dir() / "locale"


def normalise(code: str) -> str:
    """``"zh_CN"``, ``"zh-CN"``, ``"zh_CN.UTF-8"``, ``"zh"`` -> ``"zh_CN"``; any other
    language -> ``"en"`` (the only other language the app has)."""
    base = code.strip().replace("-", "_").split(".")[0].split("@")[0].lower()
    return CHINESE if base.startswith("zh") else ENGLISH


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, as gettext reads it (``LANGUAGE``,
    ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); English when none is set or it is "C"."""
    environ = os.environ if environ is None else environ
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            return normalise(value.split(":")[0])
    return ENGLISH


def set_language(code: str) -> str:
    """Switch the core's sentences to ``code`` (see :func:`normalise`); returns the language
    now in use. Without a compiled catalogue the text stays English."""
    language = normalise(code)
    translations: gettext.NullTranslations = gettext.NullTranslations()
    if language != ENGLISH:
        translations = gettext.translation(
            DOMAIN, locale_dir(), languages=[language], fallback=True
        )
    _state["language"] = language
    _state["translations"] = translations
    return language


def language() -> str:
    return str(_state["language"])


def _translations() -> gettext.NullTranslations:
    current = _state["translations"]
    assert isinstance(current, gettext.NullTranslations)
    return current


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the current language."""
    return _translations().ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks ``message`` for extraction without translating it (import-time constants);
    pass it through :func:`_` where it is shown."""
    return message


def format_date(day: dt.date) -> str:
    """A date as the language writes it: 2026-11-26, 2026年11月26日."""
    # Translators: a calendar date; keep the {year}, {month} and {day} fields.
    pattern = _("{year:04d}-{month:02d}-{day:02d}")
    return pattern.format(year=day.year, month=day.month, day=day.day)


def format_datetime(moment: dt.datetime) -> str:
    """A date and a time of day: 2026-11-26 14:05, 2026年11月26日 14:05."""
    return f"{format_date(moment.date())} {moment:%H:%M}"


def with_percent(figure: str) -> str:
    """A figure (a percentage already, e.g. "85" or "85.5 ± 8.1") with the percent sign as
    the language writes it: 85 %, 85%."""
    # Translators: a percentage; Chinese writes no space before the sign.
    return _("{value} %").format(value=figure)


def format_percent(value: float, decimals: int = 0) -> str:
    """``value`` (a percentage already) rounded to ``decimals``, with its sign."""
    return with_percent(f"{value:.{decimals}f}")
