"""The Qt-free report (PDF/PNG), batch rows and CSV, and the refusal to overwrite devices."""

from __future__ import annotations

import csv
import dataclasses
import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader

from wbs_desktop.core.errors import OutputError
from wbs_desktop.core.files import atomic_write_bytes
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.model.card import SYNTHETIC_NOTE, UNTRAINED_NOTE, UNVALIDATED_NOTE
from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.core.outputs.batch import FAILED, find_photos, screen_photo, write_csv
from wbs_desktop.core.outputs.report import (
    ReportOptions,
    format_for,
    report_bytes,
    report_figures,
    write_report,
)
from wbs_desktop.core.outputs.report_page import PAGE_SIZE_IN, PNG_DPI
from wbs_desktop.core.outputs.report_pages import face_crop_box
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image


@pytest.fixture(scope="module")
def sample(mobilenet_bundle: ModelBundle) -> tuple:
    image = load_image(sample_photo_path())
    return image, analyze(image, mobilenet_bundle, "cpu")


def test_pdf_report_has_two_pages_with_the_essentials(
    sample: tuple, tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    image, result = sample
    path = write_report(
        tmp_path / "r.pdf",
        image,
        result,
        card=mobilenet_bundle.card,
        options=ReportOptions(photo_label="child.jpg", crop_to_face=True),
    )
    pages = PdfReader(str(path)).pages
    assert len(pages) == 2
    first = pages[0].extract_text()
    for expected in (
        result.summary,
        f"Score {human_number(result.score)}",
        "Not for clinical use: untrained: pipeline test only.",
        "Photo (face crop)",
        "Photo: child.jpg",
        "Intended use".upper(),
        "Grad-CAM heatmap",
        "WBS Screen 0.1.0",
        mobilenet_bundle.sha256[:16],
    ):
        assert expected in first, expected
    second = pages[1].extract_text()
    assert "Model card" in second and "test mobilenet_v2" in second
    assert "does not diagnose WBS" in second.replace("\n", " ")


def test_png_report_is_the_first_page(sample: tuple) -> None:
    image, result = sample
    data = report_bytes(report_figures(image, result, "png"), "png")
    assert data.startswith(b"\x89PNG")
    with Image.open(BytesIO(data)) as png:
        assert png.size == pytest.approx(
            (PAGE_SIZE_IN[0] * PNG_DPI, PAGE_SIZE_IN[1] * PNG_DPI), abs=2
        )


def test_report_names_and_targets(sample: tuple, tmp_path: Path) -> None:
    assert format_for("a/B.PDF") == "pdf"
    with pytest.raises(OutputError, match="saved as .pdf or .png"):
        format_for("report.jpg")
    image, result = sample
    with pytest.raises(OutputError, match="not an ordinary file"):
        write_report("/dev/full", image, result, fmt="pdf")
    assert Path("/dev/full").is_char_device()
    with pytest.raises(OutputError, match="not an ordinary file"):
        atomic_write_bytes(tmp_path, b"x")  # a folder


def test_face_crop_box_is_clipped_to_the_photo() -> None:
    assert face_crop_box((10, 20, 110, 120), (100, 100, 3), margin=0.5) == (0, 0, 100, 100)
    assert face_crop_box((40, 40, 60, 60), (100, 100, 3), margin=0.5) == (30, 30, 70, 70)


def test_batch_rows_and_csv(tmp_path: Path, mobilenet_bundle: ModelBundle) -> None:
    Image.open(sample_photo_path()).save(tmp_path / "a.jpg")
    (tmp_path / "b.png").write_bytes(b"nonsense")
    (tmp_path / "notes.txt").write_text("not a photo")
    (tmp_path / ".hidden.jpg").write_bytes(b"")
    photos = find_photos(tmp_path)
    assert [p.name for p in photos] == ["a.jpg", "b.png"]
    rows = [screen_photo(p, mobilenet_bundle, "cpu") for p in photos]
    assert rows[0].ok and rows[0].faces_found == 1
    assert rows[1].status == FAILED and "not a readable photo" in rows[1].error
    out = write_csv(tmp_path / "out.csv", rows)
    with out.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert [r["status"] for r in records] == ["ok", "failed"]
    assert records[0]["model"] == "test mobilenet_v2"
    assert isinstance(rows[0].score, float)


# ------------------------------------------------------------------------------- layout


def drawn_texts(fig: Figure) -> list[tuple[str, Bbox]]:
    """Every text drawn on ``fig``, with its box in pixels: ``Text.draw`` is wrapped while
    the figure draws, so ticks outside an axis's range and hidden texts do not count."""
    drawn: dict[int, Text] = {}
    original = Text.draw

    def recording(text: Text, renderer: Any) -> None:
        if text.get_visible() and text.get_text().strip():
            drawn[id(text)] = text
        original(text, renderer)

    renderer = fig.canvas.get_renderer()
    Text.draw = recording  # type: ignore[method-assign]
    try:
        fig.draw(renderer)
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return [(text.get_text(), text.get_window_extent(renderer)) for text in drawn.values()]


def assert_no_overlap(fig: Figure, at_least: int = 11) -> None:
    texts = drawn_texts(fig)
    assert len(texts) >= at_least
    page = fig.bbox
    for text, box in texts:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 + 0.5, f"runs off the page: {text!r}"
        assert page.y0 <= box.y0 and box.y1 <= page.y1 + 0.5, f"runs off the page: {text!r}"
    for i, (first, a) in enumerate(texts):
        for second, b in texts[i + 1 :]:
            overlap = (min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0))
            assert min(overlap) <= 0.5, f"{first[:60]!r} overlaps {second[:60]!r}"


LONG = (
    "A sentence that goes on and on, with words of every length, repeated to fill the "
    "space it is given. "
)
NOTES = [
    "",
    UNTRAINED_NOTE,
    SYNTHETIC_NOTE,
    UNVALIDATED_NOTE,
    LONG * 3,
    LONG * 20,
    "Unbroken" * 120,
]


@pytest.fixture(scope="module")
def hostile_card(mobilenet_bundle: ModelBundle) -> dict[str, Any]:
    """The longest texts a card may hold, and numbers with every digit a float has."""
    card = dict(mobilenet_bundle.card)
    card.update(
        name="N" * 100,
        threshold=0.3908670924492162,
        threshold_rule=LONG * 15,
        calibration={
            "method": "platt",
            "slope": 1.5962643202828966,
            "intercept": -0.6264626649192885,
            "prevalence": 0.3333333333,
            "fitted_on": LONG * 10,
        },
        training_data={
            "synthetic": True,
            "subjects": {"WBS": 600, "other": 600},
            "description": (LONG * 20)[:2000],
        },
        training={"command": "x" * 2000, "config": {}},
    )
    return card


@pytest.mark.parametrize("note", NOTES, ids=lambda n: f"{len(n)} characters")
def test_no_text_overlaps_another_whatever_the_note(
    sample: tuple, note: str, hostile_card: dict[str, Any]
) -> None:
    image, result = sample
    result = dataclasses.replace(
        result,
        model={
            **result.model,
            "provenance_note": note,
            "name": "N" * 100,
            "file": "F" * 200 + ".safetensors",
        },
        warnings=(LONG, LONG * 2, "Short.") if len(note) > 100 else result.warnings,
    )
    options = ReportOptions(photo_label="$\\frac$ " + "W" * 120 + ".jpg", crop_to_face=True)
    first, second = report_figures(image, result, "pdf", card=hostile_card, options=options)
    assert_no_overlap(first)
    assert_no_overlap(second)
    page_one = " ".join(" ".join(text.split()) for text, _ in drawn_texts(first))
    assert page_one.lower().count("not for clinical use") == (1 if note else 0)
    for text in (page_one, " ".join(text for text, _ in drawn_texts(second))):
        assert not re.search(r"\d\.\d{4,}", text), "a number printed with more than 3 digits"


def test_numbers_are_printed_for_people(sample: tuple, hostile_card: dict[str, Any]) -> None:
    image, result = sample
    first, second = report_figures(image, result, "pdf", card=hostile_card)
    page_two = "\n".join(text for text, _ in drawn_texts(second))
    assert "0.391 (" in page_two  # the threshold
    assert "Platt map (slope 1.6, intercept -0.626)" in page_two.replace("\n", " ")
    assert "temperature" not in page_two
    page_one = "\n".join(text for text, _ in drawn_texts(first))
    assert f"Score {human_number(result.score)} (threshold 0.5;" in page_one


def test_untrusted_text_is_printed_not_interpreted(sample: tuple) -> None:
    """A "$" pair is mathtext to matplotlib, and "$\\frac$" made the old report crash."""
    image, result = sample
    label = "$\\frac$\x1b\u202e.jpg"
    options = ReportOptions(photo_label=label)
    data = report_bytes(report_figures(image, result, "pdf", options=options), "pdf")
    text = PdfReader(BytesIO(data)).pages[0].extract_text()
    assert "Photo: $\\frac$\\x1b\\u202e.jpg" in text
