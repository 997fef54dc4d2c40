"""The zh_CN catalogues are complete and up to date with the code.

A text made translatable without a translation fails here: every core message is in the
``.po`` (re-extracted now with Babel), translated and not fuzzy; every GUI text is in the
``.ts`` (re-extracted now with pyside6-lupdate into a copy), finished.
"""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "packaging"))
import translations  # noqa: E402 - packaging/ is not a package

FIELD = re.compile(r"\{[^{}]*\}")


def _po() -> list:
    with translations.po_path("zh_CN").open("rb") as handle:
        return [m for m in read_po(handle, locale="zh_CN") if m.id]


def _ts_messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()
    return [
        (context.findtext("name") or "", message.findtext("source") or "", message)
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def test_every_core_message_is_translated_and_keeps_its_fields() -> None:
    messages = _po()
    assert len(messages) > 250
    for message in messages:
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        for text in strings:
            # str.format fields must survive translation, or the sentence would fail.
            assert set(FIELD.findall(text)) <= set(FIELD.findall(source)) | {
                "{year}",
                "{month}",
                "{day}",
            }


def test_the_core_catalogue_holds_every_message_of_the_code() -> None:
    extracted = {m.id for m in translations.core_template() if m.id}
    committed = {m.id for m in _po()}
    assert extracted - committed == set(), "run `make translations` and translate the new texts"
    assert committed - extracted == set(), "messages gone from the code: run `make translations`"


def test_every_gui_text_is_translated() -> None:
    messages = _ts_messages(translations.ts_path("zh_CN"))
    assert len(messages) > 200
    for context, source, message in messages:
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), (
            context,
            source,
        )
        assert translation.text, (context, source)


@pytest.mark.skipif(
    not shutil.which("pyside6-lupdate")
    and not Path(sys.executable).with_name("pyside6-lupdate").exists(),
    reason="no pyside6-lupdate",
)
def test_the_gui_catalogue_holds_every_text_of_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(translations.ts_path("zh_CN"), fresh)
    translations.update_gui(ts_files=[fresh])
    committed = {(c, s) for c, s, _ in _ts_messages(translations.ts_path("zh_CN"))}
    extracted = {(c, s) for c, s, _ in _ts_messages(fresh)}
    assert extracted == committed, "run `make translations` and translate the new texts"


def test_compiled_catalogues_exist() -> None:
    """`make venv` (and the package build) compiles them; the app needs them at run time."""
    assert translations.po_path("zh_CN").with_suffix(".mo").is_file()
    assert translations.ts_path("zh_CN").with_suffix(".qm").is_file()
