"""View > Language switches the whole window live, and the choice is remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wbs_desktop.gui.language import apply_language, choose_language

CJK = range(0x4E00, 0xA000)


def _chinese(text: str) -> bool:
    return any(ord(char) in CJK for char in text)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    apply_language("en")


def test_switch_to_chinese_live_and_back(
    make_window, analysed, sample_photo, settings, qtbot
) -> None:
    window = make_window()
    analysed(window, lambda: window.open_path(sample_photo))
    assert window.windowTitle().endswith("WBS Screen")
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[0] == "&File"

    # The result is analysed again in the new language (its wording comes from the core).
    with qtbot.waitSignal(window.result_shown, timeout=120_000):
        window.commands.language_actions["zh_CN"].trigger()
    assert settings.language == "zh_CN"
    assert window.commands.language_actions["zh_CN"].isChecked()
    assert _chinese(window.windowTitle())
    assert all(_chinese(action.text()) for action in window.menuBar().actions())
    panel = window.result_panel
    assert panel.headline.text().startswith("与威廉斯综合征相似的面容特征")
    assert _chinese(panel.regions_title.text()) and _chinese(panel.model.text())
    assert _chinese(window.open_action.toolTip())
    assert _chinese(window.ui.case_dock.windowTitle())
    assert _chinese(window.ui.case_panel.banner_text())
    assert window.ui.case_panel.patient().sex == "unknown"  # the data stays as it was

    with qtbot.waitSignal(window.result_shown, timeout=120_000):
        window.commands.language_actions["en"].trigger()
    assert window.menuBar().actions()[0].text() == "&File"
    assert window.result_panel.headline.text().startswith("Facial features similar to WBS")


def test_language_choice_order(settings) -> None:
    assert choose_language("zh_CN", "en") == "zh_CN"
    assert choose_language(None, "zh_CN") == "zh_CN"
    settings.language = "zh_CN"
    assert settings.language == "zh_CN"
