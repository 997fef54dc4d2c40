"""The core's language: sentences, dates and the fallback to English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from wbs_desktop.core import i18n
from wbs_desktop.core.case.age import Age
from wbs_desktop.core.pipeline.analysis import similarity_summary


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_switching_changes_sentences_at_once() -> None:
    assert similarity_summary("high") == "Facial features similar to WBS: high"
    assert i18n.set_language("zh_CN.UTF-8") == "zh_CN"
    assert similarity_summary("high") == "与威廉斯综合征相似的面容特征：高"
    assert str(Age(3, 2)) == "3岁2个月"
    assert i18n.format_date(date(2026, 11, 26)) == "2026年11月26日"
    i18n.set_language("en")
    assert str(Age(3, 2)) == "3 years 2 months"
    assert i18n.format_date(date(2026, 11, 26)) == "2026-11-26"


def test_the_system_locale_picks_the_default() -> None:
    assert i18n.system_language({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert i18n.system_language({"LC_ALL": "de_DE.UTF-8", "LANG": "zh_CN"}) == "en"
    assert i18n.system_language({}) == "en"


def test_a_missing_catalogue_means_english(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(i18n, "locale_dir", lambda: tmp_path)
    assert i18n.set_language("zh_CN") == "zh_CN"
    assert similarity_summary("low") == "Facial features similar to WBS: low"
