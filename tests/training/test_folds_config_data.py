"""Folds, configuration and data preparation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.config import ConfigError, load_config
from training.data import DataError, prepare, read_dataset
from training.folds import inner_split, stratified_group_folds


def test_folds_keep_subjects_together_and_stratify() -> None:
    rng = np.random.default_rng(0)
    subjects = np.array([f"s{rng.integers(0, 60)}" for _ in range(200)])
    group_of = {s: ["WBS", "other", "healthy"][hash(s) % 3] for s in set(subjects)}
    groups = np.array([group_of[s] for s in subjects])
    folds = stratified_group_folds(groups, subjects, 5, seed=1)
    assert set(folds) == set(range(5))
    for subject in set(subjects):
        assert len(set(folds[subjects == subject])) == 1
    for group in set(groups):
        counts = np.bincount(folds[groups == group], minlength=5)
        assert counts.min() > 0
    assert (stratified_group_folds(groups, subjects, 5, seed=1) == folds).all()
    train, val = inner_split(groups, subjects, 0.2, seed=1)
    assert not set(subjects[train]) & set(subjects[val])
    assert len(train) + len(val) == len(subjects)


def test_too_few_subjects_is_refused() -> None:
    groups = np.array(["WBS"] * 3 + ["healthy"] * 10)
    subjects = np.array([f"w{i}" for i in range(3)] + [f"h{i}" for i in range(10)])
    with pytest.raises(DataError, match="group 'WBS' has 3 \\(at least 5 are needed\\)"):
        stratified_group_folds(groups, subjects, 5, seed=0)


def test_a_subject_in_two_groups_is_refused() -> None:
    with pytest.raises(DataError, match="two groups"):
        stratified_group_folds(np.array(["WBS", "healthy"] * 5),
                               np.array(["same"] * 10), 2, seed=0)


def test_config_file_and_overrides(tmp_path: Path) -> None:
    config_file = tmp_path / "c.toml"
    config_file.write_text('epochs = 3\noptimizer = "sgd"\n[augmentation]\nflip = false\n')
    config = load_config(config_file, epochs=7)
    assert config.epochs == 7 and config.optimizer == "sgd"
    assert config.augmentation.flip is False
    config_file.write_text("epochz = 3\n")
    with pytest.raises(ConfigError, match="unknown option.*epochz"):
        load_config(config_file)
    config_file.write_text('epochs = "many"\n')
    with pytest.raises(ConfigError, match="epochs must be of type int"):
        load_config(config_file)
    with pytest.raises(ConfigError, match="threshold_rule"):
        load_config(threshold_rule="sensitivity:2")


def test_folder_data_set_with_bad_photos_reports_them(tmp_path: Path,
                                                      astronaut: np.ndarray) -> None:
    for group in ("WBS", "healthy"):
        (tmp_path / group).mkdir()
        Image.fromarray(astronaut).save(tmp_path / group / "face.png")
    (tmp_path / "WBS" / "broken.jpg").write_text("not a photo")
    Image.new("RGB", (300, 300), "white").save(tmp_path / "healthy" / "wall.png")
    samples = read_dataset(tmp_path)
    assert {(s.group, s.path.name) for s in samples} == {
        ("WBS", "face.png"), ("WBS", "broken.jpg"), ("healthy", "face.png"),
        ("healthy", "wall.png")}
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
