"""Does the trained demo model's Grad-CAM look where the synthetic signal is?

Faces of people the demo model never saw (the two portraits that ship with the
dependencies; it was trained on other identities) get the WBS warps, whose regions are
known. Two checks from the saliency-evaluation literature:

* energy pointing game: at least half the heat falls in the warped regions (the demo
  model's target), well above what a uniform map would put there (their share of the
  crop's area, ~0.28);
* model randomisation (Adebayo et al. 2018): with the weights re-initialised, the maps
  change: their rank correlation with the trained model's maps is low.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from training import synth
from wbs_desktop.core.model.architectures import seeded_network, target_layer
from wbs_desktop.core.model.bundle import ModelBundle, load_model
from wbs_desktop.core.model.registry import default_model_path
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import detect_faces
from wbs_desktop.core.pipeline.regions import region_areas


@pytest.fixture(scope="module")
def demo_bundle() -> ModelBundle:
    bundle = load_model(default_model_path())
    if bundle.card["status"] != "trained":
        pytest.skip("the default model is not a trained model")
    return bundle


@pytest.fixture(scope="module")
def warped_faces() -> list[tuple[np.ndarray, list[str]]]:
    rng = np.random.default_rng(0)
    faces = []
    for base in synth.default_bases():
        image = load_image(base)
        landmarks = detect_faces(image)[0].landmarks
        for _ in range(4):
            warped, _, regions = synth.apply_gestalt(image, landmarks, "WBS", 1.0, rng)
            faces.append((np.ascontiguousarray(warped), sorted(regions)))
    return faces


def test_heat_concentrates_on_the_warped_regions(
    demo_bundle: ModelBundle, warped_faces: list[tuple[np.ndarray, list[str]]]
) -> None:
    heat_share, area_share = [], []
    for image, regions in warped_faces:
        result = analyze(image, demo_bundle, "cpu")
        areas = region_areas(result.aligned.landmarks, demo_bundle.input_size)
        heat_share.append(sum(result.regions[r] for r in regions))
        area_share.append(sum(areas[r] for r in regions))
    assert np.mean(heat_share) >= 0.5, (heat_share, area_share)
    assert np.mean(heat_share) > np.mean(area_share) + 0.1, (heat_share, area_share)


def test_randomised_weights_change_the_maps(
    demo_bundle: ModelBundle, warped_faces: list[tuple[np.ndarray, list[str]]]
) -> None:
    arch = demo_bundle.card["architecture"]
    randomised = ModelBundle(
        path=None,
        sha256="randomised",
        card=demo_bundle.card,
        networks=[seeded_network(arch, 100 + i) for i in range(len(demo_bundle.networks))],
        target_layers=[],
    )
    randomised.target_layers = [
        target_layer(n, arch, demo_bundle.card.get("cam_layer", "final"))
        for n in randomised.networks
    ]
    correlations = []
    for image, _ in warped_faces:
        trained = analyze(image, demo_bundle, "cpu").heatmap
        random = analyze(image, randomised, "cpu").heatmap
        correlations.append(spearmanr(trained.ravel(), random.ravel()).statistic)
    assert np.median(correlations) < 0.5, correlations
