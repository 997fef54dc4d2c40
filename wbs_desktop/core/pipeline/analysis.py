"""One photo in, one :class:`Result` out: the whole screening pipeline.

For each network of the bundle a single forward pass yields both its logits and the
Grad-CAM (see ``gradcam``). When the card asks for flip test-time augmentation, the crop
and its mirror image go through that pass as a batch of two. The score is the deployed
score of ``scoring`` (log-odds averaged over views and networks, then the card's Platt map),
the very number training validated; each network's own calibrated probability is reported
too, and their spread, as an honest measure of disagreement.

Fail-safe: a number that is not finite (a logit, a probability, a heatmap value or a
region's share), on any network or mirror view, ends the analysis with a ModelError. A
:class:`Result` cannot hold one, and only a finite score in [0, 1] gets a label, so a
numerical failure can never read as a reassuring "low".
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import cv2
import numpy as np
import torch

from wbs_desktop import __version__
from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.model.bundle import ModelBundle
from wbs_desktop.core.model.card_text import operating_point_summary
from wbs_desktop.core.model.devices import resolve_device
from wbs_desktop.core.model.scoring import (
    Calibration,
    deployed_logit,
    positive_log_odds,
    require_finite,
    view_mean,
    with_mirror,
)
from wbs_desktop.core.pipeline.alignment import Aligned, align_face, map_to_photo
from wbs_desktop.core.pipeline.gradcam import grad_cam, normalise_cam
from wbs_desktop.core.pipeline.landmarks import Face, detect_faces, require_faces
from wbs_desktop.core.pipeline.quality import Quality, assess
from wbs_desktop.core.pipeline.regions import face_only, heat_shares

HIGH = "high"
LOW = "low"


def decide(score: float, threshold: float) -> str:
    """HIGH or LOW for a probability; anything else (NaN, infinity, outside [0, 1]) is an
    error, never a label."""
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise ModelError(
            f"The model produced an invalid score ({score!r}) for this photo, so no result can "
            "be given; try another photo or model, and tell the model's provider."
        )
    return HIGH if score >= threshold else LOW


@dataclass(frozen=True)
class Result:
    """Everything one analysis produced. Arrays are in crop or photo pixels as named."""

    score: float
    score_std: float
    network_scores: tuple[float, ...]
    label: str
    threshold: float
    heatmap: np.ndarray
    photo_shape: tuple[int, int]
    regions: dict[str, float]
    aligned: Aligned
    face: Face
    face_count: int
    quality: Quality
    warnings: tuple[str, ...]
    model: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_finite(
            [self.score, self.score_std, *self.network_scores, self.threshold], "the score"
        )
        require_finite(self.heatmap, "the heatmap")
        require_finite(list(self.regions.values()), "a region's share of the heatmap")
        if self.label != decide(self.score, self.threshold):
            raise ValueError(f"label {self.label!r} does not belong to score {self.score}")

    @cached_property
    def heatmap_on_photo(self) -> np.ndarray:
        """The heatmap warped back onto the photo (0 outside the crop), computed when first
        asked for: most callers (batch screening, the CLI without --heatmap-out) never do."""
        return map_to_photo(self.heatmap, self.aligned, self.photo_shape)

    @property
    def summary(self) -> str:
        """Wording that does not overclaim: similarity of features, never a diagnosis."""
        return f"Facial features similar to WBS: {self.label}"

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "score_std": round(self.score_std, 4),
            "network_scores": [round(s, 4) for s in self.network_scores],
            "label": self.label,
            "summary": self.summary,
            "threshold": self.threshold,
            "model": self.model,
            "warnings": list(self.warnings),
            "regions": {name: round(share, 4) for name, share in self.regions.items()},
            "face": self.face.to_json(),
            "faces_found": self.face_count,
            "quality": self.quality.to_json(),
            "timings_s": {name: round(t, 4) for name, t in self.timings.items()},
            "app_version": __version__,
        }


class _Stopwatch:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def model_summary(bundle: ModelBundle) -> dict[str, Any]:
    """What every output says about the model that produced it."""
    card = bundle.card
    return {
        "name": card["name"],
        "architecture": card["architecture"],
        "networks": len(bundle.networks),
        "status": card["status"],
        "sha256": bundle.sha256,
        "file": bundle.path.name if bundle.path else None,
        "provenance_note": bundle.provenance_note,
        "operating_point": operating_point_summary(card),
        "intended_use": card["intended_use"],
    }


def _logits_and_cam(bundle: ModelBundle, x: torch.Tensor) -> tuple[list[float], np.ndarray]:
    """Each network's logit (log-odds averaged over the views), and their mean Grad-CAM.

    ``x`` is [1,3,S,S] or, with flips, [2,3,S,S] (the second image mirrored).
    """
    positive = bundle.positive_index
    logits_per_network: list[float] = []
    cams: list[torch.Tensor] = []
    for number, (network, layer) in enumerate(
        zip(bundle.networks, bundle.target_layers, strict=True), 1
    ):
        logits, cam = grad_cam(network, layer, x, [positive] * x.shape[0])
        # Every view on its own: a mean or a min-max scaling can hide a NaN (NaN > 0 is False).
        require_finite(logits, f"the output of network {number}")
        require_finite(cam, f"the heatmap of network {number}")
        log_odds = view_mean(positive_log_odds(logits.float(), positive), x.shape[0])
        logits_per_network.append(float(log_odds[0]))
        if x.shape[0] == 2:
            cam = torch.stack([cam[0], cam[1].flip(-1)])
        # Each network's map in [0, 1] before averaging, so no network dominates by scale.
        cams.append(normalise_cam(cam).mean(dim=0))
    mean_cam = torch.stack(cams).mean(dim=0).cpu().numpy()
    return logits_per_network, mean_cam


def analyze(
    image: np.ndarray,
    bundle: ModelBundle,
    device: str | torch.device | None = None,
    *,
    faces: list[Face] | None = None,
) -> Result:
    """Screen the largest face of an RGB photo with every network of ``bundle``.

    ``faces`` may be passed when they were already detected (the GUI shows them first).
    Raises ``NoFaceError`` when there is no face, ``DeviceError`` for an unusable device.
    """
    watch = _Stopwatch()
    started = time.perf_counter()
    target = resolve_device(device)
    if bundle.device != target:
        bundle.to(target)
    with watch.stage("landmarks"):
        faces = require_faces(detect_faces(image) if faces is None else faces)
    face = faces[0]
    size = bundle.input_size
    with watch.stage("alignment"):
        aligned = align_face(image, face, size)
    with watch.stage("quality"):
        quality = assess(face, aligned)
    with watch.stage("preprocess"):
        seen = (
            face_only(aligned.image, aligned.landmarks)
            if bundle.card.get("face_only")
            else aligned.image
        )
        x = with_mirror(bundle.preprocess(seen), bundle.card["flip_tta"]).to(target)
    with watch.stage("networks"), torch.no_grad():
        logits, cam = _logits_and_cam(bundle, x)
        calibration = Calibration.from_card(bundle.card)
        score = float(calibration.probability(deployed_logit(logits)))
        scores = [float(calibration.probability(z)) for z in logits]
    with watch.stage("heatmap"):
        heatmap = cv2.resize(cam.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR)
        peak = float(heatmap.max())
        heatmap = np.clip(heatmap / peak, 0.0, 1.0) if peak > 0 else np.zeros_like(heatmap)
    with watch.stage("regions"):
        regions = heat_shares(heatmap, aligned.landmarks)

    warnings = list(quality.warnings)
    if len(faces) > 1:
        warnings.insert(
            0,
            f"{len(faces)} faces were found: only the largest was analysed. Crop the photo "
            "to the child's face for a reliable result.",
        )
    threshold = float(bundle.card["threshold"])
    watch.timings["total"] = time.perf_counter() - started
    return Result(
        score=score,
        score_std=float(np.std(scores)),
        network_scores=tuple(scores),
        label=decide(score, threshold),
        threshold=threshold,
        heatmap=heatmap,
        photo_shape=(int(image.shape[0]), int(image.shape[1])),
        regions=regions,
        aligned=aligned,
        face=face,
        face_count=len(faces),
        quality=quality,
        warnings=tuple(warnings),
        model=model_summary(bundle),
        timings=watch.timings,
    )
