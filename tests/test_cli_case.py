"""The case options of the CLI (issue 12), with the installed model and real files: a
report whose PDF text names the patient, the age and the score; predict's per-photo case
fields and the combined case line; details refused before any model loads."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.conftest import SHARED_FACES
from tests.core.test_case_identity import SAME, STRANGER
from wbs_desktop.cli import EXIT_FAILED, EXIT_OK, main
from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.core.paths import sample_photo_path

CASE = ["--patient-id", "P-7", "--dob", "2021-09-15", "--sex", "female", "--examiner", "Dr Lin"]


def _photo_taken(folder: Path, name: str, stamp: str) -> Path:
    """The sample photo re-saved with an EXIF capture date."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = stamp
    path = folder / name
    Image.open(sample_photo_path()).convert("RGB").save(path, "JPEG", exif=exif, quality=95)
    return path


def test_a_case_report_reads_back_with_the_patient_the_age_and_the_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = _photo_taken(tmp_path, "child.jpg", "2024:11:20 09:30:00")
    pdf = tmp_path / "case.pdf"
    assert main(["report", str(photo), "--out", str(pdf), "--device", "cpu", *CASE]) == EXIT_OK
    said = capsys.readouterr().out
    score = said.split("(score ")[1].split(")")[0]
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    for expected in (
        "Patient ID: P-7",
        "Age at photo: 3 years 2 months",  # from the photo's EXIF date
        "Photo taken: 2024-11-20",
        "Examiner: Dr Lin",
        f"Score {score}",
    ):
        assert expected in pages[0], expected
    assert all("patient P-7" in page for page in pages)


def test_predict_gives_each_photos_age_and_the_case_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _photo_taken(tmp_path, "a.jpg", "2023:03:01 10:00:00")
    second = _photo_taken(tmp_path, "b.jpg", "2024:09:15 10:00:00")
    assert main(["predict", "--json", str(first), str(second), "--device", "cpu", *CASE]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    photos, case = lines[:2], lines[2]["case"]
    assert [p["case"]["age"] for p in photos] == ["1 year 5 months", "3 years"]
    assert [p["case"]["age_months"] for p in photos] == [17, 36]
    # the demo model's card says it was trained on adults (16-100 years)
    outside = "outside the ages this model was trained on"
    assert all(outside in p["case"]["warnings"][0] for p in photos)
    assert case["patient_id"] == "P-7" and (case["photos_used"], case["photos"]) == (2, 2)
    assert case["label"] in ("low", "high") and "(2 of 2 photos)" in case["summary"]
    assert 0 <= case["score"] <= 1
    assert main(["predict", str(first), "--device", "cpu", *CASE]) == EXIT_OK
    said = capsys.readouterr().out  # one photo: the case scores as that photo
    assert f"patient P-7: {photos[0]['summary']} (1 of 1 photo)" in said
    assert f"(score {human_number(photos[0]['score'])})" in said


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--name", "Ada"], "Enter the patient ID"),
        (["--patient-id", "P-7", "--dob", "2099-01-01"], "in the future"),
        (
            ["--patient-id", "P-7", "--dob", "2022-01-01", "--photo-date", "2021-06-01"],
            "before the date of birth",
        ),
    ],
)
def test_case_details_that_cannot_be_right_are_refused_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    out = tmp_path / "never.pdf"
    code = main(["report", str(sample_photo_path()), "--out", str(out), *options])
    assert code == EXIT_FAILED and not out.exists()
    assert message in capsys.readouterr().err


def test_a_date_that_is_not_a_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["predict", str(sample_photo_path()), "--patient-id", "P", "--dob", "15/09/2021"])
    assert stop.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_batch_with_a_case_manifest_adds_patients_and_one_row_per_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a1.jpg", "a2.jpg", "b1.jpg", "stranger.jpg"):
        Image.open(sample_photo_path()).convert("RGB").save(folder / name, quality=95)
    (folder / "b2.jpg").write_bytes(b"not a photo")
    manifest = tmp_path / "cases.csv"
    manifest.write_text(
        "path,patient_id,dob,photo_date,sex\n"
        "a1.jpg,P-A,2020-01-10,2023-01-10,female\n"
        "photos/a2.jpg,P-A,2020-01-10,2024-07-10,female\n"
        "b1.jpg,P-B,,,\n"
        "b2.jpg,P-B,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code = main(["batch", str(folder), "--csv", str(out), "--manifest", str(manifest)])
    assert code == EXIT_FAILED  # b2.jpg is not a photo
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    photos = {r["file"]: r for r in rows if r["kind"] == "photo"}
    cases = {r["patient_id"]: r for r in rows if r["kind"] == "case"}
    assert set(photos) == {"a1.jpg", "a2.jpg", "b1.jpg", "b2.jpg", "stranger.jpg"}
    assert (photos["a1.jpg"]["patient_id"], photos["a1.jpg"]["age"]) == ("P-A", "3 years")
    assert photos["a2.jpg"]["age"] == "4 years 6 months"
    assert photos["stranger.jpg"]["patient_id"] == ""
    assert set(cases) == {"P-A", "P-B"}
    assert cases["P-A"]["photos_used"] == "2 of 2" and cases["P-B"]["photos_used"] == "1 of 2"
    # the same photo twice: the case scores as the photo
    assert cases["P-A"]["score"] == photos["a1.jpg"]["score"] == cases["P-B"]["score"]
    assert cases["P-A"]["label"] == photos["a1.jpg"]["label"]
    bad = tmp_path / "bad.csv"
    bad.write_text("path,patient_id,dob,photo_date\na1.jpg,P-A,2024-01-01,2023-01-01\n")
    assert main(["batch", str(folder), "--csv", str(out), "--manifest", str(bad)]) == EXIT_FAILED
    assert "row 2: The photo's date (2023-01-01) is before the date of birth" in (
        capsys.readouterr().err
    )


def test_a_report_of_several_photos_is_one_case_with_a_page_listing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _photo_taken(tmp_path, "a.jpg", "2023:03:01 10:00:00")
    second = _photo_taken(tmp_path, "b.jpg", "2024:09:15 10:00:00")
    pdf = tmp_path / "case.pdf"
    assert main(["report", str(first), str(second), "--out", str(pdf)]) == EXIT_FAILED
    assert "Several photos make one case" in capsys.readouterr().err and not pdf.exists()
    assert main(["report", str(first), str(second), "--out", str(pdf), *CASE]) == EXIT_OK
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    assert len(pages) == 3 and "Photos of this case" in pages[1]
    assert "(2 of 2 photos), score" in pages[1]
    assert "a.jpg 2023-03-01, age 1 year 5 months" in pages[1]
    assert "b.jpg 2024-09-15, age 3 years" in pages[1]


def test_a_stranger_among_the_photos_is_named_by_predict_report_and_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three photos of one adult and one of another (``../shared``), as one patient's."""
    extra = SHARED_FACES.parent / "faces-extra" / STRANGER
    if not SHARED_FACES.is_dir() or not extra.is_file():
        pytest.skip("the real photos of ../shared are absent")
    photos = [str(SHARED_FACES / name) for name in SAME] + [str(extra)]
    warning = f"{STRANGER} may show a different person from the other photos of this case"

    assert main(["predict", "--json", *photos, "--device", "cpu", "--patient-id", "P-9"]) == 0
    case = json.loads(capsys.readouterr().out.splitlines()[-1])["case"]
    # predict names each photo as it was given: here, by its path
    assert [w.removeprefix(str(extra.parent) + "/") for w in case["warnings"]] == [
        warning + ": check that every photo is of this patient."
    ]

    pdf = tmp_path / "case.pdf"
    assert main(["report", *photos, "--out", str(pdf), "--patient-id", "P-9"]) == EXIT_OK
    case_page = " ".join(PdfReader(str(pdf)).pages[1].extract_text().split())
    assert warning in case_page

    folder = tmp_path / "photos"
    folder.mkdir()
    for photo in photos:
        (folder / Path(photo).name).write_bytes(Path(photo).read_bytes())
    manifest = tmp_path / "cases.csv"
    rows = "".join(f"{Path(photo).name},P-9,,,\n" for photo in photos)
    manifest.write_text("path,patient_id,dob,photo_date,sex\n" + rows, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["batch", str(folder), "--csv", str(out), "--manifest", str(manifest)]) == 0
    with out.open(encoding="utf-8") as f:
        (case_row,) = [row for row in csv.DictReader(f) if row["kind"] == "case"]
    assert case_row["warnings"].startswith(warning)
