"""The Case panel (issue 12) in a real window: checks as the clinician types, the patient
banner, the photo's EXIF date, a report that names the patient, Ctrl+N, and patient details
that never reach the settings file or the error log."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import Qt

from wbs_desktop.core.paths import sample_photo_path

ID, NAME, NOTES = "P-2026-0042", "Ada Example", "Hypercalcaemia in infancy"


def _photo_taken(folder: Path, stamp: str, name: str = "child.jpg") -> Path:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = stamp
    path = folder / name
    Image.open(sample_photo_path()).convert("RGB").save(path, "JPEG", exif=exif, quality=95)
    return path


def _fill(panel, *, patient_id: str = ID, dob: str = "2021-09-15") -> None:
    panel.patient_id.setText(patient_id)
    panel.name.setText(NAME)
    panel.date_of_birth.setText(dob)
    panel.sex.setCurrentText("female")
    panel.examiner.setText("Dr Lin")
    panel.notes.setPlainText(NOTES)


def test_the_panel_explains_each_wrong_date_in_one_sentence(window) -> None:
    panel = window.ui.case_panel
    toggle = window.ui.case_dock.toggleViewAction()
    assert toggle in window.commands.view_menu.actions() and toggle.text() == "Case"
    panel.date_of_birth.setText("15/09/2021")
    assert "must be a date written YYYY-MM-DD" in panel.problems_label.text()
    panel.date_of_birth.setText("2099-01-01")
    assert "in the future" in panel.problems_label.text()
    panel.date_of_birth.setText("2022-01-01")
    panel.photo_date.setText("2021-06-01")
    assert panel.problems_label.text().count("before the date of birth") == 1
    panel.photo_date.setText("2024-03-01")
    assert panel.problems_label.text() == "" and panel.problems_label.isHidden()


def test_the_banner_names_the_patient_and_the_age_at_the_photo(
    window, analysed, tmp_path: Path
) -> None:
    panel = window.ui.case_panel
    assert "No patient details" in window.ui.patient_banner.text()
    analysed(window, lambda: window.open_path(_photo_taken(tmp_path, "2024:11:20 10:00:00")))
    assert panel.photo_date.text() == "2024-11-20"  # from the photo's EXIF date
    _fill(panel)
    assert window.ui.patient_banner.text() == (
        f"Patient {ID} | {NAME} | 3 years 2 months at the photo | female | The child's age "
        "at the photo (3 years 2 months) is outside the ages this model was trained on "
        "(16-100 years): its score may not apply."
    )  # the demo model's card: adults


def test_a_report_needs_the_patient_id_and_then_names_the_patient(
    window, qtbot, analysed, failed, tmp_path: Path
) -> None:
    analysed(window, lambda: window.open_path(_photo_taken(tmp_path, "2024:11:20 10:00:00")))
    _fill(window.ui.case_panel, patient_id="")
    pdf = tmp_path / "case.pdf"
    sentence = failed(window, lambda: window.export_report(str(pdf)))
    assert sentence == "Enter the patient ID: a report without one cannot be filed."
    assert not pdf.exists()
    window.ui.case_panel.patient_id.setText(ID)
    with qtbot.waitSignal(window.report_done, timeout=60_000) as done:
        window.export_report(str(pdf))
    assert done.args[0] == str(pdf)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    assert f"Patient ID: {ID}" in pages[0] and "Age at photo: 3 years 2 months" in pages[0]
    assert f"Notes: {NOTES}" in pages[0]
    assert all(f"patient {ID}" in page for page in pages)


def test_new_case_clears_the_details_the_photo_and_the_result(
    window, qtbot, analysed, sample_photo: Path
) -> None:
    analysed(window, lambda: window.open_path(sample_photo))
    _fill(window.ui.case_panel)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    panel = window.ui.case_panel
    assert panel.is_empty() and panel.notes.toPlainText() == ""
    assert window.analysis is None and window.photo is None
    assert not window.photo_view.has_image() and not window.report_action.isEnabled()
    assert "No patient details" in window.ui.patient_banner.text()


def test_patient_details_never_reach_the_settings_or_the_log(
    make_window, qtbot, analysed, tmp_path: Path
) -> None:
    window = make_window()
    analysed(window, lambda: window.open_path(_photo_taken(tmp_path, "2024:11:20 10:00:00")))
    _fill(window.ui.case_panel)
    with qtbot.waitSignal(window.report_done, timeout=60_000):
        window.export_report(str(tmp_path / "case.pdf"))
    window.close()
    written = [
        p
        for p in tmp_path.rglob("*")
        if p.is_file() and p.suffix not in (".pdf", ".jpg")  # the report and photo asked for
    ]
    assert any(p.name == "settings.ini" for p in written)
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        for secret in (ID, NAME, NOTES, "2021-09-15", "Dr Lin"):
            assert secret not in text, (path, secret)


def test_every_photo_of_the_case_is_listed_and_combined_and_can_be_left_out(
    window, qtbot, analysed, tmp_path: Path
) -> None:
    photos = window.ui.case_photos
    assert photos.combined.text() == "No photo analysed in this case yet."
    a = _photo_taken(tmp_path, "2023:01:10 09:00:00", "a.jpg")
    b = _photo_taken(tmp_path, "2024:07:10 09:00:00", "b.jpg")
    first = analysed(window, lambda: window.open_path(a))
    second = analysed(window, lambda: window.open_path(b))
    window.ui.case_panel.date_of_birth.setText("2020-01-10")
    assert photos.list.count() == 2
    assert photos.list.item(0).text().startswith("a.jpg (2023-01-10, 3 years): ")
    assert photos.list.item(1).text().startswith("b.jpg (2024-07-10, 4 years 6 months): ")
    assert "(2 of 2 photos)" in photos.combined.text()
    photos.list.item(1).setCheckState(Qt.CheckState.Unchecked)  # one click leaves it out
    assert photos.combined.text().startswith(f"Case: {first.result.summary} (1 of 2 photos)")
    photos.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert "Every photo of this case is excluded" in photos.combined.text()
    assert second.result.logit == pytest.approx(first.result.logit, abs=1e-4)  # one photo twice
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert photos.list.count() == 0


def test_the_report_of_a_two_photo_case_lists_both_and_the_combined_result(
    window, qtbot, analysed, tmp_path: Path
) -> None:
    a = _photo_taken(tmp_path, "2023:01:10 09:00:00", "a.jpg")
    b = _photo_taken(tmp_path, "2024:07:10 09:00:00", "b.jpg")
    analysed(window, lambda: window.open_path(a))
    analysed(window, lambda: window.open_path(b))
    _fill(window.ui.case_panel, dob="2020-01-10")
    pdf = tmp_path / "case.pdf"
    with qtbot.waitSignal(window.report_done, timeout=60_000) as done:
        window.export_report(str(pdf))
    assert done.args[0] == str(pdf)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    assert len(pages) == 3
    combined = window.ui.case_photos.combined_text().removeprefix("Case: ")
    assert "Photos of this case" in pages[1] and combined in pages[1]
    assert "a.jpg 2023-01-10, age 3 years" in pages[1]
    assert "b.jpg 2024-07-10, age 4 years 6 months" in pages[1]


def test_an_earlier_photo_of_the_case_comes_back_with_its_heatmap(
    window, qtbot, analysed, tmp_path: Path
) -> None:
    a = _photo_taken(tmp_path, "2023:01:10 09:00:00", "a.jpg")
    b = _photo_taken(tmp_path, "2024:07:10 09:00:00", "b.jpg")
    first = analysed(window, lambda: window.open_path(a))
    analysed(window, lambda: window.open_path(b))
    photos = window.ui.case_photos
    with qtbot.waitSignal(window.result_shown, timeout=10_000) as shown:
        photos.list.itemActivated.emit(photos.list.item(0))  # what a double-click sends
    assert shown.args[0] is first and window.analysis is first
    assert window.photo.name == "a.jpg" and window.ui.case_panel.photo_date.text() == "2023-01-10"
    assert window.gradcam_view.has_image() and photos.list.count() == 2


def test_a_photo_of_someone_else_in_the_case_is_warned_of(window, analysed) -> None:
    from tests.conftest import SHARED_FACES
    from tests.core.test_case_identity import SAME, STRANGER

    extra = SHARED_FACES.parent / "faces-extra" / STRANGER
    if not SHARED_FACES.is_dir() or not extra.is_file():
        pytest.skip("the real photos of ../shared are absent")
    photos = window.ui.case_photos
    analysed(window, lambda: window.open_path(SHARED_FACES / SAME[0]))
    assert photos.identity_warning() == ""
    analysed(window, lambda: window.open_path(extra))
    for row in range(2):  # a photo with quality warnings joins unticked
        photos.list.item(row).setCheckState(Qt.CheckState.Checked)
    warning = "The two photos of this case may show different people"
    assert photos.identity_warning().startswith(warning)
    assert warning in photos.combined.text()
    photos.list.item(1).setCheckState(Qt.CheckState.Unchecked)  # left out: not compared
    assert photos.identity_warning() == "" and warning not in photos.combined.text()
