"""`wbs-desktop --language`: human-readable fields and --help follow it, JSON keys never do."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from wbs_desktop.cli import main
from wbs_desktop.core.i18n import set_language
from wbs_desktop.core.paths import sample_photo_path


def _predict(*options: str, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wbs_desktop",
            *options,
            "predict",
            "--json",
            "--device",
            "cpu",
            str(sample_photo_path()),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[0])


def _keys(value: object) -> object:
    if isinstance(value, dict):
        return {key: _keys(item) for key, item in value.items()}
    return None


def test_chinese_summary_same_keys() -> None:
    english = _predict("--language", "en")
    chinese = _predict("--language", "zh_CN")
    assert english["summary"].startswith("Facial features similar to WBS")
    assert chinese["summary"].startswith("与威廉斯综合征相似的面容特征")
    assert _keys(chinese) == _keys(english)
    assert chinese["label"] == english["label"]  # a value, not wording
    assert set(chinese["regions"]) == set(english["regions"])


def test_the_system_locale_is_the_default_and_errors_follow_it() -> None:
    chinese = _predict(env={"LANGUAGE": "", "LC_ALL": "zh_CN.UTF-8"})
    assert "威廉斯综合征" in chinese["summary"]
    done = subprocess.run(
        [sys.executable, "-m", "wbs_desktop", "--language", "zh_CN", "predict", "missing.jpg"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=600,
    )
    assert done.returncode != 0
    assert "找不到文件“missing.jpg”" in done.stderr


HELP_WORDS = {
    # language: (words of `wbs-desktop --help`, words of `wbs-desktop predict --help`)
    "zh_CN": (["用法：", "命令", "为照片评分", "语言"], ["用法：", "选项", "病例", "患者编号"]),
    "en": (["usage: ", "commands", "score photos"], ["usage: ", "options", "patient's identifier"]),
}


@pytest.mark.parametrize("language", sorted(HELP_WORDS))
def test_help_follows_the_language(language: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        for command, words in zip(([], ["predict"]), HELP_WORDS[language], strict=True):
            with pytest.raises(SystemExit) as done:
                main(["--language", language, *command, "--help"])
            assert done.value.code == 0
            text = capsys.readouterr().out
            assert [word for word in words if word not in text] == []
    finally:
        set_language("en")
