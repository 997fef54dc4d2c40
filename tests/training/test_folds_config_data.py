"""Folds, configuration and data preparation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.config import ConfigError, load_config
from training.data import DataError, cache_folder, prepare, read_dataset, subjects_note
from training.folds import (
    CALIBRATION,
    DEVELOPMENT,
    TEST,
    holdout_roles,
    identity_folds,
    inner_split,
)


def _people(n_people: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Photos of people who each appear in every group, as a synthetic set makes them."""
    rng = np.random.default_rng(seed)
    identities = np.array([f"p{rng.integers(0, n_people)}" for _ in range(300)])
    groups = np.array(["WBS", "other", "healthy"] * 100)
    return groups, identities


def test_folds_keep_people_together_and_stratify() -> None:
    groups, identities = _people(40, 0)
    folds = identity_folds(groups, identities, 5, seed=1)
    assert set(folds) == set(range(5))
    for person in set(identities):
        assert len(set(folds[identities == person])) == 1
    for group in set(groups):
        counts = np.bincount(folds[groups == group], minlength=5)
        assert counts.min() >= 0.5 * counts.mean()
    assert (identity_folds(groups, identities, 5, seed=1) == folds).all()
    train, val = inner_split(groups, identities, 0.2, seed=1)
    assert not set(identities[train]) & set(identities[val])
    assert len(train) + len(val) == len(identities) and 0.1 < len(val) / len(groups) < 0.3


def test_no_inner_validation_keeps_every_person_for_training_and_the_last_weights() -> None:
    groups, identities = _people(40, 0)
    train, val = inner_split(groups, identities, 0.0, seed=1)
    assert np.array_equal(train, np.arange(len(groups))) and len(val) == 0
    assert (
        load_config(inner_validation_fraction=0, keep_weights="last").inner_validation_fraction == 0
    )
    with pytest.raises(ConfigError, match='keep_weights = "last"'):
        load_config(inner_validation_fraction=0, keep_weights="best")
    with pytest.raises(ConfigError, match="inner_validation_fraction"):
        load_config(inner_validation_fraction=-0.1, keep_weights="last")


def test_held_out_people_are_in_no_fold() -> None:
    groups, identities = _people(40, 1)
    roles = holdout_roles(groups, identities, 0.15, 0.15, 5, seed=2)
    assert set(roles) == {DEVELOPMENT, CALIBRATION, TEST}
    people = {role: set(identities[roles == role]) for role in set(roles)}
    assert not people[DEVELOPMENT] & people[CALIBRATION]
    assert not people[DEVELOPMENT] & people[TEST]
    assert not people[CALIBRATION] & people[TEST]
    for role, share in ((CALIBRATION, 0.15), (TEST, 0.15), (DEVELOPMENT, 0.7)):
        assert abs(np.mean(roles == role) - share) < 0.08
    assert (holdout_roles(groups, identities, 0, 0, 5, seed=2) == DEVELOPMENT).all()


def test_one_child_per_person_is_stratified_like_the_study() -> None:
    groups = np.array(["WBS"] * 104 + ["other"] * 91 + ["healthy"] * 145)
    identities = np.array([f"child{i}" for i in range(340)])
    folds = identity_folds(groups, identities, 5, seed=0)
    for group, n in (("WBS", 104), ("other", 91), ("healthy", 145)):
        counts = np.bincount(folds[groups == group], minlength=5)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_too_few_people_is_refused() -> None:
    groups = np.array(["WBS"] * 6 + ["healthy"] * 10)
    identities = np.array(["a", "a", "b", "b", "c", "c"] + [f"h{i}" for i in range(10)])
    with pytest.raises(DataError, match="group 'WBS' has photos of 3 \\(at least 5"):
        identity_folds(groups, identities, 5, seed=0)
    with pytest.raises(DataError, match="with 2 held-out part"):
        holdout_roles(groups, identities, 0.1, 0.1, 2, seed=0)


def test_config_file_and_overrides(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_text('epochs = 3\noptimizer = "sgd"\n[augmentation]\nflip = false\n')
    config = load_config(config_file, epochs=7)
    assert config.epochs == 7 and config.optimizer == "sgd"
    assert config.augmentation.flip is False
    config_file.write_text("epochz = 3\n")
    with pytest.raises(ConfigError, match="unknown option.*epochz"):
        load_config(config_file)
    with pytest.raises(ConfigError, match="calibration_fraction"):
        load_config(calibration_fraction=0.6)
    config_file.write_text('epochs = "many"\n')
    with pytest.raises(ConfigError, match="epochs must be of type int"):
        load_config(config_file)
    with pytest.raises(ConfigError, match="threshold_rule"):
        load_config(threshold_rule="sensitivity:2")


def test_folder_data_set_with_bad_photos_reports_them(
    tmp_path: Path, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> None:
    for group, face in (("WBS", astronaut), ("healthy", grace_hopper)):
        (tmp_path / group).mkdir()
        Image.fromarray(face).save(tmp_path / group / "face.png")
    (tmp_path / "WBS" / "broken.jpg").write_text("not a photo")
    Image.new("RGB", (300, 300), "white").save(tmp_path / "healthy" / "wall.png")
    samples = read_dataset(tmp_path)
    assert "4 of 4 photos have no subject" in (subjects_note(samples) or "")
    assert {(s.group, s.path.name) for s in samples} == {
        ("WBS", "face.png"),
        ("WBS", "broken.jpg"),
        ("healthy", "face.png"),
        ("healthy", "wall.png"),
    }
    cache = tmp_path / "cache"
    data = prepare(samples, 64, cache, progress=False)
    assert [s.path.name for s in data.samples] == ["broken.jpg", "face.png"][1:] * 2
    reasons = {s.path.name: r for s, r in data.failures}
    assert "not a readable photo" in reasons["broken.jpg"]
    assert "No face was found" in reasons["wall.png"]
    assert data.crops.shape == (2, 64, 64, 3)
    # Second time round everything comes from the cache, failures included.
    again = prepare(samples, 64, cache, progress=False)
    assert np.array_equal(again.crops, data.crops) and len(again.failures) == 2
    assert again.data_hash == data.data_hash


def _manifest(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    manifest = folder / "manifest.csv"
    manifest.write_text("path,group,subject\n" + "".join(f"{p},{g},{s}\n" for p, g, s in rows))
    return manifest


def test_the_same_photo_under_two_groups_is_refused_naming_both(
    tmp_path: Path, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> None:
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    (tmp_path / "copy.png").write_bytes((tmp_path / "a.png").read_bytes())
    Image.fromarray(grace_hopper).save(tmp_path / "g.png")
    samples = read_dataset(
        _manifest(
            tmp_path,
            [("a.png", "WBS", "s1"), ("g.png", "healthy", "s2"), ("copy.png", "healthy", "s3")],
        )
    )
    with pytest.raises(
        DataError,
        match=r"a\.png \(WBS, subject s1\) and copy\.png "
        r"\(healthy, subject s3\) are the same file",
    ):
        prepare(samples, 64, tmp_path / "cache", progress=False)


@pytest.mark.parametrize("change", ["mirrored", "resized and re-encoded"])
def test_a_copy_of_a_photo_under_another_subject_is_refused(
    tmp_path: Path, astronaut: np.ndarray, grace_hopper: np.ndarray, change: str
) -> None:
    Image.fromarray(astronaut).save(tmp_path / "a.png")
    Image.fromarray(grace_hopper).save(tmp_path / "g.png")
    copy = np.ascontiguousarray(astronaut[:, ::-1]) if change == "mirrored" else astronaut
    if change != "mirrored":
        copy = np.asarray(Image.fromarray(copy).resize((300, 300)))
    Image.fromarray(copy).save(tmp_path / "b.jpg", quality=70)
    samples = read_dataset(
        _manifest(
            tmp_path, [("a.png", "WBS", "s1"), ("g.png", "WBS", "s2"), ("b.jpg", "WBS", "s3")]
        )
    )
    with pytest.raises(DataError, match=r"a\.png .* and b\.jpg .* show the same photo"):
        prepare(samples, 64, tmp_path / "cache", progress=False)
    # Filed under one subject, the copies are accepted (they move together).
    samples = read_dataset(
        _manifest(
            tmp_path, [("a.png", "WBS", "s1"), ("g.png", "WBS", "s2"), ("b.jpg", "WBS", "s1")]
        )
    )
    assert len(prepare(samples, 64, tmp_path / "cache", progress=False).samples) == 3


def test_manifest_identity_and_missing_subjects(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,group,subject,identity\nx/1.jpg,WBS,s1,anna\n"
        "x/2.jpg,healthy,s2,anna\nx/3.jpg,healthy,,\nx/4.jpg,WBS,s4,\n"
    )
    samples = read_dataset(manifest)
    assert [s.identity for s in samples] == ["anna", "anna", "x/3.jpg", "s4"]
    assert [s.subject for s in samples] == ["s1", "s2", "x/3.jpg", "s4"]
    assert [s.relative_path for s in samples] == [f"x/{i}.jpg" for i in range(1, 5)]
    assert subjects_note(samples).startswith("1 of 4 photos have no subject")
    assert subjects_note(samples[:2]) is None


def test_crop_cache_is_keyed_on_detection_alignment_and_mediapipe(tmp_path: Path) -> None:
    from importlib.metadata import version

    from wbs_desktop.core.pipeline.alignment import ALIGNMENT_VERSION
    from wbs_desktop.core.pipeline.landmarks import DETECTION_VERSION

    name = cache_folder(tmp_path, 96).name
    assert name == (
        f"align-v{ALIGNMENT_VERSION}-det{DETECTION_VERSION}-mp{version('mediapipe')}-96"
    )
    assert cache_folder(tmp_path, 96, face_only=True).name == name + "-face"


def test_face_only_crops_are_grey_outside_the_face(tmp_path: Path) -> None:
    from tests.conftest import REPO_ROOT
    from wbs_desktop.core.pipeline.regions import FACE_ONLY_FILL

    photo = tmp_path / "WBS" / "a.jpg"
    photo.parent.mkdir()
    photo.write_bytes((REPO_ROOT / "resources" / "sample_face.jpg").read_bytes())
    samples = read_dataset(tmp_path)
    whole = prepare(samples, 112, tmp_path / "cache", progress=False).crops[0]
    face = prepare(samples, 112, tmp_path / "cache", progress=False, only_face=True).crops[0]
    grey = (face == np.array(FACE_ONLY_FILL, np.uint8)).all(axis=2)
    assert 0.3 < grey.mean() < 0.7 and grey[0, 0] and grey[-1, -1] and not grey[56, 56]
    assert np.array_equal(face[~grey], whole[~grey])


def test_missing_data_set() -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_dataset(Path("/nonexistent/data"))


def test_early_stopping_rule_and_min_epochs() -> None:
    from training.engine import FitState, should_stop_early

    patient = load_config(epochs=30, early_stopping_patience=3)
    slow_start = load_config(epochs=30, early_stopping_patience=3, min_epochs=16)
    best_at_first = FitState(epoch=4, best_epoch=0)  # epochs 2-4 did not improve
    assert should_stop_early(best_at_first, patient)
    assert not should_stop_early(best_at_first, slow_start)
    assert not should_stop_early(FitState(epoch=3, best_epoch=0), patient)
    assert should_stop_early(FitState(epoch=16, best_epoch=2), slow_start)
    with pytest.raises(ConfigError, match="min_epochs"):
        load_config(epochs=5, min_epochs=6)


def test_a_subject_in_two_groups_is_refused(tmp_path: Path) -> None:
    samples = read_dataset(
        _manifest(tmp_path, [("a.png", "WBS", "s1"), ("b.png", "healthy", "s1")])
    )
    with pytest.raises(
        DataError,
        match=r"Subject 's1' has photos in two groups \(a\.png in "
        r"'WBS', b\.png in 'healthy'\)",
    ):
        prepare(samples, 64, tmp_path / "cache", progress=False)


def test_deterministic_mode_is_enforced_on_the_cpu() -> None:
    import torch

    from training.engine import seed_everything

    try:
        seed_everything(0, deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled() == torch.cuda.is_available()
    finally:
        torch.use_deterministic_algorithms(False)


def test_roles_fixed_by_the_manifest_are_checked() -> None:
    from training.folds import given_roles

    identities = np.array(["a", "a", "b", "c"])
    roles = given_roles(np.array(["", "", "test", "calibration"]), identities)
    assert roles.tolist() == [DEVELOPMENT, DEVELOPMENT, TEST, CALIBRATION]
    with pytest.raises(DataError, match="Person 'a' has photos in two roles"):
        given_roles(np.array(["test", "", "test", "test"]), identities)
    with pytest.raises(DataError, match="Unknown role 'validation'"):
        given_roles(np.array(["validation", "", "", ""]), identities)
