"""Reports that say whom they are about (issue 12): the patient block on page 1, the
patient ID and "page i of n" in every page's footer, read back from real PDF and PNG files;
long, hostile details never overlap other text."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.core.test_report import LONG, assert_no_overlap, drawn_texts
from wbs_desktop.core.case.patient import Patient
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.outputs.report import report_figures, write_report
from wbs_desktop.core.outputs.report_frame import CaseDetails, CasePhotoLine
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image

CASE = CaseDetails(
    Patient(
        patient_id="P-2026-0042",
        name="Ada Example",
        date_of_birth=date(2021, 9, 15),
        sex="female",
        examiner="Dr Lin",
        clinic="Genetics clinic",
        notes="Referred for feeding difficulties; hypercalcaemia in infancy.",
    ),
    photo_date=date(2024, 11, 20),
    warnings=("The child's age at the photo is outside the model's ages.",),
)


@pytest.fixture(scope="module")
def sample(mobilenet_bundle: ModelBundle) -> tuple:
    image = load_image(sample_photo_path())
    return image, analyze(image, mobilenet_bundle, "cpu")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_case_report_names_the_patient_on_page_1_and_in_every_footer(
    sample: tuple, tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    image, result = sample
    path = write_report(tmp_path / "case.pdf", image, result, card=mobilenet_bundle.card, case=CASE)
    pages = [_flat(page.extract_text()) for page in PdfReader(str(path)).pages]
    for expected in (
        "Patient ID: P-2026-0042",
        "Name: Ada Example",
        "Sex: female",
        "Date of birth: 2021-09-15",
        "Photo taken: 2024-11-20",
        "Age at photo: 3 years 2 months",
        "Examiner: Dr Lin",
        "Clinic: Genetics clinic",
        "Notes: Referred for feeding difficulties",
        "The child's age at the photo is outside the model's ages.",
        result.summary,
    ):
        assert expected in pages[0], expected
    for number, text in enumerate(pages, 1):
        assert f"patient P-2026-0042 - page {number} of 2" in text
    png = report_figures(image, result, "png", case=CASE)
    assert any("page 1 of 1" in t for t, _ in drawn_texts(png[0]))


def test_without_a_case_the_footer_still_counts_pages(sample: tuple) -> None:
    image, result = sample
    first, second = report_figures(image, result, "pdf")
    one = " ".join(t for t, _ in drawn_texts(first))
    assert "page 1 of 2" in one and "Patient ID" not in one
    assert "no patient details: not for a patient's record" in one
    assert "page 2 of 2" in " ".join(t for t, _ in drawn_texts(second))


@pytest.mark.parametrize("length", [0, 300, 4000])
def test_long_patient_details_never_overlap_other_text(
    sample: tuple, length: int, mobilenet_bundle: ModelBundle
) -> None:
    image, result = sample
    patient = Patient(
        patient_id="I" * 200,
        name="$\\frac$ " + "N" * 199,
        date_of_birth=date(2020, 1, 31),
        examiner=LONG[:200],
        clinic="C" * 200,
        ancestry="A" * 200,
        notes=(LONG * 40)[:length],
    )
    case = CaseDetails(patient, photo_date=date(2019, 12, 1))  # before birth: no age
    first, second = report_figures(image, result, "pdf", card=mobilenet_bundle.card, case=case)
    assert_no_overlap(first)
    assert_no_overlap(second)
    page_one = " ".join(t for t, _ in drawn_texts(first))
    assert "Age at photo: unknown (photo dated before birth)" in page_one


def test_a_case_of_several_photos_gets_a_page_listing_them_and_the_combined_result(
    sample: tuple, tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    image, result = sample
    lines = tuple(
        CasePhotoLine(
            f"visit-{year}.jpg",
            date(year, 3, 1),
            age,
            score,
            "low",
            warnings,
            used,
            result.aligned.image,
        )
        for year, age, score, warnings, used in (
            (2023, "1 year 5 months", 0.126, 0, True),
            (2024, "2 years 5 months", 0.251, 2, False),
        )
    )
    case = dataclasses.replace(
        CASE, photos=lines, combined="Facial features similar to WBS: low (1 of 2 photos)"
    )
    path = write_report(tmp_path / "case.pdf", image, result, card=mobilenet_bundle.card, case=case)
    pages = [_flat(page.extract_text()) for page in PdfReader(str(path)).pages]
    assert len(pages) == 3 and "Model card" in pages[2]
    for expected in (
        "Photos of this case",
        "Facial features similar to WBS: low (1 of 2 photos)",
        "visit-2023.jpg 2023-03-01, age 1 year 5 months Score 0.126 (low)",
        "0 quality warnings; counted",
        "visit-2024.jpg 2024-03-01, age 2 years 5 months Score 0.251 (low)",
        "2 quality warnings; left out",
    ):
        assert expected in pages[1], expected
    assert all(f"patient P-2026-0042 - page {n} of 3" in text for n, text in enumerate(pages, 1))
    _, middle, _ = report_figures(image, result, "pdf", card=mobilenet_bundle.card, case=case)
    assert_no_overlap(middle, at_least=5)  # title, result, heading, 2 rows, footer
    assert len(report_figures(image, result, "png", case=case)) == 1
