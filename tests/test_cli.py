"""The ``wbs-desktop`` command line, in-process and as a real fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from PIL import Image

from tests.conftest import REPO_ROOT, installed_default
from wbs_desktop.cli import main
from wbs_desktop.core.files import read_csv
from wbs_desktop.core.model.architectures import seeded_network
from wbs_desktop.core.model.bundle import save_bundle
from wbs_desktop.core.model.card import default_card
from wbs_desktop.core.model.card_text import provenance_banner
from wbs_desktop.core.paths import sample_photo_path

DEFAULT = installed_default()


def test_predict_json_and_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "not_a_photo.jpg"
    bad.write_text("hello")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "grey").save(blank)
    code = main(
        [
            "predict",
            "--json",
            "--device",
            "cpu",
            str(sample_photo_path()),
            str(bad),
            str(blank),
            "--heatmap-out",
            str(tmp_path / "heat"),
        ]
    )
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
    assert f"[{provenance_banner(DEFAULT['note'])}]" in out


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
    done = subprocess.run(
        [sys.executable, "-c", script, "selftest", "--device", "cpu"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Self-test passed:")
    assert DEFAULT["note"] in done.stdout
    assert done.stderr == ""


def test_module_entry_point_usage_errors() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wbs_desktop", "predict"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "PHOTO" in done.stderr


def strict_loads(text: str) -> object:
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_every_json_output_is_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = str(sample_photo_path())
    outputs = []
    for argv in (
        ["predict", "--json", photo, photo],
        ["models", "--json"],
        ["align", photo, "--out", str(tmp_path / "crop.png"), "--json"],
    ):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    records = [strict_loads(line) for line in outputs[0].splitlines()]
    assert len(records) == 2 and all(0 <= r["score"] <= 1 for r in records)
    assert strict_loads(outputs[1])[0]["default"] is True
    assert strict_loads(outputs[2])["size"] == 224


@pytest.fixture(scope="module")
def overflowing_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A well-formed bundle with finite weights whose networks overflow to NaN: the
    numerical failure a card or weights can cause however strictly they are checked."""
    network = seeded_network("resnet18", 0)
    with torch.no_grad():
        for name, parameter in network.named_parameters():
            if name.startswith(("layer3", "layer4")) and name.endswith(
                ("conv1.weight", "conv2.weight")
            ):
                parameter.fill_(60000.0)
    path = tmp_path_factory.mktemp("overflow") / "overflow.safetensors"
    save_bundle(
        path,
        [network],
        default_card("resnet18", "overflow", input_size=64, weights_dtype="float16"),
    )
    return path


def test_a_numerical_failure_is_an_error_never_a_low(
    overflowing_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = str(sample_photo_path())
    for extra in (["--json"], []):
        assert main(["predict", *extra, "--model", str(overflowing_model), photo]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.strip().splitlines() == [
            f"{photo}: The model produced an invalid number (the output of network 1 is not "
            "finite) for this photo, so no score can be given; try another photo or model, "
            "and tell the model's provider."
        ]
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.open(sample_photo_path()).save(folder / "child.jpg")
    csv_path = tmp_path / "out.csv"
    assert (
        main(["batch", str(folder), "--csv", str(csv_path), "--model", str(overflowing_model)]) == 1
    )
    assert "0 of 1 photos screened, 1 failed" in capsys.readouterr().out
    (row,) = read_csv(csv_path)
    assert (row["status"], row["score"], row["label"]) == ("failed", "", "")
    assert "invalid number" in row["error"]


def test_file_names_cannot_rewrite_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A photo named with escape codes (clear screen, carriage return) is shown escaped."""
    photo = tmp_path / "child\x1b[2J\r\u202e.jpg"
    Image.open(sample_photo_path()).save(photo, format="JPEG")
    blank = tmp_path / "blank\x1b[31m.png"
    Image.new("RGB", (200, 200), "grey").save(blank)
    assert main(["predict", str(photo), str(blank)]) == 1
    out, err = capsys.readouterr()
    for stream in (out, err):
        assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream
    assert "child\\x1b[2J\\r\\u202e.jpg: Facial features similar to WBS:" in out
    assert "blank\\x1b[31m.png: No face was found" in err
