"""The CLI's gui, report and batch subcommands."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from wbs_desktop.cli import EXIT_FAILED, EXIT_OK, build_parser, main
from wbs_desktop.core.paths import sample_photo_path


def test_gui_is_the_default_command() -> None:
    parser = build_parser()
    args = parser.parse_args(["gui", "photo.jpg", "--screenshot", "shot.png"])
    assert (args.command, args.photo, args.screenshot) == ("gui", "photo.jpg", "shot.png")
    assert parser.parse_args([]).command is None  # main() turns this into "gui"
    assert "--screenshot" not in parser.format_help()


def test_report_command_writes_pdf_and_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "r.pdf"
    assert main(["report", str(sample_photo_path()), "--out", str(pdf), "--device", "cpu"]) == 0
    assert len(PdfReader(str(pdf)).pages) == 2
    assert "Facial features similar to WBS" in capsys.readouterr().out
    png = tmp_path / "r.png"
    assert main(["report", str(sample_photo_path()), "--out", str(png), "--crop-face"]) == 0
    assert Image.open(png).format == "PNG"
    assert main(["report", str(sample_photo_path()), "--out", str(tmp_path / "r.doc")]) == 1
    assert "saved as .pdf or .png" in capsys.readouterr().err


def test_batch_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.open(sample_photo_path()).save(folder / "child.jpg")
    (folder / "bad.jpg").write_bytes(b"xx")
    out = tmp_path / "out.csv"
    assert main(["batch", str(folder), "--csv", str(out)]) == EXIT_FAILED
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["file"], r["status"]) for r in rows] == [("bad.jpg", "failed"), ("child.jpg", "ok")]
    assert "1 of 2 photos screened, 1 failed" in capsys.readouterr().out
    (folder / "bad.jpg").unlink()
    assert main(["batch", str(folder), "--csv", str(out)]) == EXIT_OK
