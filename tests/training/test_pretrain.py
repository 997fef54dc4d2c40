"""The face-pretrained start: pretext data, the weights file and its card, and cv starting
from it, with real photos, real MediaPipe and real networks."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from safetensors import safe_open

from tests.conftest import REPO_ROOT
from tests.training.conftest import TINY
from training import pretext, pretrain, synth
from training.__main__ import main as train_main
from training.config import load_config
from training.cv import run_cv
from training.data import DataError
from training.pretrained import load_start_weights
from wbs_desktop.core.errors import WeightsError
from wbs_desktop.core.model.architectures import build_network, head_name
from wbs_desktop.core.pipeline.landmarks import detect_faces
from wbs_desktop.core.pipeline.regions import FACE_ONLY_FILL

SMALL = pretext.PretextSettings(input_size=64, variants=6, epochs=1, batch_size=4)


@pytest.fixture(scope="module")
def portraits(
    tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> list[Path]:
    folder = tmp_path_factory.mktemp("faces")
    paths = []
    for name, image in (("astronaut.png", astronaut), ("grace.png", grace_hopper)):
        cv2.imwrite(str(folder / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        paths.append(folder / name)
    return paths


@pytest.fixture(scope="module")
def weights(portraits: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pretrained") / "mobilenet_v2.safetensors"
    code = train_main(
        [
            "pretrain",
            "--faces",
            str(portraits[0].parent),
            "--arch",
            "mobilenet_v2",
            "--out",
            str(out),
            "--input-size",
            "64",
            "--variants",
            "6",
            "--epochs",
            "1",
            "--quiet",
        ]
    )
    assert code == 0
    return out


@pytest.mark.parametrize("rate", ["0", "nan", "-1e-3"])
def test_a_learning_rate_that_cannot_train_is_refused_before_any_work(
    rate: str, portraits: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never.safetensors"
    args = ["pretrain", "--faces", str(portraits[0].parent), "--arch", "mobilenet_v2"]
    assert train_main([*args, "--out", str(out), f"--learning-rate={rate}"]) == 1
    assert "the learning rate must be above 0" in capsys.readouterr().err
    assert not out.exists()


def test_pretext_crops_are_aligned_faces_with_their_warps(portraits: list[Path]) -> None:
    made = pretext.make_pretext_set(portraits, pretext.PretextSettings(input_size=112, variants=4))
    assert made.crops.shape == (8, 112, 112, 3) and made.crops.dtype == np.uint8
    assert made.targets.shape == (8, 2 * 478 + len(pretext.WARP_FIELDS))
    assert np.isfinite(made.targets).all()
    amounts = made.targets[:, -len(pretext.WARP_FIELDS) :]
    assert np.abs(amounts).max() <= 0.8 and (amounts != 0).any()
    assert made.people == {"astronaut.png": "astronaut", "grace.png": "grace"}
    # The target landmarks are where MediaPipe finds the warped face again (within ~2 px).
    found = detect_faces(made.crops[0])
    assert found
    target = made.targets[0, : 2 * 478].reshape(478, 2) * 112
    assert np.median(np.linalg.norm(found[0].landmarks - target, axis=1)) < 2.5
    face_only = pretext.make_pretext_set(
        portraits, pretext.PretextSettings(input_size=112, variants=1, face_only=True)
    )
    corners = face_only.crops[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners == np.array(FACE_ONLY_FILL, np.uint8)).all()


def test_weights_file_has_no_pickle_and_a_card(weights: Path, portraits: list[Path]) -> None:
    assert weights.read_bytes()[:8] != b"\x80\x02\x8a\x0a"  # not a torch.save pickle
    with safe_open(weights, framework="pt", device="cpu") as f:
        keys = list(f.keys())
    head = head_name("mobilenet_v2") + "."
    assert keys and not any(k.startswith(head) for k in keys)
    card = pretrain.read_pretrained_card(weights)
    assert card["architecture"] == "mobilenet_v2" and card["pretext"] == "warps"
    # no --learning-rate: MobileNet-V2's own schedule's; --epochs 1 wins over its 20
    assert card["settings"]["learning_rate"] == 2e-3 and card["settings"]["epochs"] == 1
    assert card["identities"] == 2 and card["photos"] == 2 and card["epochs"] == 1
    assert card["input_size"] == 64 and card["data_hash"] and card["software"]["torch"]
    assert set(card["photo_fingerprints"]) == {"astronaut.png", "grace.png"}
    json.dumps(card, allow_nan=False)


def test_loading_fills_the_backbone_and_refuses_another_architecture(weights: Path) -> None:
    network = load_start_weights(build_network("mobilenet_v2", 2), "mobilenet_v2", weights)
    with safe_open(weights, framework="pt", device="cpu") as f:
        first = next(iter(f.keys()))
        assert torch.equal(network.state_dict()[first], f.get_tensor(first))
    with pytest.raises(
        WeightsError, match="is a mobilenet_v2 backbone and cannot start a resnet18"
    ):
        load_start_weights(build_network("resnet18", 2), "resnet18", weights)


def test_a_damaged_weights_file_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(WeightsError, match="damaged or not a weights file"):
        load_start_weights(build_network("mobilenet_v2", 2), "mobilenet_v2", bad)


def test_cv_refuses_to_test_on_people_the_backbone_saw(
    weights: Path, portraits: list[Path], tiny_data: Path, tmp_path: Path
) -> None:
    """The pretext saw the two portraits: held out as test people, cv refuses them."""
    import csv

    with (tiny_data / "manifest.csv").open(newline="") as f:
        rows = [{**r, "path": str(tiny_data / r["path"])} for r in csv.DictReader(f)]
    rows += [
        {
            "path": str(portraits[0]),
            "group": "healthy",
            "subject": "a",
            "identity": "a",
            "role": "test",
        },
        {
            "path": str(portraits[1]),
            "group": "WBS",
            "subject": "g",
            "identity": "g",
            "role": "test",
        },
    ]
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["path", "group", "subject", "identity", "role"], extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(
        DataError,
        match="2 held-out photo.* show people the start weights "
        "mobilenet_v2.safetensors were pretrained on",
    ):
        run_cv(
            manifest,
            ["mobilenet_v2"],
            3,
            tmp_path / "seen",
            load_config(**{**TINY, "pretrained": True}),
            weights_file=weights,
            cache_dir=tiny_data.parent / "cache",
            device="cpu",
            progress=False,
        )


@pytest.mark.parametrize(
    "arch",
    [pytest.param("vgg16", marks=pytest.mark.slow), "resnet34"],  # vgg16: ~7 s
)
def test_every_architecture_can_be_pretrained(
    arch: str, portraits: list[Path], tmp_path: Path
) -> None:
    out = pretrain.pretrain(
        portraits[:1],
        arch,
        tmp_path / f"{arch}.safetensors",
        pretext.PretextSettings(input_size=64, variants=2, epochs=1, batch_size=2),
    )
    network = load_start_weights(build_network(arch, 2), arch, out)
    assert all(torch.isfinite(p).all() for p in network.parameters())


def test_synth_manifest_of_other_people_runs_from_the_weights(
    weights: Path, shared_faces: Path, tmp_path: Path
) -> None:
    data = tmp_path / "synth"
    synth.generate(
        data,
        9,
        sorted(shared_faces.glob("img2*.jpg"))[:6],
        seed=2,
        progress=False,
        identities=synth.read_identities(
            REPO_ROOT / "training" / "identities" / "shared_faces.csv"
        ),
    )
    manifest = run_cv(
        data,
        ["mobilenet_v2"],
        2,
        tmp_path / "run",
        load_config(
            **{
                **TINY,
                "pretrained": True,
                "epochs": 1,
                "calibration_fraction": 0.0,
                "test_fraction": 0.0,
            }
        ),
        weights_file=weights,
        cache_dir=tmp_path / "cache",
        device="cpu",
        progress=False,
    )
    assert manifest["start_weights"]["mobilenet_v2"]["file"] == str(weights)
