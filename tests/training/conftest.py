"""A tiny synthetic data set and a tiny cross-validation run, shared by the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from training import synth
from training.config import load_config
from training.cv import run_cv

TINY = {"epochs": 2, "input_size": 64, "batch_size": 4, "pretrained": False,
        "early_stopping_patience": 5, "threads": 2}


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """18 photos (6 per group) from the two portraits that ship with the dependencies."""
    out = tmp_path_factory.mktemp("synth")
    synth.generate(out, 6, seed=3, progress=False)
    return out


@pytest.fixture(scope="session")
def tiny_run(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("run") / "cv"
    run_cv(tiny_data, ["mobilenet_v2"], 3, run, load_config(**TINY),
           cache_dir=tiny_data.parent / "cache", device="cpu", progress=False,
           command="test")
    return run
