"""A tiny synthetic data set and a tiny cross-validation run, shared by the training tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from training import synth
from training.config import load_config
from training.cv import run_cv

TINY = {
    "epochs": 2,
    "input_size": 64,
    "batch_size": 4,
    "pretrained": False,
    "early_stopping_patience": 5,
    "threads": 2,
    "calibration_fraction": 0.25,
    "test_fraction": 0.25,
}
PER_CLASS = 8


def pretend_every_subject_is_a_person(manifest: Path) -> None:
    """The two portraits that ship with the dependencies are only two people, too few for
    people-disjoint folds; the tiny fixture run pretends each synthetic subject is someone
    else, to exercise the machinery (the real identity grouping is tested separately)."""
    with manifest.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["identity"] = row["subject"]
    with manifest.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 photos (8 per group) from the two portraits that ship with the dependencies."""
    out = tmp_path_factory.mktemp("synth")
    synth.generate(out, PER_CLASS, seed=3, progress=False)
    pretend_every_subject_is_a_person(out / "manifest.csv")
    return out


def run_tiny_cv(data: Path, run: Path, cache: Path) -> Path:
    """Three-fold cross-validation of MobileNet-V2 on ``data`` with the TINY settings."""
    run_cv(
        data,
        ["mobilenet_v2"],
        3,
        run,
        load_config(**TINY),
        cache_dir=cache,
        device="cpu",
        progress=False,
        command="test",
    )
    return run


@pytest.fixture(scope="session")
def tiny_run(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_tiny_cv(tiny_data, tmp_path_factory.mktemp("run") / "cv", tiny_data.parent / "cache")
