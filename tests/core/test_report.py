"""The Qt-free report (PDF/PNG), batch rows and CSV, and the refusal to overwrite devices."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from wbs_desktop.core.analysis import analyze
from wbs_desktop.core.batch import FAILED, find_photos, screen_photo, write_csv
from wbs_desktop.core.bundle import ModelBundle
from wbs_desktop.core.errors import OutputError
from wbs_desktop.core.files import atomic_write_bytes
from wbs_desktop.core.imaging import load_image
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.report import (
    PAGE_SIZE_IN,
    PNG_DPI,
    ReportOptions,
    face_crop_box,
    format_for,
    report_bytes,
    write_report,
)


@pytest.fixture(scope="module")
def sample(mobilenet_bundle: ModelBundle) -> tuple:
    image = load_image(sample_photo_path())
    return image, analyze(image, mobilenet_bundle, "cpu")


def test_pdf_report_has_two_pages_with_the_essentials(sample: tuple, tmp_path: Path,
                                                      mobilenet_bundle: ModelBundle) -> None:
    image, result = sample
    path = write_report(tmp_path / "r.pdf", image, result, card=mobilenet_bundle.card,
                        options=ReportOptions(photo_label="child.jpg", crop_to_face=True))
    pages = PdfReader(str(path)).pages
    assert len(pages) == 2
    first = pages[0].extract_text()
    for expected in (result.summary, f"Score {result.score:.3f}", "untrained: pipeline test only",
                     "Photo (face crop)", "Photo: child.jpg", "Intended use".upper(),
                     "Grad-CAM heatmap", "WBS Screen 0.1.0", mobilenet_bundle.sha256[:16]):
        assert expected in first, expected
    second = pages[1].extract_text()
    assert "Model card" in second and "test mobilenet_v2" in second
    assert "does not diagnose WBS" in second.replace("\n", " ")


def test_png_report_is_the_first_page(sample: tuple) -> None:
    image, result = sample
    data = report_bytes(image, result, "png")
    assert data.startswith(b"\x89PNG")
    from io import BytesIO

    with Image.open(BytesIO(data)) as png:
        assert png.size == pytest.approx((PAGE_SIZE_IN[0] * PNG_DPI, PAGE_SIZE_IN[1] * PNG_DPI),
                                         abs=2)


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
