"""The whole pipeline with real MediaPipe, real torchvision networks and real photos."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.conftest import write_bundle
from wbs_desktop.api import analyze, load_model
from wbs_desktop.core.errors import DeviceError, ModelError, NoFaceError
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.model.card import CAM_LAYERS, default_card
from wbs_desktop.core.pipeline.analysis import HIGH, LOW, decide
from wbs_desktop.core.pipeline.landmarks import detect_faces
from wbs_desktop.core.pipeline.regions import OUTSIDE, REGION_NAMES


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


def test_score_is_the_calibrated_network_output(astronaut: np.ndarray, bundle_dir: Path) -> None:
    """Recompute the score from the aligned crop with a plain forward pass and the Platt
    map written out by hand."""
    (bundle_dir / "platt").mkdir()
    bundle = load_model(
        write_bundle(
            bundle_dir / "platt",
            "mobilenet_v2",
            seed=2,
            calibration={"method": "platt", "slope": 0.7, "intercept": -0.4, "prevalence": 0.3},
        )
    )
    result = analyze(astronaut, bundle, "cpu")
    x = bundle.preprocess(result.aligned.image)
    with torch.no_grad():
        logits = bundle.networks[0](x)[0].double()
    z = float(logits[1] - logits[0])
    assert result.score == pytest.approx(1 / (1 + np.exp(-(0.7 * z - 0.4))), abs=1e-6)


def test_heat_outside_the_crop_is_zero_on_the_photo(
    astronaut: np.ndarray, mobilenet_bundle: ModelBundle
) -> None:
    result = analyze(astronaut, mobilenet_bundle, "cpu")
    corners = result.aligned.inverse_matrix @ np.array(
        [[0, 224, 0, 224], [0, 0, 224, 224], [1, 1, 1, 1]]
    )
    assert result.heatmap_on_photo[int(corners[1].max()) + 5 :, :].max() == 0
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
    hot = load_model(
        write_bundle(
            bundle_dir / "hot",
            "resnet18",
            seed=5,
            calibration={"method": "platt", "slope": 1e-3, "intercept": 0.0},
        )
    )
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


def test_several_faces_give_a_warning(
    astronaut: np.ndarray, grace_hopper: np.ndarray, mobilenet_bundle: ModelBundle
) -> None:
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
def test_cuda_without_a_gpu_is_a_clear_error(
    astronaut: np.ndarray, mobilenet_bundle: ModelBundle
) -> None:
    with pytest.raises(DeviceError, match="No CUDA graphics card"):
        analyze(astronaut, mobilenet_bundle, "cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(astronaut: np.ndarray, bundle_dir: Path) -> None:
    bundle = load_model(write_bundle(bundle_dir, "resnet34", seed=7))
    on_cpu = analyze(astronaut, bundle, "cpu")
    on_gpu = analyze(astronaut, bundle, "cuda")
    assert on_gpu.score == pytest.approx(on_cpu.score, abs=1e-3)
    assert np.corrcoef(on_gpu.heatmap.ravel(), on_cpu.heatmap.ravel())[0, 1] > 0.99


def test_the_stride16_and_stride8_cam_layers_give_7x7_and_14x14_maps_at_112_px(
    astronaut: np.ndarray, bundle_dir: Path
) -> None:
    """The card may ask for the stride-16 or stride-8 map: 7 x 7 or 14 x 14 cells before
    upsampling at 112 px, where the final map of MobileNet-V2 and ResNet is 4 x 4 (VGG's
    final map is its stride-16 one). A bundle that asks for one analyses as any other."""
    from wbs_desktop.core.model.architectures import seeded_network, target_layer
    from wbs_desktop.core.pipeline.gradcam import grad_cam

    expected = {"final": (4, 4), "stride16": (7, 7), "stride8": (14, 14)}
    x = torch.randn(1, 3, 112, 112)
    for arch in ("mobilenet_v2", "resnet18", "vgg16"):
        network = seeded_network(arch, 1)
        sizes = {
            where: tuple(grad_cam(network, target_layer(network, arch, where), x, 1)[1].shape)
            for where in CAM_LAYERS
        }
        assert sizes == ({**expected, "final": (7, 7)} if arch.startswith("vgg") else expected), (
            arch
        )
    bundle = load_model(write_bundle(bundle_dir, seed=7, input_size=112, cam_layer="stride8"))
    assert bundle.card["cam_layer"] == "stride8"
    result = analyze(astronaut, bundle, "cpu")
    assert result.heatmap.shape == (112, 112) and np.isfinite(result.heatmap).all()


# ---------------------------------------------------------------------------- fail-safe


def faulty_views(x: torch.Tensor, side: str) -> torch.Tensor:
    """(N,) True for the images whose ``side`` half is the brighter: of a crop and its
    mirror image, exactly one."""
    width = x.shape[-1] // 2
    left, right = x[..., :width].mean(dim=(1, 2, 3)), x[..., width:].mean(dim=(1, 2, 3))
    return left > right if side == "left" else right > left


class Pool(nn.Module):
    """The Grad-CAM target layer: 8 x 8 average pooling, with an infinite last column on
    the faulty views when ``poison``."""

    def __init__(self, side: str, poison: bool) -> None:
        super().__init__()
        self.side, self.poison = side, poison

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = nn.functional.avg_pool2d(x, 8)
        if self.poison:
            pooled = pooled.clone()
            pooled[faulty_views(x, self.side), :, :, -1] = math.inf
        return pooled


class OneSidedFault(nn.Module):
    """A hand-built network that fails on one view only, in its Grad-CAM map
    (``where="heatmap"``: the head ignores the infinite column, so its logits stay finite)
    or in its output (``where="output"``: NaN logits). The old pipeline averaged the views
    and min-max scaled the maps, so the first gave a blank heatmap and a confident label."""

    def __init__(self, where: str, side: str) -> None:
        super().__init__()
        self.where, self.side = where, side
        self.pool = Pool(side, poison=where == "heatmap")
        torch.manual_seed(0)
        self.head = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.head(self.pool(x)[..., :-1].mean(dim=(2, 3)))
        if self.where == "output":
            logits = torch.where(
                faulty_views(x, self.side)[:, None], torch.full_like(logits, math.nan), logits
            )
        return logits


def fault_bundle(networks: list[nn.Module], layers: list[nn.Module], flip: bool) -> ModelBundle:
    card = default_card(
        "resnet18", "faulty", flip_tta=flip, input_size=64, num_networks=len(networks)
    )
    return ModelBundle(None, "0" * 64, card, networks, layers)


def test_a_face_only_model_cannot_see_the_background(
    astronaut: np.ndarray, bundle_dir: Path
) -> None:
    """With ``face_only`` on the card, noise painted over everything but the face (and a
    margin the crop's resampling reads) leaves the score as it was; without it, it moves."""
    import cv2

    faces = detect_faces(astronaut)
    oval = cv2.convexHull(np.round(faces[0].landmarks[:, :2]).astype(np.int32))
    keep = np.zeros(astronaut.shape[:2], np.uint8)
    cv2.fillConvexPoly(keep, oval, 1)
    keep = cv2.dilate(keep, np.ones((25, 25), np.uint8)).astype(bool)
    noisy = astronaut.copy()
    noise = np.random.default_rng(0).integers(0, 256, astronaut.shape, dtype=np.uint8)
    noisy[~keep] = noise[~keep]
    folder = bundle_dir / "face_only"
    folder.mkdir()
    scores = {}
    for only_face in (True, False):
        bundle = load_model(
            write_bundle(
                folder, "resnet18", seed=7 if only_face else 8, input_size=112, face_only=only_face
            )
        )
        scores[only_face] = [
            analyze(photo, bundle, "cpu", faces=faces).score for photo in (astronaut, noisy)
        ]
    assert scores[True][0] == pytest.approx(scores[True][1], abs=1e-6)
    assert abs(scores[False][0] - scores[False][1]) > 1e-4


@pytest.mark.parametrize("where", ["heatmap", "output"])
def test_a_fault_on_one_mirror_view_is_an_error_never_a_label(
    astronaut: np.ndarray, where: str
) -> None:
    faces = detect_faces(astronaut)
    outcomes = {}
    for side in ("left", "right"):
        network = OneSidedFault(where, side).eval()
        with pytest.raises(
            ModelError,
            match=rf"invalid number \(the {where} of network 1 is "
            r"not finite\).*no score can be given",
        ):
            analyze(astronaut, fault_bundle([network], [network.pool], True), "cpu", faces=faces)
        try:  # the crop alone: it is the faulty view for one side only
            result = analyze(
                astronaut, fault_bundle([network], [network.pool], False), "cpu", faces=faces
            )
            outcomes[side] = np.isfinite(result.heatmap).all() and 0 <= result.score <= 1
        except ModelError:
            outcomes[side] = "refused"
    assert sorted(map(str, outcomes.values())) == ["True", "refused"]


def test_one_faulty_network_of_an_ensemble_fails_the_whole_result(
    astronaut: np.ndarray, mobilenet_bundle: ModelBundle
) -> None:
    faulty = OneSidedFault("output", "left").eval()
    bundle = fault_bundle(
        [mobilenet_bundle.networks[0], faulty],
        [mobilenet_bundle.target_layers[0], faulty.pool],
        True,
    )
    with pytest.raises(ModelError, match="the output of network 2 is not finite"):
        analyze(astronaut, bundle, "cpu")


@pytest.mark.parametrize("score", [math.nan, math.inf, -math.inf, -0.01, 1.01])
def test_only_a_finite_probability_gets_a_label(score: float) -> None:
    with pytest.raises(ModelError, match="invalid score"):
        decide(score, 0.5)


def test_labels_of_valid_scores() -> None:
    assert decide(0.5, 0.5) == HIGH and decide(0.4999, 0.5) == LOW
    assert decide(0.0, 0.001) == LOW and decide(1.0, 0.999) == HIGH


def test_a_result_cannot_hold_a_non_finite_number(
    astronaut: np.ndarray, mobilenet_bundle: ModelBundle
) -> None:
    result = analyze(astronaut, mobilenet_bundle, "cpu")
    heat = result.heatmap.copy()
    heat[0, 0] = np.nan
    for changes in (
        {"score": math.nan, "label": LOW},
        {"heatmap": heat},
        {"regions": {**result.regions, "nose": math.inf}},
        {"network_scores": (math.nan,)},
    ):
        with pytest.raises(ModelError, match="not finite"):
            dataclasses.replace(result, **changes)
    with pytest.raises(ValueError, match="does not belong"):
        dataclasses.replace(result, label=HIGH if result.label == LOW else LOW)
