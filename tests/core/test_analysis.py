"""The whole pipeline with real MediaPipe, real torchvision networks and real photos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import write_bundle
from wbs_desktop.api import analyze, load_model
from wbs_desktop.core.bundle import ModelBundle
from wbs_desktop.core.errors import DeviceError, NoFaceError
from wbs_desktop.core.regions import OUTSIDE, REGION_NAMES


def test_result_holds_everything(astronaut: np.ndarray, mobilenet_bundle: ModelBundle) -> None:
    result = analyze(astronaut, mobilenet_bundle, "cpu")
    assert 0.0 <= result.score <= 1.0
    assert result.score_std == 0.0  # one network: no spread
    assert result.label == ("high" if result.score >= result.threshold else "low")
    assert result.heatmap.shape == (224, 224) and result.heatmap.dtype == np.float32
    assert result.heatmap.min() >= 0.0 and result.heatmap.max() == pytest.approx(1.0)
    assert result.heatmap_on_photo.shape == astronaut.shape[:2]
    assert result.aligned.image.shape == (224, 224, 3)
    assert set(result.regions) == {*REGION_NAMES, OUTSIDE}
    assert sum(result.regions.values()) == pytest.approx(1.0)
    assert result.warnings == ()
    assert {"landmarks", "alignment", "networks", "total"} <= set(result.timings)
    assert result.model["provenance_note"] == "untrained: pipeline test only"
    as_json = json.loads(json.dumps(result.to_json()))
    assert as_json["model"]["sha256"] == mobilenet_bundle.sha256
    assert as_json["faces_found"] == 1


def test_score_is_the_calibrated_network_output(astronaut: np.ndarray,
                                               bundle_dir: Path) -> None:
    """Recompute the score from the aligned crop with a plain forward pass and the Platt
    map written out by hand."""
    (bundle_dir / "platt").mkdir()
    bundle = load_model(write_bundle(bundle_dir / "platt", "mobilenet_v2", seed=2, calibration={
        "method": "platt", "slope": 0.7, "intercept": -0.4, "prevalence": 0.3}))
    result = analyze(astronaut, bundle, "cpu")
    x = bundle.preprocess(result.aligned.image)
    with torch.no_grad():
        logits = bundle.networks[0](x)[0].double()
    z = float(logits[1] - logits[0])
    assert result.score == pytest.approx(1 / (1 + np.exp(-(0.7 * z - 0.4))), abs=1e-6)


def test_heat_outside_the_crop_is_zero_on_the_photo(astronaut: np.ndarray,
                                                   mobilenet_bundle: ModelBundle) -> None:
    result = analyze(astronaut, mobilenet_bundle, "cpu")
    corners = result.aligned.inverse_matrix @ np.array([[0, 224, 0, 224], [0, 0, 224, 224],
                                                        [1, 1, 1, 1]])
    assert result.heatmap_on_photo[int(corners[1].max()) + 5:, :].max() == 0
    assert result.heatmap_on_photo.max() > 0.5


def test_networks_are_averaged_in_logit_space_and_their_spread_reported(
    astronaut: np.ndarray, two_network_bundle: ModelBundle
) -> None:
    result = analyze(astronaut, two_network_bundle, "cpu")
    assert len(result.network_scores) == 2
    logits = [np.log(p / (1 - p)) for p in result.network_scores]
    assert result.score == pytest.approx(1 / (1 + np.exp(-np.mean(logits))), abs=1e-9)
    assert result.score_std == pytest.approx(np.std(result.network_scores))
    assert result.score_std > 0


def test_calibration_slope_and_flips(astronaut: np.ndarray, bundle_dir: Path) -> None:
    plain = load_model(write_bundle(bundle_dir, "resnet18", seed=5))
    (bundle_dir / "hot").mkdir()
    hot = load_model(write_bundle(bundle_dir / "hot", "resnet18", seed=5, calibration={
        "method": "platt", "slope": 1e-3, "intercept": 0.0}))
    plain_score = analyze(astronaut, plain, "cpu").score
    assert abs(plain_score - 0.5) > 1e-3
    assert analyze(astronaut, hot, "cpu").score == pytest.approx(0.5, abs=2e-3)

    (bundle_dir / "flip").mkdir()
    flipped = load_model(write_bundle(bundle_dir / "flip", "resnet18", seed=5, flip_tta=True))
    flip_result = analyze(astronaut, flipped, "cpu")
    mirror = analyze(np.ascontiguousarray(astronaut[:, ::-1]), plain, "cpu")
    # Averaging a crop with its mirror lands between the two single views.
    low, high = sorted([plain_score, mirror.score])
    assert low - 0.02 <= flip_result.score <= high + 0.02


def test_several_faces_give_a_warning(astronaut: np.ndarray, grace_hopper: np.ndarray,
                                      mobilenet_bundle: ModelBundle) -> None:
    canvas = np.full((400, 800, 3), 200, np.uint8)
    canvas[50:350, 450:750] = astronaut[0:300, 100:400]
    canvas[70:330, 60:260] = grace_hopper[100:360, 150:350]
    result = analyze(canvas, mobilenet_bundle, "cpu")
    assert result.face_count == 2
    assert result.warnings[0].startswith("2 faces were found: only the largest was analysed")


def test_no_face(mobilenet_bundle: ModelBundle) -> None:
    with pytest.raises(NoFaceError):
        analyze(np.full((300, 300, 3), 30, np.uint8), mobilenet_bundle, "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(astronaut: np.ndarray,
                                             mobilenet_bundle: ModelBundle) -> None:
    with pytest.raises(DeviceError, match="No CUDA graphics card"):
        analyze(astronaut, mobilenet_bundle, "cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(astronaut: np.ndarray, bundle_dir: Path) -> None:
    bundle = load_model(write_bundle(bundle_dir, "resnet34", seed=7))
    on_cpu = analyze(astronaut, bundle, "cpu")
    on_gpu = analyze(astronaut, bundle, "cuda")
    assert on_gpu.score == pytest.approx(on_cpu.score, abs=1e-3)
    assert np.corrcoef(on_gpu.heatmap.ravel(), on_cpu.heatmap.ravel())[0, 1] > 0.99


def test_a_stride16_cam_layer_gives_a_7x7_map_at_112_px(astronaut: np.ndarray,
                                                        bundle_dir: Path) -> None:
    """The card may ask for the stride-16 map: 7 x 7 cells before upsampling at 112 px,
    where the final map of MobileNet-V2 and ResNet is 4 x 4."""
    from wbs_desktop.core.gradcam import grad_cam

    for arch in ("mobilenet_v2", "resnet18"):
        folder = bundle_dir / f"cam16_{arch}"
        folder.mkdir()
        sizes = {}
        for where in ("final", "stride16"):
            bundle = load_model(write_bundle(folder, arch, seed=1 if where == "final" else 2,
                                             input_size=112, cam_layer=where))
            x = bundle.preprocess(np.zeros((112, 112, 3), np.uint8))
            _, cam = grad_cam(bundle.networks[0], bundle.target_layers[0], x, 1)
            sizes[where] = tuple(cam.shape)
            result = analyze(astronaut, bundle, "cpu")
            assert result.heatmap.shape == (112, 112) and np.isfinite(result.heatmap).all()
        assert sizes == {"final": (4, 4), "stride16": (7, 7)}, arch
