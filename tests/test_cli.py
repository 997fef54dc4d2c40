"""The ``wbs-desktop`` command line, in-process and as a real fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import REPO_ROOT, installed_default
from wbs_desktop.cli import main
from wbs_desktop.core.paths import sample_photo_path

DEFAULT = installed_default()


def test_predict_json_and_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "not_a_photo.jpg"
    bad.write_text("hello")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "grey").save(blank)
    code = main(["predict", "--json", "--device", "cpu", str(sample_photo_path()), str(bad),
                 str(blank), "--heatmap-out", str(tmp_path / "heat")])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["photo"] == str(sample_photo_path())
    assert 0 <= record["score"] <= 1
    assert record["model"]["provenance_note"] == DEFAULT["note"] != ""
    assert set(record["regions"]) >= {"forehead", "nose", "mouth", "chin"}
    errors = err.strip().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{bad}: The file 'not_a_photo.jpg' is not a readable photo")
    assert errors[1].startswith(f"{blank}: No face was found")
    written = sorted(p.name for p in (tmp_path / "heat").iterdir())
    assert written == ["sample_face_heatmap_face.png", "sample_face_heatmap_photo.png"]
    face_png = Image.open(tmp_path / "heat" / "sample_face_heatmap_face.png")
    assert face_png.size == (DEFAULT["size"], DEFAULT["size"])


def test_predict_human_output_states_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", str(sample_photo_path())]) == 0
    out = capsys.readouterr().out
    assert "Facial features similar to WBS:" in out
    assert f"[{DEFAULT['note']}]" in out


def test_align_writes_the_crop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "crop.png"
    assert main(["align", str(sample_photo_path()), "--out", str(out_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert Image.open(out_file).size == (224, 224)
    assert info["right_eye"] == pytest.approx([0.35 * 224, 0.36 * 224], abs=3)
    assert info["left_eye"] == pytest.approx([0.65 * 224, 0.36 * 224], abs=3)


def test_models_lists_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert entries and entries[0]["default"] is True
    assert len(entries[0]["sha256"]) == 64


def test_missing_model_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--model", "nowhere.safetensors", str(sample_photo_path())]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Model problem:")


def test_selftest_in_a_fresh_offline_process(tmp_path: Path) -> None:
    """A cold interpreter whose sockets refuse to connect runs the whole pipeline, and
    stderr stays free of MediaPipe's C++ chatter."""
    script = textwrap.dedent("""
        import socket, sys
        def refuse(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        from wbs_desktop.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", script, "selftest", "--device", "cpu"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Self-test passed:")
    assert DEFAULT["note"] in done.stdout
    assert done.stderr == ""


def test_module_entry_point_usage_errors() -> None:
    done = subprocess.run([sys.executable, "-m", "wbs_desktop", "predict"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "PHOTO" in done.stderr
