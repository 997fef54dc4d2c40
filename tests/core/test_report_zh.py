"""A Chinese report: every glyph drawn (no missing-glyph warning), the CJK font embedded."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from wbs_desktop.core import i18n
from wbs_desktop.core.case.patient import Patient
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.outputs.report import ReportOptions, write_report
from wbs_desktop.core.outputs.report_frame import CaseDetails
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image


@pytest.fixture()
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("en")


def _embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Base font name -> whether a TrueType program (FontFile2) is embedded for it."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = bool(descriptor and "/FontFile2" in descriptor.get_object())
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


def test_chinese_pdf_report_embeds_the_cjk_font(
    chinese: None, tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    image = load_image(sample_photo_path())
    result = analyze(image, mobilenet_bundle, "cpu")
    case = CaseDetails(
        Patient(patient_id="P-7", name="王小明", date_of_birth=date(2020, 5, 3), sex="male"),
        photo_date=date(2026, 11, 26),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_report(
            tmp_path / "r.pdf",
            image,
            result,
            card=mobilenet_bundle.card,
            options=ReportOptions(photo_label="孩子.jpg"),
            case=case,
        )
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    reader = PdfReader(str(path))
    fonts = _embedded_fonts(reader)
    assert any("DroidSansFallback" in name and embedded for name, embedded in fonts.items()), fonts
    first = reader.pages[0].extract_text()
    for expected in (
        result.summary,  # 与威廉斯综合征相似的面容特征：...
        "面容特征筛查报告",
        "患者编号：P-7",
        "王小明",
        "出生日期：2020年5月3日",
        "6岁6个月",
        "不得用于临床",
    ):
        assert expected in first, expected
    assert "模型卡" in reader.pages[1].extract_text()


def test_english_report_stays_in_dejavu(tmp_path: Path, mobilenet_bundle: ModelBundle) -> None:
    image = load_image(sample_photo_path())
    result = analyze(image, mobilenet_bundle, "cpu")
    path = write_report(tmp_path / "r.pdf", image, result, card=mobilenet_bundle.card)
    fonts = _embedded_fonts(PdfReader(str(path)))
    assert any("DejaVuSans" in name for name in fonts)
    assert not any("DroidSansFallback" in name for name in fonts)
