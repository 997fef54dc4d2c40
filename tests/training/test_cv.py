"""Cross-validation end to end on a tiny synthetic set: outputs, people-disjoint splits,
metrics, determinism, resume, export into a bundle the app scores identically, readers,
and the command line."""

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
from tests.training.conftest import PER_CLASS, TINY
from training import synth
from training.__main__ import main as train_main
from training.calibration import threshold_for_specificity
from training.config import load_config
from training.cv import run_cv
from training.data import DataError
from training.export import ThresholdPool, _require_learnt, export_run
from wbs_desktop.core.model.bundle import load_model
from wbs_desktop.core.model.card import UNVALIDATED_NOTE
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image

SHARED = REPO_ROOT.parent / "shared"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def tiny_command(data: Path, out: Path, *extra: str) -> list[str]:
    return [
        "cv",
        "--data",
        str(data),
        "--arch",
        "mobilenet_v2",
        "--folds",
        "3",
        "--out",
        str(out),
        "--no-pretrained",
        "--epochs",
        "2",
        "--input-size",
        "64",
        "--batch-size",
        "4",
        "--quiet",
        "--cache",
        str(data.parent / "cache"),
        "--config",
        str(data.parent / "tiny.toml"),
        *extra,
    ]


@pytest.fixture(scope="module")
def tiny_toml(tiny_data: Path) -> Path:
    path = tiny_data.parent / "tiny.toml"
    path.write_text(
        "calibration_fraction = 0.25\ntest_fraction = 0.25\nthreads = 2\n"
        "early_stopping_patience = 5\n"
    )
    return path


def test_run_writes_every_output(tiny_run: Path, tiny_data: Path) -> None:
    arch = tiny_run / "mobilenet_v2"
    for name in ("oof.csv", "metrics.json", "metrics.md", "roc.png", "reliability.png"):
        assert (arch / name).is_file(), name
    for name in (
        "manifest.json",
        "folds.csv",
        "excluded.json",
        "run.json",
        "heldout.csv",
        "heldout_crops.npy",
    ):
        assert (tiny_run / name).is_file(), name
    oof = rows(arch / "oof.csv")
    heldout = rows(tiny_run / "heldout.csv")
    manifest_rows = rows(tiny_data / "manifest.csv")
    assert len(oof) + len(heldout) == len(manifest_rows) == 3 * PER_CLASS
    assert sorted(Path(r["path"]).name for r in oof + heldout) == sorted(
        Path(r["path"]).name for r in manifest_rows
    )
    assert {r["fold"] for r in oof} == {"0", "1", "2"} and {r["repeat"] for r in oof} == {"0"}
    assert {r["role"] for r in heldout} == {"calibration", "test"}
    crops = np.load(tiny_run / "heldout_crops.npy", allow_pickle=False)
    assert crops.shape == (len(heldout), 64, 64, 3) and crops.dtype == np.uint8
    manifest = json.loads((tiny_run / "manifest.json").read_text())
    assert manifest["groups"]["WBS"]["subjects"] == PER_CLASS
    assert manifest["versions"]["torch"] and manifest["data_hash"]
    assert {"opencv", "pillow", "mediapipe"} <= set(manifest["versions"])
    assert manifest["git"]["commit"] and isinstance(manifest["git"]["dirty"], bool)
    assert {"cuda", "cudnn", "gpus"} <= set(manifest["devices"])
    assert manifest["deterministic"]["cublas_workspace_config"] == ":4096:8"
    assert not list(arch.glob("repeat*/fold*/checkpoint.pt"))  # removed once a fold is done
    fold_info = json.loads((arch / "repeat0" / "fold0" / "fold.json").read_text())
    assert fold_info["epochs_run"] == 2
    # Probabilities and logits at full precision: they read back as the same double.
    assert all(float(repr(float(r["logit"]))) == float(r["logit"]) for r in oof)
    assert any(len(r["logit"].split(".")[-1]) > 8 for r in oof)


def test_metrics_equal_scikit_learn(tiny_run: Path) -> None:
    report = json.loads((tiny_run / "mobilenet_v2" / "metrics.json").read_text())
    oof = rows(tiny_run / "mobilenet_v2" / "oof.csv")
    expected: dict[str, list[float]] = {
        k: [] for k in ("accuracy", "precision", "recall", "f1", "auc")
    }
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
    y = [int(r["label"]) for r in oof]
    assert report["pooled_auc"]["mean"] == pytest.approx(
        skm.roc_auc_score(y, [float(r["logit"]) for r in oof])
    )
    assert (
        "over 3 folds" in report["spread"] and "bootstrap over people" in report["pooled_auc"]["ci"]
    )


def test_real_people_are_never_on_both_sides(shared_faces: Path, tmp_path: Path) -> None:
    """Synth from real photos with the identity map (several photos of one person, and a
    mirror image): the out-of-fold file joined with the synth manifest has no person in two
    folds, and no held-out person in any fold."""
    bases = sorted(shared_faces.glob("img1*.jpg"))  # img1, img10-img19, img11_reflection
    data = tmp_path / "synth"
    synth.generate(
        data,
        18,
        bases,
        seed=1,
        progress=False,
        identities=synth.read_identities(
            REPO_ROOT / "training" / "identities" / "shared_faces.csv"
        ),
    )
    info = json.loads((data / "synth_info.json").read_text())
    assert info["identities"]["img11_reflection.jpg"] == info["identities"]["img11.jpg"]
    run = tmp_path / "run"
    run_cv(
        data,
        ["mobilenet_v2"],
        2,
        run,
        load_config(**{**TINY, "epochs": 1, "calibration_fraction": 0.2, "test_fraction": 0.0}),
        cache_dir=tmp_path / "cache",
        device="cpu",
        progress=False,
    )
    person = {r["path"]: r["identity"] for r in rows(data / "manifest.csv")}
    oof = rows(run / "mobilenet_v2" / "oof.csv")
    folds_of: dict[str, set[str]] = {}
    for r in oof:
        folds_of.setdefault(person[Path(r["relative_path"]).as_posix()], set()).add(r["fold"])
    assert folds_of and all(len(f) == 1 for f in folds_of.values())
    held_out = {person[r["relative_path"]] for r in rows(run / "heldout.csv")}
    assert held_out and not held_out & set(folds_of)


def test_synthetic_subjects_of_one_base_are_one_person(tmp_path: Path) -> None:
    """Without the fixture's pretence, the two portraits are two people: too few."""
    data = tmp_path / "synth"
    synth.generate(data, 6, seed=3, progress=False)
    with pytest.raises(DataError, match="has photos of 2 \\(at least"):
        run_cv(
            data,
            ["mobilenet_v2"],
            3,
            tmp_path / "run",
            load_config(**TINY),
            cache_dir=tmp_path / "cache",
            device="cpu",
            progress=False,
        )


def test_a_duplicate_planted_under_two_groups_is_refused(tiny_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "planted"
    shutil.copytree(tiny_data, data)
    manifest = rows(data / "manifest.csv")
    wbs = next(r for r in manifest if r["group"] == "WBS")
    shutil.copy(data / wbs["path"], data / "healthy" / "planted.jpg")
    with (data / "manifest.csv").open("a", newline="") as f:
        csv.writer(f).writerow(
            ["healthy/planted.jpg", "healthy", "planted", "planted", wbs["base"], "", "0", ""][
                : len(manifest[0])
            ]
        )
    with pytest.raises(
        DataError,
        match=f"{wbs['path']} \\(WBS, .*healthy/planted.jpg "
        "\\(healthy, subject planted\\) are the same file",
    ):
        run_cv(
            data,
            ["mobilenet_v2"],
            3,
            tmp_path / "run",
            load_config(**TINY),
            cache_dir=tiny_data.parent / "cache",
            device="cpu",
            progress=False,
        )


def test_same_seed_same_results(
    tiny_run: Path, tiny_data: Path, tiny_toml: Path, tmp_path: Path
) -> None:
    assert train_main(tiny_command(tiny_data, tmp_path / "again")) == 0
    first = [r["logit"] for r in rows(tiny_run / "mobilenet_v2" / "oof.csv")]
    second = [r["logit"] for r in rows(tmp_path / "again" / "mobilenet_v2" / "oof.csv")]
    assert first == second


def test_repeats_draw_new_folds_and_report_every_fold(
    tiny_data: Path, tiny_toml: Path, tmp_path: Path
) -> None:
    run = tmp_path / "repeated"
    assert train_main(tiny_command(tiny_data, run, "--repeats", "2", "--epochs", "1")) == 0
    oof = rows(run / "mobilenet_v2" / "oof.csv")
    assert {r["repeat"] for r in oof} == {"0", "1"}
    fold = {(r["repeat"], r["path"]): r["fold"] for r in oof}
    paths = {r["path"] for r in oof}
    assert any(fold[("0", p)] != fold[("1", p)] for p in paths)
    report = json.loads((run / "mobilenet_v2" / "metrics.json").read_text())
    assert report["summary"]["auc"]["n"] == 6 and "2 repeats x 3 folds" in report["spread"]
    assert len(report["pooled_auc"]["per_repeat"]) == 2
    assert "2 repeats" in (run / "mobilenet_v2" / "metrics.md").read_text()


def test_resume_refuses_a_changed_run(
    tiny_run: Path,
    tiny_data: Path,
    tiny_toml: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = tmp_path / "changed"
    shutil.copytree(tiny_run, run)
    assert train_main(tiny_command(tiny_data, run, "--resume", "--epochs", "3")) == 1
    assert "config epochs: 2 -> 3" in capsys.readouterr().err
    assert train_main(tiny_command(tiny_data, run, "--resume", "--seed", "9")) == 1
    err = capsys.readouterr().err
    assert "config seed: 0 -> 9" in err and "held-out people or the folds" in err
    data = tmp_path / "fewer"
    shutil.copytree(tiny_data, data)
    manifest = rows(data / "manifest.csv")
    with (data / "manifest.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(manifest[0]))
        writer.writeheader()
        writer.writerows(manifest[:-1])
    shutil.copy(tiny_toml, data.parent / "tiny.toml")
    assert train_main(tiny_command(data, run, "--resume")) == 1
    assert "the photos or their labels" in capsys.readouterr().err
    assert train_main(tiny_command(tiny_data, run, "--resume")) == 0  # unchanged: fine


@pytest.mark.slow  # two training processes, one killed mid-run: ~12 s
def test_interrupted_run_resumes_to_the_same_result(
    tiny_run: Path, tiny_data: Path, tiny_toml: Path, tmp_path: Path
) -> None:
    """Kill a real training process after its first checkpoint, resume, compare."""
    run = tmp_path / "interrupted"
    command = [sys.executable, "-m", "training", *tiny_command(tiny_data, run)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stderr=subprocess.DEVNULL)
    checkpoint = run / "mobilenet_v2" / "repeat0" / "fold1" / "checkpoint.pt"
    deadline = time.monotonic() + 240
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert checkpoint.exists(), "no checkpoint appeared before the process ended"
    assert not (run / "mobilenet_v2" / "oof.csv").exists()

    refused = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "--resume" in refused.stderr
    resumed = subprocess.run(
        command + ["--resume"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    first = [r["logit"] for r in rows(tiny_run / "mobilenet_v2" / "oof.csv")]
    second = [r["logit"] for r in rows(run / "mobilenet_v2" / "oof.csv")]
    assert first == second


def test_export_refuses_a_run_at_chance_unless_forced(tiny_run: Path, tmp_path: Path) -> None:
    report = json.loads((tiny_run / "mobilenet_v2" / "metrics.json").read_text())
    at_chance = {**report, "pooled_auc": {"mean": 0.51, "ci95": [0.42, 0.6]}}
    with pytest.raises(DataError, match="not clearly above chance.*includes 0.5"):
        _require_learnt(at_chance, force=False)
    assert _require_learnt(at_chance, force=True) is False
    assert (
        _require_learnt({**report, "pooled_auc": {"mean": 0.8, "ci95": [0.7, 0.9]}}, force=False)
        is True
    )


@pytest.fixture(scope="module")
def tiny_bundle(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny run learnt next to nothing in two epochs: exporting it needs --force."""
    return export_run(
        tiny_run, tmp_path_factory.mktemp("models") / "tiny.safetensors", default=True, force=True
    )


def test_a_specificity_rule_keeps_that_share_of_calibration_negatives_below(
    tiny_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "specific.safetensors"
    export_run(tiny_run, out, threshold_rule="specificity:0.9", force=True)
    card = load_model(out).card
    assert card["threshold_rule"].startswith("lowest threshold keeping 90% specificity")
    arch = json.loads((tiny_run / "manifest.json").read_text())["architectures"][0]
    with open(tiny_run / arch / "deployed_scores_repeat0.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["role"] == "calibration"]
    negatives = np.array([float(r["score"]) for r in rows if r["label"] == "0"])
    assert (negatives < card["threshold"]).mean() >= 0.9
    with pytest.raises(DataError, match="'specificity:T'"):
        export_run(tiny_run, tmp_path / "never.safetensors", threshold_rule="specific", force=True)
    assert not (tmp_path / "never.safetensors").exists()


def test_a_threshold_pool_adds_the_development_peoples_out_of_fold_photos(
    tiny_run: Path, tmp_path: Path
) -> None:
    plain_and_wbs = frozenset({"healthy", "WBS"})
    out = tmp_path / "pooled.safetensors"
    export_run(
        tiny_run, out, threshold_rule="specificity:0.9", force=True,
        threshold_pool=ThresholdPool(plain_and_wbs),
    )  # fmt: skip
    card = load_model(out).card
    arch = json.loads((tiny_run / "manifest.json").read_text())["architectures"][0]
    deployed = [
        r for r in rows(tiny_run / arch / "deployed_scores_repeat0.csv")
        if r["role"] == "calibration" and r["group"] in plain_and_wbs
    ]  # fmt: skip
    development = [r for r in rows(tiny_run / arch / "oof.csv") if r["group"] in plain_and_wbs]
    slope, intercept = card["calibration"]["slope"], card["calibration"]["intercept"]
    logits = np.array([float(r["logit"]) for r in development])
    scores = np.r_[
        [float(r["score"]) for r in deployed], 1 / (1 + np.exp(-(slope * logits + intercept)))
    ]
    labels = np.array([int(r["label"]) for r in deployed + development])
    assert len(deployed) and len(development) > len(deployed)
    assert card["threshold"] == pytest.approx(threshold_for_specificity(labels, scores, 0.9))
    assert f"and {len(development)} of" in card["threshold_rule"]
    assert "development people, each scored by networks that never" in card["threshold_rule"]
    # keeping no development photo leaves the calibration people's plain and WBS photos alone
    export_run(
        tiny_run, out, threshold_rule="specificity:0.9", force=True,
        threshold_pool=ThresholdPool(plain_and_wbs, keep=lambda row: False),
    )  # fmt: skip
    alone = threshold_for_specificity(labels[: len(deployed)], scores[: len(deployed)], 0.9)
    assert load_model(out).card["threshold"] == pytest.approx(alone)


def test_the_export_command_takes_a_threshold_pool_and_refuses_groups_the_run_lacks(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pooled, alone = tmp_path / "pooled.safetensors", tmp_path / "alone.safetensors"
    common = ["--threshold-rule", "specificity:0.9", "--force"]
    assert train_main(["export", str(tiny_run), "--out", str(alone), *common]) == 0
    pool = ["--threshold-pool", "healthy, WBS"]
    assert train_main(["export", str(tiny_run), "--out", str(pooled), *common, *pool]) == 0
    function = tmp_path / "function.safetensors"
    export_run(
        tiny_run, function, threshold_rule="specificity:0.9", force=True,
        threshold_pool=ThresholdPool(frozenset({"healthy", "WBS"})),
    )  # fmt: skip
    card = load_model(pooled).card
    assert card["threshold"] == load_model(function).card["threshold"]
    assert card["threshold_rule"] != load_model(alone).card["threshold_rule"]
    assert "development people" in card["threshold_rule"]
    capsys.readouterr()
    never = tmp_path / "never.safetensors"
    typo = ["--threshold-pool", "healty,WBS"]
    assert train_main(["export", str(tiny_run), "--out", str(never), *common, *typo]) == 1
    error = capsys.readouterr().err
    assert "does not have: healty (it has " in error and "Traceback" not in error
    assert not never.exists()


def test_forced_export_is_marked_unvalidated(tiny_bundle: Path, astronaut: np.ndarray) -> None:
    bundle = load_model(tiny_bundle)  # checksum from the index export registered it in
    card = bundle.card
    assert len(bundle.networks) == 3 and card["num_networks"] == 3
    assert card["input_size"] == TINY["input_size"] and card["status"] == "unvalidated"
    assert bundle.provenance_note == UNVALIDATED_NOTE and bundle.is_demo
    assert card["training_data"]["synthetic"] is True
    assert 0 < card["threshold"] < 1 and "calibration people" in card["threshold_rule"]
    calibration = card["calibration"]
    assert calibration["method"] == "platt" and 0 < calibration["prevalence"] < 1
    assert "calibration people" in calibration["fitted_on"]
    point = card["operating_point"]
    assert point["identities"] >= 2 and point["threshold"] == card["threshold"]
    assert 0 <= point["sensitivity"]["value"] <= 1 and "test people" in point["evaluated_on"]
    assert card["cv_metrics"]["summary"]["auc"]["mean"] is not None
    index = json.loads((tiny_bundle.parent / "index.json").read_text())
    assert index["bundles"]["tiny.safetensors"]["default"] is True
    result = analyze(astronaut, bundle, "cpu")
    assert len(result.network_scores) == 3 and result.aligned.image.shape == (64, 64, 3)
    assert result.model["provenance_note"] == UNVALIDATED_NOTE
    assert "held-out people" in result.model["operating_point"]


def test_the_app_scores_exactly_what_export_validated(tiny_run: Path, tiny_bundle: Path) -> None:
    """The deployed score of the held-out photos, as export computed it for the threshold,
    equals what the app computes from the photo file."""
    bundle = load_model(tiny_bundle)
    scored = rows(tiny_run / "mobilenet_v2" / "deployed_scores_repeat0.csv")
    assert scored
    for row in scored[:6]:
        result = analyze(load_image(row["path"]), bundle, "cpu")
        assert abs(result.score - float(row["score"])) < 1e-5, row["path"]
        assert result.label == (
            "high" if float(row["score"]) >= bundle.card["threshold"] else "low"
        )


def test_half_precision_export_is_validated_with_the_rounded_weights(
    tiny_run: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    out = export_run(run, tmp_path / "half.safetensors", half=True, force=True)
    bundle = load_model(out)
    row = rows(run / "mobilenet_v2" / "deployed_scores_repeat0.csv")[0]
    assert abs(analyze(load_image(row["path"]), bundle, "cpu").score - float(row["score"])) < 1e-5


def test_readers_are_matched_on_exact_paths_and_compared_paired(
    tiny_run: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    oof = rows(run / "mobilenet_v2" / "oof.csv")
    ratings = tmp_path / "ratings.csv"
    rng = np.random.default_rng(0)
    rated_by_b = oof[::2]
    with ratings.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["reader", "path", "rating"])
        for r in oof:
            writer.writerow(
                [
                    "expert A",
                    r["relative_path"],
                    int(r["label"]) if rng.random() < 0.8 else 1 - int(r["label"]),
                ]
            )
        for r in rated_by_b:
            writer.writerow(["expert B", r["relative_path"], rng.integers(1, 6)])
    assert train_main(["readers", "--run", str(run), "--ratings", str(ratings)]) == 0
    result = json.loads((run / "readers.json").read_text())
    with ratings.open(newline="") as f:
        given = list(csv.DictReader(f))
    y = [int(r["label"]) for r in oof]
    a = [float(g["rating"]) for g in given if g["reader"] == "expert A"]
    assert result["readers"]["expert A"]["auc"] == pytest.approx(skm.roc_auc_score(y, a))
    b = result["readers"]["expert B"]
    assert b["photos"] == len(rated_by_b)
    # The network is scored on exactly the photos expert B rated.
    assert b["network_auc_same_photos"] == pytest.approx(
        skm.roc_auc_score(
            [int(r["label"]) for r in rated_by_b], [float(r["logit"]) for r in rated_by_b]
        )
    )
    assert 0 <= b["delong"]["p_value"] <= 1
    assert (run / "mobilenet_v2" / "roc_readers.png").is_file()
    assert "DeLong" in (run / "readers.md").read_text()


@pytest.mark.parametrize("rated", ["bare name", "unknown"])
def test_readers_refuse_names_that_are_not_exact_paths(
    tiny_run: Path, tmp_path: Path, rated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    oof = rows(tiny_run / "mobilenet_v2" / "oof.csv")
    ratings = tmp_path / "ratings.csv"
    name = Path(oof[0]["relative_path"]).name if rated == "bare name" else "WBS/none.jpg"
    ratings.write_text(f"reader,path,rating\nA,{name},1\n")
    assert train_main(["readers", "--run", str(tiny_run), "--ratings", str(ratings)]) == 1
    err = capsys.readouterr().err
    assert f"rated {name!r}, which is not a photo of this run" in err
    if rated == "bare name":
        assert f"did you mean {oof[0]['relative_path']}" in err


def test_missing_imagenet_weights_name_the_file(
    tiny_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    code = train_main(
        [
            "cv",
            "--data",
            str(tiny_data),
            "--arch",
            "resnet18",
            "--folds",
            "3",
            "--out",
            str(tmp_path / "r"),
            "--epochs",
            "1",
            "--quiet",
            "--cache",
            str(tiny_data.parent / "cache"),
            "--input-size",
            "64",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "ImageNet weights for resnet18 are not on this machine" in err
    assert str(tmp_path / "torch_home") in err


@pytest.mark.slow
def test_two_process_ddp_on_cpu(tiny_data: Path, tiny_toml: Path, tmp_path: Path) -> None:
    """torchrun with the gloo backend and two processes trains and writes one run."""
    run = tmp_path / "ddp"
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
    command = tiny_command(tiny_data, run, "--epochs", "1", "--device", "cpu")
    command[command.index("mobilenet_v2")] = "resnet18"
    done = subprocess.run(
        [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "training", *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["devices"]["world_size"] == 2
    oof = rows(run / "resnet18" / "oof.csv")
    assert len(oof) + len(rows(run / "heldout.csv")) == 3 * PER_CLASS
    assert all(0.0 <= float(r["probability"]) <= 1.0 for r in oof)


def test_a_resumed_run_keeps_the_earlier_architectures_records(tmp_path: Path) -> None:
    """cv for one architecture, then for another into the same folder (study_size does this):
    the manifest keeps both architectures' start weights, overlap and timings."""
    from training.cv import _with_earlier_architectures
    from training.run_record import write_json

    first = {
        "architectures": ["mobilenet_v2"],
        "start_weights": {"mobilenet_v2": {"sha256": "a"}},
        "seen_in_pretraining": {"mobilenet_v2": {"development": 0}},
        "timings_s": {"mobilenet_v2": {"fold_training_s": [1.0]}, "total": 1.0},
    }
    assert _with_earlier_architectures(first, tmp_path) == first  # no earlier manifest
    write_json(tmp_path / "manifest.json", first)
    second = {
        "architectures": ["resnet18"],
        "start_weights": {"resnet18": {"sha256": "b"}},
        "seen_in_pretraining": {"resnet18": {"development": 0}},
        "timings_s": {"resnet18": {"fold_training_s": [2.0]}, "total": 2.0},
    }
    merged = _with_earlier_architectures(second, tmp_path)
    assert merged["architectures"] == ["mobilenet_v2", "resnet18"]
    assert merged["start_weights"] == {"mobilenet_v2": {"sha256": "a"}, "resnet18": {"sha256": "b"}}
    assert set(merged["seen_in_pretraining"]) == {"mobilenet_v2", "resnet18"}
    assert merged["timings_s"]["mobilenet_v2"] == {"fold_training_s": [1.0]}
    assert merged["timings_s"]["total"] == 2.0
    # Running an architecture again replaces its own record only.
    write_json(tmp_path / "manifest.json", merged)
    again = {**first, "start_weights": {"mobilenet_v2": {"sha256": "c"}}}
    remerged = _with_earlier_architectures(again, tmp_path)
    assert remerged["architectures"] == ["resnet18", "mobilenet_v2"]
    assert remerged["start_weights"]["mobilenet_v2"] == {"sha256": "c"}
    assert remerged["start_weights"]["resnet18"] == {"sha256": "b"}
