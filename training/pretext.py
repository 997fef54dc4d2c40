"""The pretext set of ``wbs-train pretrain``: real face photos, each warped many times by
random smooth shape changes (the identity bumps and the signed phenotype fields of
``synth``), aligned as the app aligns and given random light, colour, blur and JPEG quality,
with what each warp did as the targets: where the 478 landmarks now lie in the aligned crop
and the signed amount of each of the ten phenotype fields. Also the photos' fingerprints,
so that ``cv`` can refuse to test on anyone a backbone was pretrained on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from training import synth
from training.config import Augmentation
from training.duplicates import near_duplicates, perceptual_hashes
from wbs_desktop.core.files import file_sha256
from wbs_desktop.core.pipeline.alignment import (
    TEMPLATE,
    anchor_points,
    fit_similarity,
    transform_points,
)
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.regions import face_only

TASKS = {
    "landmarks": "regress the 478 landmarks of randomly shape-warped, aligned real faces",
    "warps": "regress the 478 landmarks and the signed amount of each of the ten phenotype "
    "warp fields of randomly shape-warped, aligned real faces",
}
WARP_FIELDS = tuple(sorted(synth.EFFECTS))
_ANCHOR_WEIGHTS = np.array([3.0, 3.0, 1.0, 1.0, 1.0])
# Work at an inter-ocular distance a little above the crop's (0.30 of its side), so that
# aligning only ever shrinks, and warping costs ~7 ms instead of ~30 ms per face.
_WORK_IOD_OF_SIDE = 0.36
_MODE_PROBABILITY = 0.5  # each phenotype field is present in about half the variants
_MODE_RANGE = 0.8  # its signed amount, uniform in +-0.8 (WBS subjects: 0.5-1.0)
_IDENTITY_SCALE = (0.5, 2.0)
_ANCHOR_JITTER = 0.012  # of the side: alignment as imprecise as re-detected landmarks
PHOTOMETRIC = Augmentation(
    flip=False,
    rotate_degrees=0.0,
    scale=0.0,
    translate=0.0,
    blur_probability=0.2,
    greyscale_probability=0.1,
)
Log = Callable[[str], None]
#: Where an architecture needs a schedule other than the defaults. MobileNet-V2 under-fits
#: the pretext in 10 epochs at 1e-3 (final loss 0.168, ResNet-18's 0.068; fine-tuned
#: study-sized AUC 77.6 and 78.2); 20 epochs at 2e-3 reach 0.086 (AUC 86.7 and 89.3).
ARCHITECTURE_SCHEDULES: dict[str, dict[str, Any]] = {
    "mobilenet_v2": {"epochs": 20, "learning_rate": 2e-3}
}


@dataclass
class PretextSettings:
    task: str = "warps"
    input_size: int = 112
    variants: int = 100  # warped crops per base photo
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 0
    face_only: bool = False  # crops grey outside the face oval, as for a face_only model

    @classmethod
    def for_architecture(cls, arch: str, **given: Any) -> PretextSettings:
        """The settings for pretraining ``arch``: its schedule (``ARCHITECTURE_SCHEDULES``)
        where ``given`` leaves the epochs or learning rate out (or None)."""
        chosen = {k: v for k, v in given.items() if v is not None}
        return cls(**{**ARCHITECTURE_SCHEDULES.get(arch, {}), **chosen})

    def validate(self) -> PretextSettings:
        if self.task not in TASKS:
            raise ValueError(f"the pretext task must be one of {', '.join(TASKS)}")
        if not 32 <= self.input_size <= 512:
            raise ValueError("the input size must be between 32 and 512 pixels")
        if self.variants < 1 or self.epochs < 1 or self.batch_size < 2:
            raise ValueError("variants and epochs must be at least 1, the batch size 2")
        if not 0 < self.learning_rate <= 1:  # NaN fails too
            raise ValueError("the learning rate must be above 0 and at most 1")
        return self


@dataclass(frozen=True)
class PretextSet:
    crops: np.ndarray  # (N, S, S, 3) uint8
    targets: np.ndarray  # (N, T) float32: landmark x, y of 478 points, then warp amounts
    people: dict[str, str]  # base photo file name -> identity
    photos: dict[str, dict[str, str]]  # base photo file name -> its SHA-256 and pHash
    skipped: list[dict[str, str]]


def _variant(
    base: synth.BaseFace,
    image: np.ndarray,
    landmarks: np.ndarray,
    frame: np.ndarray,
    size: int,
    rng: np.random.Generator,
    only_face: bool,
) -> tuple[np.ndarray, ...]:
    modes = {
        name: float(rng.uniform(-_MODE_RANGE, _MODE_RANGE))
        if rng.random() < _MODE_PROBABILITY
        else 0.0
        for name in WARP_FIELDS
    }
    bumps = synth.IdentityWarp.random(rng, frame, float(rng.uniform(*_IDENTITY_SCALE))).bumps
    warped, moved, _ = synth.apply_effects(
        image, landmarks, {}, identity=synth.IdentityWarp(modes, bumps)
    )
    anchors = anchor_points(moved.astype(np.float64))
    work_pixels_per_crop_pixel = _WORK_IOD_OF_SIDE / (TEMPLATE[1, 0] - TEMPLATE[0, 0])
    anchors += rng.normal(0.0, _ANCHOR_JITTER * size * work_pixels_per_crop_pixel, anchors.shape)
    matrix = fit_similarity(anchors, TEMPLATE * size, _ANCHOR_WEIGHTS)
    crop = cv2.warpAffine(
        warped, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    crop = synth.photometric(crop, rng)
    encoded = np.frombuffer(synth.jpeg_bytes(crop, int(rng.integers(60, 96))), np.uint8)
    crop = cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    points = transform_points(matrix, moved.astype(np.float64))
    if only_face:
        crop = face_only(crop, points)
    return crop, np.concatenate([(points / size).ravel(), [modes[n] for n in WARP_FIELDS]])


def make_pretext_set(
    photos: Sequence[Path],
    settings: PretextSettings,
    identities: dict[str, str] | None = None,
    log: Log | None = None,
) -> PretextSet:
    """Warped, aligned crops of every usable base photo, and what each warp did."""
    rng = np.random.default_rng(settings.seed)
    size = settings.input_size
    bases, skipped = [], []
    for path in photos:
        try:
            bases.append(synth.prepare_base(path))
        except ValueError as error:
            skipped.append({"photo": Path(path).name, "reason": str(error)})
    if not bases:
        raise ValueError("none of the photos has a usable face")
    people, _ = synth.base_identities(bases, identities)
    crops, targets = [], []
    for base in bases:
        shrink = _WORK_IOD_OF_SIDE * size / synth.WORK_IOD
        image = cv2.resize(base.image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        landmarks = base.landmarks * shrink
        frame = synth.face_coordinates(landmarks)
        for _ in range(settings.variants):
            crop, target = _variant(base, image, landmarks, frame, size, rng, settings.face_only)
            crops.append(crop)
            targets.append(target)
    if log:
        log(
            f"pretext set: {len(crops)} crops of {len(bases)} photos of "
            f"{len(set(people.values()))} people ({len(skipped)} photos skipped)"
        )
    by_name = {Path(p).name: Path(p) for p in photos}
    return PretextSet(
        np.stack(crops),
        np.asarray(targets, np.float32),
        people,
        {b.name: photo_fingerprint(by_name[b.name]) for b in bases},
        skipped,
    )


def photo_fingerprint(path: Path) -> dict[str, str]:
    """SHA-256 and perceptual hash of a photo: enough to recognise it, or a copy of it, in
    a later data set without keeping the photo."""
    return {
        "sha256": file_sha256(path),
        "phash": perceptual_hashes(load_image(path)).tobytes().hex(),
    }


def seen_in_pretraining(
    card: dict[str, Any], photos: dict[str, tuple[str, np.ndarray]]
) -> list[str]:
    """Which of ``photos`` (label -> (SHA-256, pHash)) the backbone of ``card`` was
    pretrained on, or a copy of: byte-identical, or mirrored, resized or re-encoded."""
    seen = list(card["photo_fingerprints"].values())
    shas = {entry["sha256"] for entry in seen}
    labels = list(photos)
    hashes = [photos[label][1] for label in labels] + [
        np.frombuffer(bytes.fromhex(entry["phash"]), np.uint8).reshape(2, -1) for entry in seen
    ]
    copies = {labels[i] for i, j in near_duplicates(hashes) if i < len(labels) <= j}
    return sorted(copies | {label for label, (sha, _) in photos.items() if sha in shas})
