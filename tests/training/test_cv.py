"""Cross-validation end to end on a tiny synthetic set: outputs, metrics, determinism,
resume, export into a bundle the app loads, readers, and the command line."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from tests.conftest import REPO_ROOT
from tests.training.conftest import TINY
from training.__main__ import main as train_main
from training.export import export_run
from wbs_desktop.core.analysis import analyze
from wbs_desktop.core.bundle import SYNTHETIC_NOTE, load_model


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_run_writes_every_output(tiny_run: Path, tiny_data: Path) -> None:
    arch = tiny_run / "mobilenet_v2"
    for name in ("oof.csv", "metrics.json", "metrics.md", "roc.png", "reliability.png"):
        assert (arch / name).is_file(), name
    for name in ("manifest.json", "folds.csv", "excluded.json"):
        assert (tiny_run / name).is_file(), name
    oof = rows(arch / "oof.csv")
    manifest_rows = rows(tiny_data / "manifest.csv")
    assert len(oof) == len(manifest_rows) == 18
    assert sorted(Path(r["path"]).name for r in oof) == sorted(
        Path(r["path"]).name for r in manifest_rows)
    assert {r["fold"] for r in oof} == {"0", "1", "2"}
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert manifest["groups"]["WBS"]["subjects"] == 6
    assert manifest["versions"]["torch"] and manifest["data_hash"]
    assert not list(arch.glob("fold*/checkpoint.pt"))  # removed once a fold is done
    fold_info = json.loads((arch / "fold0" / "fold.json").read_text())
    assert fold_info["epochs_run"] == 2 and fold_info["test_photos"] == 6
    assert manifest["timings_s"]["mobilenet_v2"]["fold_training_s"][0] == fold_info["seconds"]


def test_metrics_equal_scikit_learn(tiny_run: Path) -> None:
    report = json.loads((tiny_run / "mobilenet_v2" / "metrics.json").read_text())
    oof = rows(tiny_run / "mobilenet_v2" / "oof.csv")
    expected: dict[str, list[float]] = {k: [] for k in ("accuracy", "precision", "recall",
                                                        "f1", "auc")}
    for fold in "012":
        part = [r for r in oof if r["fold"] == fold]
        y = np.array([int(r["label"]) for r in part])
        p = np.array([float(r["probability"]) for r in part])
        predicted = (p >= 0.5).astype(int)
        expected["accuracy"].append(skm.accuracy_score(y, predicted))
        expected["precision"].append(skm.precision_score(y, predicted, zero_division=0))
        expected["recall"].append(skm.recall_score(y, predicted, zero_division=0))
        expected["f1"].append(skm.f1_score(y, predicted, zero_division=0))
        expected["auc"].append(skm.roc_auc_score(y, p))
    for name, values in expected.items():
        entry = report["summary"][name]
        assert entry["per_fold"] == pytest.approx(values), name
        assert entry["mean"] == pytest.approx(np.mean(values))
        assert entry["std"] == pytest.approx(np.std(values, ddof=1))
    assert "specificity_healthy" in report["summary"]
    assert "specificity_other" in report["summary"]


def test_same_seed_same_results(tiny_run: Path, tiny_data: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    code = train_main(["cv", "--data", str(tiny_data), "--arch", "mobilenet_v2", "--folds",
                       "3", "--out", str(again), "--no-pretrained", "--epochs", "2",
                       "--input-size", "64", "--batch-size", "4", "--quiet",
                       "--cache", str(tiny_data.parent / "cache")])
    assert code == 0
    first = [r["probability"] for r in rows(tiny_run / "mobilenet_v2" / "oof.csv")]
    second = [r["probability"] for r in rows(again / "mobilenet_v2" / "oof.csv")]
    assert first == second


def test_interrupted_run_resumes_to_the_same_result(tiny_run: Path, tiny_data: Path,
                                                    tmp_path: Path) -> None:
    """Kill a real training process after its first checkpoint, resume, compare."""
    run = tmp_path / "interrupted"
    command = [sys.executable, "-m", "training", "cv", "--data", str(tiny_data), "--arch",
               "mobilenet_v2", "--folds", "3", "--out", str(run), "--no-pretrained",
               "--epochs", "2", "--input-size", "64", "--batch-size", "4", "--quiet",
               "--cache", str(tiny_data.parent / "cache")]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
    checkpoint = run / "mobilenet_v2" / "fold1" / "checkpoint.pt"
    deadline = time.monotonic() + 240
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert checkpoint.exists(), "no checkpoint appeared before the process ended"
    assert not (run / "mobilenet_v2" / "oof.csv").exists()

    refused = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "--resume" in refused.stderr
    resumed = subprocess.run(command + ["--resume"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    first = [r["probability"] for r in rows(tiny_run / "mobilenet_v2" / "oof.csv")]
    second = [r["probability"] for r in rows(run / "mobilenet_v2" / "oof.csv")]
    assert first == second


def test_export_gives_a_bundle_the_app_loads(tiny_run: Path, tmp_path: Path,
                                             astronaut: np.ndarray) -> None:
    out = export_run(tiny_run, tmp_path / "models" / "tiny.safetensors", default=True)
    bundle = load_model(out)  # checksum from the index export registered it in
    card = bundle.card
    assert len(bundle.networks) == 3 and card["num_networks"] == 3
    assert card["input_size"] == TINY["input_size"] and card["status"] == "trained"
    assert card["training_data"]["synthetic"] is True
    assert bundle.provenance_note == SYNTHETIC_NOTE
    assert 0 < card["threshold"] < 1 and "Youden" in card["threshold_rule"]
    assert card["temperature"] > 0
    assert card["cv_metrics"]["summary"]["auc"]["mean"] is not None
    assert card["training"]["command"] == "test"
    index = json.loads((out.parent / "index.json").read_text())
    assert index["bundles"]["tiny.safetensors"]["default"] is True
    result = analyze(astronaut, bundle, "cpu")
    assert len(result.network_scores) == 3 and result.aligned.image.shape == (64, 64, 3)
    assert result.model["provenance_note"] == SYNTHETIC_NOTE


def test_readers_are_scored_on_the_same_photos(tiny_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    oof = rows(run / "mobilenet_v2" / "oof.csv")
    ratings = tmp_path / "ratings.csv"
    rng = np.random.default_rng(0)
    with ratings.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["reader", "path", "rating"])
        for r in oof:
            writer.writerow(["expert A", r["path"], int(r["label"]) if rng.random() < 0.8
                             else 1 - int(r["label"])])
            writer.writerow(["expert B", Path(r["path"]).name, rng.integers(1, 6)])
    assert train_main(["readers", "--run", str(run), "--ratings", str(ratings)]) == 0
    result = json.loads((run / "readers.json").read_text())
    y = [int(r["label"]) for r in oof]
    with ratings.open(newline="") as f:
        given = list(csv.DictReader(f))
    a = [float(g["rating"]) for g in given if g["reader"] == "expert A"]
    assert result["readers"]["expert A"]["auc"] == pytest.approx(skm.roc_auc_score(y, a))
    assert result["readers"]["expert B"]["photos"] == len(oof)
    assert (run / "mobilenet_v2" / "roc_readers.png").is_file()


def test_missing_imagenet_weights_name_the_file(tiny_data: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    code = train_main(["cv", "--data", str(tiny_data), "--arch", "resnet18", "--folds", "3",
                       "--out", str(tmp_path / "r"), "--epochs", "1", "--quiet",
                       "--cache", str(tiny_data.parent / "cache"), "--input-size", "64"])
    assert code == 1
    err = capsys.readouterr().err
    assert "ImageNet weights for resnet18 are not on this machine" in err
    assert str(tmp_path / "torch_home") in err


def test_two_process_ddp_on_cpu(tiny_data: Path, tmp_path: Path) -> None:
    """torchrun with the gloo backend and two processes trains and writes one run."""
    run = tmp_path / "ddp"
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "training", "cv",
         "--data", str(tiny_data), "--arch", "resnet18", "--folds", "3", "--out", str(run),
         "--no-pretrained", "--epochs", "1", "--input-size", "64", "--batch-size", "4",
         "--quiet", "--cache", str(tiny_data.parent / "cache"), "--device", "cpu"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["world_size"] == 2
    oof = rows(run / "resnet18" / "oof.csv")
    assert len(oof) == 18
    assert all(0.0 <= float(r["probability"]) <= 1.0 for r in oof)
