"""The demo recipe's and the study benchmark's splits of people: fixed, disjoint, and the
app's sample photo always among the people the demo model never trained on; the demo's
evaluation kept in its card."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from tests.conftest import REPO_ROOT, write_bundle
from training import demo, demo_evaluation, study_size, synth
from training.cv_fold import OOF_FIELDS
from training.folds import DEVELOPMENT, TEST
from wbs_desktop.core.files import write_csv
from wbs_desktop.core.model.bundle import load_model
from wbs_desktop.core.model.registry import installed_bundles, register_bundle
from wbs_desktop.core.pipeline.imaging import load_image

IDENTITIES = REPO_ROOT / "training" / "identities" / "shared_faces.csv"


def _photos() -> list[Path]:
    names = [line.split(",")[0] for line in IDENTITIES.read_text().splitlines()[1:]]
    return (
        [Path(name) for name in names]
        + [Path(demo.SAMPLE_PERSON_PHOTO)]
        + [Path(f"person{i}.jpg") for i in range(60)]
    )


def test_demo_roles_keep_people_whole_and_hold_out_the_sample_person() -> None:
    identities = synth.read_identities(IDENTITIES)
    photos = _photos()
    roles = demo.split_people(photos, identities)
    assert roles[demo.SAMPLE_PERSON_PHOTO] == TEST
    role_of_person: dict[str, set[str]] = {}
    for photo in photos:
        role_of_person.setdefault(identities.get(photo.name) or photo.stem, set()).add(
            roles[photo.name]
        )
    assert all(len(r) == 1 for r in role_of_person.values())
    shares = {
        role: sum(r == {role} for r in role_of_person.values()) / len(role_of_person)
        for role in ("development", "calibration", "test")
    }
    assert 0.5 < shares[DEVELOPMENT] < 0.85 and shares[TEST] > 0.1
    assert demo.split_people(photos, identities) == roles  # a fixed rule, no seed


def test_study_people_never_meet_the_pretext_people() -> None:
    identities = synth.read_identities(IDENTITIES)
    pretext, study = study_size.split_people(_photos(), identities)
    person = {p.name: identities.get(p.name) or p.stem for p in pretext + study}
    assert pretext and study
    assert not {person[p.name] for p in pretext} & {person[p.name] for p in study}


def test_the_demo_evaluation_is_written_into_the_card_and_the_index(tmp_path: Path) -> None:
    path = write_bundle(tmp_path, "mobilenet_v2", weights_dtype="float16")
    register_bundle(path, summary="a demo", default=True)
    before = load_model(path)
    figures = {key: 0.5 for key in demo_evaluation.TARGETS}
    demo_evaluation.record_evaluation(
        path,
        {
            "photos": 9,
            "people": 3,
            "threshold": 0.4,
            "figures": figures,
            "median_score": {"plain": 0.1},
            "intervals": {"specificity_plain": [0.3, 0.7]},
        },
    )
    after = load_model(path)  # the index's hash was updated, or this would refuse the file
    assert after.sha256 != before.sha256
    assert after.card["training"]["evaluation"]["figures"] == figures
    assert after.card["training"]["evaluation"]["people"] == 3
    assert after.card["training"]["evaluation"]["intervals"]["specificity_plain"] == [0.3, 0.7]
    entry = installed_bundles(tmp_path)[0]
    assert entry.summary == "a demo" and entry.default and entry.sha256 == after.sha256
    for mine, theirs in zip(
        after.networks[0].state_dict().values(),
        before.networks[0].state_dict().values(),
        strict=True,
    ):
        assert torch.equal(mine, theirs)  # float16 weights survive a second save unchanged


def test_matched_triples_name_files_that_exist_from_the_manifests_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain photo is given as the user typed it (a relative path): the manifest lives
    elsewhere, so its row must still find the file (it once read as "left out")."""
    monkeypatch.chdir(REPO_ROOT)
    photo = Path("resources") / "sample_face.jpg"
    out = tmp_path / "data"
    rows = demo.matched_triples([photo], {photo.name: TEST}, {}, out, seed=0)
    assert [r["group"] for r in rows] == ["healthy", "WBS", "other"]
    for row in rows:
        path = Path(row["path"])
        assert (path if path.is_absolute() else out / path).is_file()
        assert row["role"] == TEST and row["identity"] == "sample_face"
    assert rows[1]["warped_regions"]
    training = demo.matched_triples([photo], {photo.name: DEVELOPMENT}, {}, out, seed=0)
    assert len(training) == 1 + 2 * demo.TRAINING_WARPS
    assert len({r["path"] for r in training}) == len(training)
    assert {r["subject"] for r in training if r["group"] == "WBS"} == {"sample_face-WBS"}


def test_shared_wbs_features_change_only_the_training_peoples_other_warps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other warps that share WBS features are training material: the held-out people's
    warps, and every WBS warp, must be the bytes they would be without them."""
    training, held_out = synth.default_bases()
    roles = {training.name: DEVELOPMENT, held_out.name: TEST}

    def triples(share: float) -> tuple[Path, dict[str, dict[str, str]]]:
        monkeypatch.setattr(demo, "OTHER_SHARES_WBS", share)
        out = tmp_path / str(share)
        rows = demo.matched_triples([training, held_out], roles, {}, out, seed=0)
        return out, {r["path"]: r for r in rows}

    (pure, pure_rows), (shared, shared_rows) = triples(0.0), triples(1.0)
    assert pure_rows.keys() == shared_rows.keys()
    changed = set()
    for path, row in shared_rows.items():
        if Path(path).is_absolute():
            continue  # the plain photo itself
        if (pure / path).read_bytes() != (shared / path).read_bytes():
            changed.add((row["group"], row["role"]))
    assert changed == {("other", DEVELOPMENT)}


def test_the_demo_evaluation_scores_the_test_people_and_gives_uniform_map_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The evaluation scores each test photo as the app does; beside each heat share it
    gives what a uniform heatmap would score, so a figure can be read against chance."""
    monkeypatch.chdir(REPO_ROOT)
    photo = Path("resources") / "sample_face.jpg"
    data = tmp_path / "data"
    rows = demo.matched_triples([photo], {photo.name: TEST}, {}, data, seed=0)
    manifest = data / "manifest.csv"
    write_csv(manifest, rows, list(rows[0]))
    bundle = write_bundle(tmp_path, "mobilenet_v2", input_size=112, cam_layer="stride8")
    result = demo_evaluation.evaluate(bundle, manifest)
    assert result["photos"] == 3 and result["people"] == 1
    scored = {r["group"]: r for r in result["rows"]}
    assert scored["healthy"]["in_warped_regions"] == 0 == scored["healthy"]["warped_regions_area"]
    figures = result["figures"]
    assert figures["outside_face_plain_uniform"] == scored["healthy"]["outside_face_area"]
    assert 0.2 < figures["outside_face_plain_uniform"] < 0.8
    assert 0 < figures["warped_regions_wbs_uniform"] < 1
    assert figures["auc_wbs_vs_plain"] in (0.0, 1.0)  # one photo each way
    assert figures["plain_with_quality_warning"] == 0
    assert set(result["intervals"].values()) == {None}  # one person: no interval over people
    assert figures["specificity_plain_unwarned"] == figures["specificity_plain"]
    table = demo_evaluation.evaluation_table(result)
    assert table.count("\n|") == 2 + len(figures)  # heading, rule, then a row per figure


def test_the_demo_evaluation_gives_the_figures_without_the_photos_the_app_warns_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo turned 40 degrees in its plane gets a quality warning (its WBS-warped
    version too): the information rows leave both out, the targets' rows keep them."""
    monkeypatch.chdir(REPO_ROOT)
    photo = Path("resources") / "sample_face.jpg"
    image = load_image(photo)
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), 40, 0.8)
    tilted = tmp_path / "tilted.png"
    cv2.imwrite(
        str(tilted), cv2.cvtColor(cv2.warpAffine(image, turn, (width, height)), cv2.COLOR_RGB2BGR)
    )
    data = tmp_path / "data"
    roles = {photo.name: TEST, tilted.name: TEST}
    rows = demo.matched_triples([photo, tilted], roles, {}, data, seed=0)
    write_csv(data / "manifest.csv", rows, list(rows[0]))
    bundle = write_bundle(tmp_path, "mobilenet_v2", input_size=112, cam_layer="stride8")
    result = demo_evaluation.evaluate(bundle, data / "manifest.csv")
    warned = {(r["photo"], r["group"]) for r in result["rows"] if r["quality_warnings"]}
    assert ("tilted.png", "healthy") in warned and ("tilted.png", "WBS") in warned
    assert not any(name == photo.name for name, _ in warned)
    figures = result["figures"]
    assert figures["plain_with_quality_warning"] == 1
    by_group = {r["group"]: r["score"] for r in result["rows"] if r["photo"] == photo.name}
    threshold = result["threshold"]
    assert figures["specificity_plain_unwarned"] == float(by_group["healthy"] < threshold)
    assert figures["auc_wbs_vs_plain_unwarned"] == float(by_group["WBS"] > by_group["healthy"])
    for key, (low, high) in result["intervals"].items():  # two people: resampled over them
        assert 0 <= low <= figures[key] <= high <= 1, key


def test_the_recipe_is_chosen_by_the_training_peoples_real_photos_out_of_fold(
    tmp_path: Path,
) -> None:
    """The selection figure keeps the real plain and WBS-warped photos of the cross-
    validation and nothing else: synthetic subjects that would turn the AUC round, and the
    other-syndrome warps, are left out; checked against scikit-learn."""
    rng = np.random.default_rng(0)
    rows = []
    for number in range(40):
        person = f"p{number // 4}"
        label = number % 2
        synthetic = number % 3 == 0
        rows.append(
            {
                "path": f"/data/{number}.png",
                "relative_path": f"{'synth' if synthetic else 'triples'}/{number}.png",
                "subject": f"s{number}",
                "identity": person,
                "group": ("WBS" if label else "healthy") if number % 5 else "other",
                "repeat": 0,
                "fold": number % 5,
                "label": label if number % 5 else 0,
                # synthetic rows ranked the wrong way round, real ones mostly right
                "logit": (-3.0 if label else 3.0) if synthetic else rng.normal(label, 1.0),
                "probability": 0.5,
            }
        )
    (tmp_path / "mobilenet_v2").mkdir()
    write_csv(tmp_path / "mobilenet_v2" / "oof.csv", rows, OOF_FIELDS)
    kept = [r for r in rows if r["relative_path"].startswith("triples/") and r["group"] != "other"]
    result = demo_evaluation.real_photo_oof_auc(tmp_path, "mobilenet_v2")
    expected = roc_auc_score([r["label"] for r in kept], [r["logit"] for r in kept])
    assert result["mean"] == pytest.approx(expected)
    assert roc_auc_score([r["label"] for r in rows], [r["logit"] for r in rows]) < expected - 0.2
    low, high = result["ci95"]
    assert low <= result["mean"] <= high
    table = demo_evaluation.evaluation_table(
        {"photos": 3, "people": 1, "threshold": 0.5, "figures": {}, "real_photo_oof_auc": result}
    )
    assert f"| {expected:.3f} ({low:.2f}-{high:.2f}) |" in table
    synthetic_only = [r for r in rows if r["relative_path"].startswith("synth/")]
    write_csv(tmp_path / "mobilenet_v2" / "oof.csv", synthetic_only, OOF_FIELDS)
    assert demo_evaluation.real_photo_oof_auc(tmp_path, "mobilenet_v2") is None


@pytest.mark.parametrize(
    ("device", "says"),
    [
        ("tpu", "Unknown device 'tpu'"),
        pytest.param(
            "cuda",
            "No CUDA graphics card",
            marks=pytest.mark.skipif(
                torch.cuda.is_available(), reason="needs a machine without CUDA"
            ),
        ),
    ],
)
def test_the_demo_refuses_a_device_it_cannot_train_on_before_it_writes_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], device: str, says: str
) -> None:
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as stop:
        demo.main(
            ["--faces", str(tmp_path), "--out", str(out), "--model-out", str(tmp_path / "m")]
            + ["--device", device]
        )
    assert stop.value.code == 2
    assert says in capsys.readouterr().err
    assert not out.exists()
