"""``wbs-desktop batch`` over the pipelined batch, as a real fresh process: worker
processes are spawned from ``python -m wbs_desktop`` and rows come in the folder's order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import REPO_ROOT, write_bundle
from wbs_desktop.cli import main
from wbs_desktop.core.files import read_csv
from wbs_desktop.core.paths import sample_photo_path


def test_batch_in_a_fresh_process_keeps_order_and_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.open(sample_photo_path()).save(folder / "c_child.jpg")
    (folder / "b_broken.jpg").write_bytes(b"this is not a photo")
    Image.new("RGB", (300, 300), "grey").save(folder / "a_blank.png")
    model = write_bundle(tmp_path, "mobilenet_v2")
    csv_path = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "wbs_desktop", "batch", str(folder), "--csv", str(csv_path)]
        + ["--model", str(model), "--device", "cpu", "--workers", "2"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # two photos failed
    lines = done.stderr.splitlines()
    assert lines[0].startswith("[1/3] a_blank.png: failed: No face was found")
    assert lines[1].startswith("[2/3] b_broken.jpg: failed: The file 'b_broken.jpg' is not a")
    assert lines[2].startswith("[3/3] c_child.jpg: 0.") and len(lines) == 3
    assert "1 of 3 photos screened, 2 failed" in done.stdout
    rows = read_csv(csv_path)
    assert [row["file"] for row in rows] == ["a_blank.png", "b_broken.jpg", "c_child.jpg"]
    assert [row["status"] for row in rows] == ["failed", "failed", "ok"]


@pytest.mark.parametrize("workers", ["-1", "two", "1.5"])
def test_workers_must_be_a_whole_number(workers: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["batch", str(tmp_path), "--csv", str(tmp_path / "o.csv"), "--workers", workers])
    assert exit_.value.code == 2
