"""The clinical case in the core: age at the photo, the date and patient checks, the EXIF
capture date and the combined score of several photos, each analysed by a real network."""

from __future__ import annotations

import io
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from wbs_desktop.core.case.age import Age, age_at, capture_date_problem
from wbs_desktop.core.case.capture_date import capture_date
from wbs_desktop.core.case.combine import CaseError, CasePhoto, combine
from wbs_desktop.core.case.patient import Patient
from wbs_desktop.core.case.population import age_range_warning, case_warnings
from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.model.card import default_card, validate_card
from wbs_desktop.core.model.scoring import Calibration
from wbs_desktop.core.pipeline.analysis import Result, analyze

TODAY = date(2026, 11, 26)

# ------------------------------------------------------------------------------ age


def _add_months(day: date, months: int) -> date:
    """The oracle: ``months`` calendar months after ``day``, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@given(
    born=st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 1, 1)),
    days=st.integers(min_value=0, max_value=30 * 365),
)
def test_age_is_the_whole_months_reached(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    age = age_at(born, on)
    assert 0 <= age.months < 12
    assert _add_months(born, age.in_months) <= on < _add_months(born, age.in_months + 1)


def test_age_reads_as_years_and_months() -> None:
    assert str(age_at(date(2019, 5, 10), date(2026, 5, 9))) == "6 years 11 months"
    assert str(age_at(date(2019, 5, 10), date(2026, 5, 10))) == "7 years"
    assert str(Age(1, 1)) == "1 year 1 month" and str(Age(0, 0)) == "0 months"
    with pytest.raises(ValueError, match="before the date of birth"):
        age_at(date(2020, 1, 2), date(2020, 1, 1))


def test_photo_dates_that_cannot_be_right_are_one_sentence_each() -> None:
    born = date(2020, 6, 1)
    before = capture_date_problem(date(2020, 5, 31), born, today=TODAY)
    assert before and "before the date of birth" in before and before.count(".") == 1
    future = capture_date_problem(TODAY + timedelta(days=1), born, today=TODAY)
    assert future and "in the future" in future
    assert capture_date_problem(born, born, today=TODAY) is None
    assert capture_date_problem(TODAY, None, today=TODAY) is None


# -------------------------------------------------------------------------- patient


def test_a_report_needs_a_patient_id_and_clean_fields() -> None:
    assert Patient().problems(today=TODAY) == []
    assert Patient().problems(for_report=True, today=TODAY) == [
        "Enter the patient ID: a report without one cannot be filed."
    ]
    assert Patient(patient_id="   ").problems(for_report=True, today=TODAY)
    problems = Patient(
        patient_id="P-1\u202e",
        sex="f",
        date_of_birth=TODAY + timedelta(days=2),
        clinic="x" * 201,
        notes="n" * 4001,
    ).problems(for_report=True, today=TODAY)
    assert len(problems) == 5, problems
    assert all(p[0].isupper() and p.endswith(".") for p in problems)
    assert any("control characters" in p for p in problems)
    assert any("in the future" in p for p in problems)


# ----------------------------------------------------------------------- EXIF date


def _jpeg(exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (16, 16), (120, 90, 80))
    image.save(buffer, "JPEG", **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def test_capture_date_comes_from_exif_or_is_none() -> None:
    original = Image.Exif()
    original.get_ifd(0x8769)[36867] = "2025:03:14 10:00:00"
    original[306] = "2026:01:01 00:00:00"  # edited later: the original date wins
    assert capture_date(_jpeg(original)) == date(2025, 3, 14)
    changed = Image.Exif()
    changed[306] = "2024:01:02 03:04:05"
    assert capture_date(_jpeg(changed)) == date(2024, 1, 2)
    blank = Image.Exif()
    blank[306] = "0000:00:00 00:00:00"
    assert capture_date(_jpeg(blank)) is None
    assert capture_date(_jpeg()) is None
    assert capture_date(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00garbage") is None


# ---------------------------------------------------------------------- combining


@pytest.fixture(scope="module")
def results(
    astronaut: np.ndarray, grace_hopper: np.ndarray, mobilenet_bundle: ModelBundle
) -> list[Result]:
    mirrored = np.ascontiguousarray(astronaut[:, ::-1])
    photos = (astronaut, grace_hopper, mirrored)
    return [analyze(image, mobilenet_bundle, "cpu") for image in photos]


def _photos(results: list[Result], bundle: ModelBundle, excluded: bool = False) -> list[CasePhoto]:
    return [
        CasePhoto(f"photo{i}.jpg", r.logit, bundle.sha256, excluded=excluded)
        for i, r in enumerate(results)
    ]


def test_a_photo_carries_the_logit_its_score_comes_from(
    results: list[Result], mobilenet_bundle: ModelBundle
) -> None:
    calibration = Calibration.from_card(mobilenet_bundle.card)
    for result in results:
        assert calibration.probability(result.logit) == pytest.approx(result.score, abs=1e-12)


def test_a_case_of_one_photo_scores_as_that_photo(
    results: list[Result], mobilenet_bundle: ModelBundle
) -> None:
    case = combine(_photos(results[:1], mobilenet_bundle), mobilenet_bundle.card)
    assert case.score == pytest.approx(results[0].score, abs=1e-12)
    assert case.label == results[0].label and case.used == case.total == 1
    assert case.summary == f"{results[0].summary} (1 of 1 photo)"


def test_the_case_score_maps_the_mean_logit_and_skips_excluded_photos(
    results: list[Result], mobilenet_bundle: ModelBundle
) -> None:
    card = mobilenet_bundle.card
    photos = _photos(results, mobilenet_bundle)
    photos[2] = CasePhoto("photo2.jpg", results[2].logit, mobilenet_bundle.sha256, excluded=True)
    case = combine(photos, card)
    logits = [results[0].logit, results[1].logit]
    slope, intercept = card["calibration"]["slope"], card["calibration"]["intercept"]
    expected = 1.0 / (1.0 + np.exp(-(slope * np.mean(logits) + intercept)))
    assert case.score == pytest.approx(expected, rel=1e-9)
    assert (case.used, case.total) == (2, 3) and "(2 of 3 photos)" in case.summary
    assert case.label == ("high" if case.score >= card["threshold"] else "low")


def test_a_case_refuses_what_it_cannot_combine(
    results: list[Result], mobilenet_bundle: ModelBundle
) -> None:
    card = mobilenet_bundle.card
    with pytest.raises(CaseError, match="Every photo of this case is excluded"):
        combine(_photos(results, mobilenet_bundle, excluded=True), card)
    mixed = _photos(results, mobilenet_bundle)
    mixed[1] = CasePhoto("other.jpg", results[1].logit, "0" * 64)
    with pytest.raises(CaseError, match="different models"):
        combine(mixed, card)


def test_age_at_a_photo_needs_both_dates_in_order(results: list[Result]) -> None:
    photo = CasePhoto("a.jpg", results[0].logit, "x", taken=date(2024, 3, 1))
    assert photo.age(date(2020, 1, 15)) == Age(4, 1)
    assert photo.age(None) is None and photo.age(date(2025, 1, 1)) is None
    assert CasePhoto("b.jpg", results[0].logit, "x").age(date(2020, 1, 1)) is None


# ---------------------------------------------------------------------- population


@pytest.mark.parametrize(
    ("population", "fine"),
    [
        (None, True),
        ({"age_years": [0.5, 12], "description": "children 6 months to 12 years"}, True),
        ({"age_years": None, "description": "ages not recorded"}, True),
        ({"age_years": [12, 2], "description": "x"}, False),
        ({"age_years": [0, 200], "description": "x"}, False),
        ({"age_years": [1, float("nan")], "description": "x"}, False),
        ({"age_years": [1, 5], "description": ""}, False),
        ({"description": "no ages"}, False),
        ("children", False),
    ],
)
def test_a_card_may_say_whom_the_model_was_trained_on(population: object, fine: bool) -> None:
    card = {**default_card("mobilenet_v2", "t"), "population": population}
    if fine:
        assert validate_card(card)["population"] == population
    else:
        with pytest.raises(ModelError, match="population"):
            validate_card(card)


def test_an_age_outside_the_models_population_is_warned_of() -> None:
    card = default_card(
        "mobilenet_v2", "t", population={"age_years": [1, 12], "description": "children"}
    )
    assert age_range_warning(card, Age(12, 11)) is None  # "1-12 years": until 13
    assert age_range_warning(card, Age(1, 0)) is None
    assert age_range_warning(card, Age(13, 0)) is not None
    warning = age_range_warning(card, Age(0, 6))
    assert warning == (
        "The child's age at the photo (6 months) is outside the ages this model was trained "
        "on (1-12 years): its score may not apply."
    )
    assert case_warnings(card, date(2020, 1, 1), date(2020, 7, 1)) == (warning,)
    assert case_warnings(card, date(2020, 1, 1), None) == ()
    assert case_warnings(None, date(2020, 1, 1), date(2020, 7, 1)) == ()
    assert age_range_warning(default_card("mobilenet_v2", "t"), Age(0, 6)) is None
