"""Text from outside made harmless: spreadsheet-safe CSV cells, printable terminal text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from wbs_desktop.core.files import csv_text, printable, read_csv, spreadsheet_safe, spreadsheet_text
from wbs_desktop.core.files import write_csv as write_table
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.outputs.batch import find_photos, screen_photo, write_csv
from wbs_desktop.core.paths import sample_photo_path

FORMULAS = [
    '=HYPERLINK("http://evil.example","Click")',
    "@SUM(A1:A9)",
    "+1+2",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_a_leading_apostrophe(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_text(spreadsheet_safe(text)) == text


@pytest.mark.parametrize("value", ["-0.25", "+3", "1e-05", "-1.5E+3", ".5", "0", 0.5, -2, -1e-9])
def test_numbers_stay_numbers(value: object) -> None:
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("child.jpg", "child.jpg"),
        ("'quoted", "''quoted"),
        ("", ""),
        (None, ""),
        (True, "True"),
        ("a=1", "a=1"),
        (Path("=x.jpg"), "'=x.jpg"),
        ("-", "'-"),
        ("-inf", "'-inf"),
        ("1+1", "1+1"),
    ],
)
def test_other_cells(value: object, cell: str) -> None:
    assert spreadsheet_safe(value) == cell


def test_csv_round_trip_is_exact(tmp_path: Path) -> None:
    texts = [*FORMULAS, "'already quoted", "''twice", "plain", "multi\nline, with comma"]
    rows = [{"text": text, "number": -0.5, "extra": "left out"} for text in texts]
    path = write_table(tmp_path / "t.csv", rows, ("text", "number", "missing"))
    with path.open(newline="", encoding="utf-8") as f:
        raw = list(csv.reader(f))
    assert raw[0] == ["text", "number", "missing"]
    assert all(not cells[0].startswith(("=", "+", "-", "@", "\t", "\r")) for cells in raw[1:])
    assert {cells[1] for cells in raw[1:]} == {"-0.5"}
    assert [row["text"] for row in read_csv(path)] == texts
    assert csv_text([], ("a", "b")) == "a,b\r\n"


def test_a_carriage_return_inside_a_cell_cannot_start_a_row() -> None:
    text = csv_text([{"name": "photo\r=HYPERLINK(1).jpg"}], ("name",))
    assert text == 'name\r\n"photo\r=HYPERLINK(1).jpg"\r\n'


def test_printable_shows_control_and_direction_characters() -> None:
    assert printable("plain text, ünïcode ✓") == "plain text, ünïcode ✓"
    assert printable("a\x1b[31mb\rc\nd\u202ee\udcff") == "a\\x1b[31mb\\rc\\nd\\u202ee\\udcff"


def test_batch_csv_neutralises_hostile_file_names(
    tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    """Finding 4: batch export wrote photo file names such as =HYPERLINK(...) as they were."""
    folder = tmp_path / "photos"
    folder.mkdir()
    names = ['=HYPERLINK("evil","Click").jpg', "@SUM(1+1).jpg", "+1+2.jpg", "-2+3.jpg"]
    Image.open(sample_photo_path()).save(folder / names[0])
    for name in names[1:]:
        (folder / name).write_bytes(b"not a photo")
    rows = [screen_photo(p, mobilenet_bundle, "cpu") for p in find_photos(folder)]
    path = write_csv(tmp_path / "out.csv", rows)
    with path.open(newline="", encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    assert sorted(r["file"] for r in raw) == sorted("'" + name for name in names)
    scored = next(r for r in raw if r["status"] == "ok")
    assert 0 <= float(scored["score"]) <= 1  # numbers are still numbers
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in raw for cell in r.values())
    assert sorted(r["file"] for r in read_csv(path)) == sorted(names)


def test_a_file_name_that_is_not_utf8_is_written(
    tmp_path: Path, mobilenet_bundle: ModelBundle
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "caf\udce9.jpg").write_bytes(b"not a photo")  # the bytes b"caf\xe9.jpg"
    rows = [screen_photo(p, mobilenet_bundle, "cpu") for p in find_photos(folder)]
    path = write_csv(tmp_path / "out.csv", rows)
    assert read_csv(path)[0]["file"] == "caf\\udce9.jpg"
