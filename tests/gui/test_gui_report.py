"""Report export from the window: PDF and PNG read back, and the disk refusing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.conftest import installed_default
from wbs_desktop.core.outputs.report_page import PAGE_SIZE_IN, PNG_DPI

DEFAULT = installed_default()


def _export(qtbot, window, path: str, **kwargs) -> str:
    with qtbot.waitSignal(window.report_done, timeout=60_000) as done:
        window.export_report(path, **kwargs)
    return str(done.args[0])


def test_report_pdf_and_png(window, qtbot, analysed, sample_photo: Path, tmp_path: Path) -> None:
    analysis = analysed(window, lambda: window.open_path(sample_photo))
    pdf = tmp_path / "report.pdf"
    assert _export(qtbot, window, str(pdf)) == str(pdf)
    assert f"Report saved: {pdf}" in window.message_bar.text()
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert analysis.result.summary in first
    assert f"threshold {analysis.result.threshold:.3f}" in first
    assert DEFAULT["note"] in first
    assert "sample_face.jpg" in first and "WBS Screen 0.1.0" in first
    assert "does not diagnose" in first.replace("\n", " ")
    assert "Model card" in reader.pages[1].extract_text()

    png = tmp_path / "report.png"
    assert _export(qtbot, window, str(png), crop_to_face=True) == str(png)
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == pytest.approx(
            (PAGE_SIZE_IN[0] * PNG_DPI, PAGE_SIZE_IN[1] * PNG_DPI), abs=2
        )
    # Nothing else was written beside them (no temporary files left behind).
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".png", ".tmp")) == [
        "report.pdf",
        "report.png",
    ]


def test_report_with_a_wrong_suffix_or_onto_a_device(
    window, qtbot, analysed, sample_photo: Path, tmp_path: Path
) -> None:
    analysed(window, lambda: window.open_path(sample_photo))
    assert _export(qtbot, window, str(tmp_path / "report.docx")) == ""
    assert "saved as .pdf or .png" in window.message_bar.text()
    # /dev/full exists but is no file: refused before anything is written, device intact.
    assert _export(qtbot, window, "/dev/full", fmt="pdf") == ""
    assert "not an ordinary file" in window.message_bar.text()
    assert Path("/dev/full").is_char_device()
    assert _export(qtbot, window, str(tmp_path / "no" / "such" / "report.pdf")) == ""
    assert "does not exist" in window.message_bar.text()


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root): writing a report there fails with ENOSPC."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_report_to_a_full_disk_is_a_clear_message(
    window, qtbot, analysed, sample_photo: Path, full_disk: Path
) -> None:
    analysed(window, lambda: window.open_path(sample_photo))
    target = full_disk / "report.pdf"
    assert _export(qtbot, window, str(target)) == ""
    assert window.message_bar.text() == (
        "Could not save report.pdf: the disk is full. Free some space and try again."
    )
    assert list(full_disk.iterdir()) == []  # no partial file left
    assert window.analysis is not None  # the result is still on screen
