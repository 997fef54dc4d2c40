"""One photo in, one :class:`Result` out: the whole screening pipeline.

Two stages: ``prepare.prepare`` (faces, alignment, quality; CPU only, no torch) and the
networks here. Batch screening (``outputs.batch_pipeline``) runs the first stage in worker
processes and ends the second with the same :func:`score_logits`.

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
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import cv2
import numpy as np
import torch

from wbs_desktop import __version__
from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.i18n import _
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
from wbs_desktop.core.pipeline.alignment import Aligned, map_to_photo
from wbs_desktop.core.pipeline.gradcam import grad_cam, normalise_cam
from wbs_desktop.core.pipeline.landmarks import Face
from wbs_desktop.core.pipeline.prepare import Stopwatch, prepare
from wbs_desktop.core.pipeline.quality import Quality
from wbs_desktop.core.pipeline.regions import heat_shares

HIGH = "high"
LOW = "low"


def decide(score: float, threshold: float) -> str:
    """HIGH or LOW for a probability; anything else (NaN, infinity, outside [0, 1]) is an
    error, never a label."""
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise ModelError(
            _(
                "The model produced an invalid score ({score}) for this photo, so no result can "
                "be given; try another photo or model, and tell the model's provider."
            ).format(score=repr(score))
        )
    return HIGH if score >= threshold else LOW


def similarity_summary(label: str) -> str:
    """Wording that does not overclaim: similarity of features, never a diagnosis."""
    if label == HIGH:
        return _("Facial features similar to WBS: high")
    return _("Facial features similar to WBS: low")


def label_text(label: str) -> str:
    """A label as people read it ("high", "低"); the label itself stays "high"/"low"."""
    return _("high") if label == HIGH else _("low")


@dataclass(frozen=True)
class Scored:
    """The deployed score of one photo, its label and each network's own probability;
    ``logit`` is the deployed logit (the mean of the networks' log-odds) that the card's
    Platt map turns into ``score``: a case of several photos averages these."""

    score: float
    score_std: float
    network_scores: tuple[float, ...]
    label: str
    threshold: float
    logit: float


@dataclass(frozen=True)
class Result(Scored):
    """Everything one analysis produced. Arrays are in crop or photo pixels as named."""

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
            [self.score, self.score_std, *self.network_scores, self.threshold, self.logit],
            "the score",
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
        return similarity_summary(self.label)

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


def on_device(bundle: ModelBundle, device: str | torch.device | None) -> torch.device:
    """Resolve ``device`` (``DeviceError`` when unusable) and move the bundle there."""
    target = resolve_device(device)
    if bundle.device != target:
        bundle.to(target)
    return target


def score_logits(card: Mapping[str, Any], network_logits: Sequence[float]) -> Scored:
    """The second stage's end, shared by :func:`analyze` and batch screening: each
    network's log-odds (mean over the views) -> the card's deployed, calibrated score.

    A log-odds that is not finite is a ``ModelError``, never a score.
    """
    for number, log_odds in enumerate(network_logits, 1):
        require_finite(log_odds, f"the output of network {number}")
    calibration = Calibration.from_card(card)
    logit = float(deployed_logit(network_logits))
    score = float(calibration.probability(logit))
    scores = tuple(float(calibration.probability(z)) for z in network_logits)
    threshold = float(card["threshold"])
    return Scored(score, float(np.std(scores)), scores, decide(score, threshold), threshold, logit)


def analyze(
    image: np.ndarray,
    bundle: ModelBundle,
    device: str | torch.device | None = None,
    *,
    faces: list[Face] | None = None,
) -> Result:
    """Screen the largest face of an RGB photo with every network of ``bundle``.

    Two stages: ``prepare.prepare`` (faces, alignment, quality; CPU only), then the networks
    with Grad-CAM on the prepared crop, scored by :func:`score_logits`.
    ``faces`` may be passed when they were already detected (the GUI shows them first).
    Raises ``NoFaceError`` when there is no face, ``DeviceError`` for an unusable device.
    """
    watch = Stopwatch()
    started = time.perf_counter()
    target = on_device(bundle, device)
    size = bundle.input_size
    prepared = prepare(
        image, size, mask_outside_face=bool(bundle.card.get("face_only")), faces=faces, watch=watch
    )
    with watch.stage("preprocess"):
        x = with_mirror(bundle.preprocess(prepared.seen), bundle.card["flip_tta"]).to(target)
    with watch.stage("networks"), torch.no_grad():
        logits, cam = _logits_and_cam(bundle, x)
        scored = score_logits(bundle.card, logits)
    with watch.stage("heatmap"):
        heatmap = cv2.resize(cam.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR)
        peak = float(heatmap.max())
        heatmap = np.clip(heatmap / peak, 0.0, 1.0) if peak > 0 else np.zeros_like(heatmap)
    with watch.stage("regions"):
        regions = heat_shares(heatmap, prepared.aligned.landmarks)
    watch.timings["total"] = time.perf_counter() - started
    return Result(
        **asdict(scored),
        heatmap=heatmap,
        photo_shape=prepared.photo_shape,
        regions=regions,
        aligned=prepared.aligned,
        face=prepared.face,
        face_count=prepared.face_count,
        quality=prepared.quality,
        warnings=prepared.warnings,
        model=model_summary(bundle),
        timings=watch.timings,
    )
