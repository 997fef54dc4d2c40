"""Shared fixtures: real photos that ship with the test dependencies, real bundles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wbs_desktop.core.model.architectures import seeded_network
from wbs_desktop.core.model.bundle import ModelBundle, load_model, save_bundle
from wbs_desktop.core.model.card import default_card

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FACES = Path(os.environ.get("WBS_SHARED_FACES", REPO_ROOT.parent / "shared" / "faces"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    import skimage.data

    return np.ascontiguousarray(skimage.data.astronaut())


@pytest.fixture(scope="session")
def grace_hopper() -> np.ndarray:
    from matplotlib import cbook

    from wbs_desktop.core.pipeline.imaging import load_image

    sample = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return load_image(str(sample))


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    """The 64 real photos beside the project; tests using them skip when absent."""
    if not SHARED_FACES.is_dir() or not any(SHARED_FACES.glob("*.jpg")):
        pytest.skip(f"real photo folder {SHARED_FACES} is absent")
    return SHARED_FACES


def write_bundle(
    folder: Path,
    arch: str = "mobilenet_v2",
    networks: int = 1,
    seed: int = 0,
    **card_fields: object,
) -> Path:
    path = folder / f"{arch}_{networks}x_{seed}.safetensors"
    nets = [seeded_network(arch, seed + i) for i in range(networks)]
    fields = {"flip_tta": False, **card_fields}
    save_bundle(path, nets, default_card(arch, f"test {arch}", num_networks=networks, **fields))
    return path


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bundles")


@pytest.fixture(scope="session")
def mobilenet_bundle(bundle_dir: Path) -> ModelBundle:
    return load_model(write_bundle(bundle_dir, "mobilenet_v2", 1))


@pytest.fixture(scope="session")
def two_network_bundle(bundle_dir: Path) -> ModelBundle:
    return load_model(write_bundle(bundle_dir, "resnet18", 2, seed=3))


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a network connection fails the test."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def installed_default() -> dict[str, Any]:
    """Name, provenance note and input size of the installed default model."""
    from wbs_desktop.core.model.registry import default_model_path

    bundle = load_model(default_model_path())
    return {"name": bundle.name, "note": bundle.provenance_note, "size": bundle.input_size}
