"""The phenotypes: smooth displacement fields for the WBS gestalt and for other syndromes,
the random identity warp every subject gets, and how they are applied to a face.

* ``WBS``: broad forehead, periorbital fullness, short upturned nose with a broad flat
  bridge, wide mouth, full lips, small pointed chin (each at the subject's strength times a
  per-feature jitter);
* ``other`` (another syndrome): one or two of hypertelorism, long lower face, downslanting
  palpebral fissures, thin upper lip; optionally (:func:`share_wbs_features`) with one or
  two WBS features besides, as real syndromes share single features with WBS;
* ``healthy``: the identity warp only.

Each field takes a face's :class:`~training.synth.face_frame.Anatomy`, points in its face
frame and a strength, and returns the points' displacements in IOD units.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from training.synth.face_frame import (
    LOWER_LIP_BOTTOM,
    NOSE_BRIDGE,
    NOSE_ROOT,
    PRONASALE,
    UPPER_LIP_TOP,
    Anatomy,
    FaceFrame,
    face_coordinates,
)
from training.synth.warp import build_mesh, min_area_ratio, warp_mesh
from wbs_desktop.core.pipeline.landmarks import CHIN_BOTTOM
from wbs_desktop.core.pipeline.regions import REGION_NAMES

GROUPS = ("WBS", "other", "healthy")
# Each WBS feature gets s times this factor: not every child shows every feature equally.
_WBS_FEATURE_JITTER = (0.75, 1.0)
# Identity warp: signed amounts of every phenotype mode (SD, clip) and random bumps.
_IDENTITY_MODE_SD = 0.1
_IDENTITY_MODE_CLIP = 0.3
_IDENTITY_BUMPS = 6
_IDENTITY_BUMP_SD = 0.02  # IOD
_IDENTITY_BUMP_SIGMA = (0.2, 0.45)  # IOD


def _gauss(p: np.ndarray, centre: np.ndarray, sx: float, sy: float) -> np.ndarray:
    return np.exp(-0.5 * (((p[:, 0] - centre[0]) / sx) ** 2 + ((p[:, 1] - centre[1]) / sy) ** 2))


def _sat(t: np.ndarray, c: float = 1.2) -> np.ndarray:
    """t near 0, exactly +-1 at t = +-1, back towards 0 beyond ~2: a local stretch whose
    ends (t = +-1) move by exactly the requested amount."""
    return t * np.exp(-(t * t - 1.0) / (2.0 * c * c))


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _softplus(t: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, t)


Field = Callable[[Anatomy, np.ndarray, float], np.ndarray]


def _broad_forehead(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Widen everything above the brows about the midline; the temples widen by 12 % * s.
    half = float(np.ptp(a.u[:, 0]) / 2)  # half the face width
    step = _sigmoid((a.brow_y - 0.15 - p[:, 1]) / 0.08)
    d = np.zeros_like(p)
    d[:, 0] = 0.12 * s * half * _sat(p[:, 0] / half) * step
    return d


def _periorbital_fullness(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    d = np.zeros_like(p)
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        # A local magnification of the infraorbital area (the "puff")...
        puff = eye + np.array([0.0, 0.24])
        d += 0.6 * s * (p - puff) * _gauss(p, puff, 0.17, 0.12)[:, None]
        # ...and the lower lid and the tissue below it pushed down and outwards.
        lid = eye + np.array([0.0, 0.1])
        d += (s * np.array([0.025 * side, 0.05])) * _gauss(p, lid, 0.2, 0.1)[:, None]
    return d


def _short_upturned_nose(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    d = np.zeros_like(p)
    tip = a.u[PRONASALE]
    length = float(tip[1] - a.u[NOSE_ROOT, 1])
    # Tip (and with it the alae and columella) up towards the eyes: a shorter nose.
    d[:, 1] -= 0.13 * s * length * _gauss(p, tip + [0.0, 0.03], 0.22, 0.14)
    # Broader nasal tip and alae.
    d[:, 0] += 0.22 * s * (p[:, 0] - tip[0]) * _gauss(p, tip + [0.0, 0.04], 0.22, 0.12)
    # Broad, flat nasal bridge: widen the dorsum between the eyes.
    bridge = a.u[NOSE_BRIDGE]
    d[:, 0] += 0.25 * s * (p[:, 0] - bridge[0]) * _gauss(p, bridge, 0.09, 0.16)
    return d


def _wide_mouth(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Each corner moves out by 7.5 % * s of the mouth width: the mouth is 15 % * s wider.
    centre, half = a.mouth_centre, a.mouth_half_width
    d = np.zeros_like(p)
    d[:, 0] = (
        0.075
        * s
        * 2
        * half
        * _sat((p[:, 0] - centre[0]) / half)
        * np.exp(-0.5 * ((p[:, 1] - centre[1]) / 0.3) ** 2)
    )
    return d


def _lip_profile(a: Anatomy, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(t, window): t = -1 at the upper lip's top edge, 0 on the lip line, +1 at the lower
    lip's bottom edge; window fades out beyond the mouth corners."""
    line = a.lip_line_y
    upper = max(line - float(a.u[UPPER_LIP_TOP, 1]), 0.03)
    lower = max(float(a.u[LOWER_LIP_BOTTOM, 1]) - line, 0.03)
    dy = p[:, 1] - line
    t = np.where(dy < 0, dy / upper, dy / lower)
    scale = np.where(dy < 0, upper, lower)
    window = np.exp(-0.5 * ((p[:, 0] - a.mouth_centre[0]) / (1.1 * a.mouth_half_width)) ** 2)
    return t, scale * window


def _full_lips(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Both vermilions 35 % * s thicker; the lip line itself stays, so the mouth stays shut.
    t, scale = _lip_profile(a, p)
    d = np.zeros_like(p)
    d[:, 1] = 0.35 * s * scale * _sat(t)
    return d


def _small_pointed_chin(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    chin = a.u[CHIN_BOTTOM]
    height = max(float(chin[1] - a.u[LOWER_LIP_BOTTOM, 1]), 0.1)
    d = np.zeros_like(p)
    d[:, 1] -= 0.18 * s * height * _gauss(p, chin, 0.35, 0.25)
    d[:, 0] -= 0.22 * s * (p[:, 0] - chin[0]) * _gauss(p, chin - [0.0, 0.12], 0.35, 0.25)
    return d


def _hypertelorism(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Each eye region (with its brow) moves out by up to 7 % * s of the IOD; measured from
    # the eye corners, the eyes end up ~10 % * s further apart.
    d = np.zeros_like(p)
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        d[:, 0] += 0.07 * s * side * _gauss(p, eye, 0.3, 0.3)
    return d


def _long_face(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Stretch vertically by 12 % * s between just below the eyes and just below the chin.
    start = 0.25
    end = float(a.u[CHIN_BOTTOM, 1]) + 0.25
    w1, w2 = 0.08, 0.15
    stretch = w1 * _softplus((p[:, 1] - start) / w1) - w2 * _softplus((p[:, 1] - end) / w2)
    d = np.zeros_like(p)
    d[:, 1] = 0.12 * s * stretch * np.exp(-0.5 * (p[:, 0] / 1.4) ** 2)
    return d


def _downslanting_fissures(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Rotate each eye region about the eye centre so the outer corner drops (~10 deg * s).
    # The window is narrow across so the nasal root between the eyes hardly moves.
    d = np.zeros_like(p)
    theta = 0.3 * s
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        weight = theta * side * _gauss(p, eye, 0.25, 0.16)
        d[:, 0] -= weight * (p[:, 1] - eye[1])
        d[:, 1] += weight * (p[:, 0] - eye[0])
    return d


def _thin_upper_lip(a: Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # The upper vermilion 40 % * s thinner: its top edge comes down towards the lip line.
    t, scale = _lip_profile(a, p)
    d = np.zeros_like(p)
    d[:, 1] = np.where(t < 0, -0.4 * s * scale * _sat(t), 0.0)
    return d


@dataclass(frozen=True)
class _Effect:
    field: Field
    regions: tuple[str, ...]


#: Every phenotype warp by name, with the facial regions it changes.
EFFECTS: dict[str, _Effect] = {
    "broad_forehead": _Effect(_broad_forehead, ("forehead",)),
    "periorbital_fullness": _Effect(_periorbital_fullness, ("periorbital",)),
    "short_upturned_nose": _Effect(_short_upturned_nose, ("nose",)),
    "wide_mouth": _Effect(_wide_mouth, ("mouth",)),
    "full_lips": _Effect(_full_lips, ("mouth",)),
    "small_pointed_chin": _Effect(_small_pointed_chin, ("chin",)),
    "hypertelorism": _Effect(_hypertelorism, ("periorbital",)),
    "long_face": _Effect(_long_face, ("nose", "mouth", "chin", "cheeks")),
    "downslanting_fissures": _Effect(_downslanting_fissures, ("periorbital",)),
    "thin_upper_lip": _Effect(_thin_upper_lip, ("mouth",)),
}
WBS_EFFECTS = (
    "broad_forehead",
    "periorbital_fullness",
    "short_upturned_nose",
    "wide_mouth",
    "full_lips",
    "small_pointed_chin",
)
OTHER_EFFECTS = ("hypertelorism", "long_face", "downslanting_fissures", "thin_upper_lip")
assert all(r in REGION_NAMES for e in EFFECTS.values() for r in e.regions)


@dataclass(frozen=True)
class IdentityWarp:
    """A random, smooth change of face shape that makes a new "person" of a base photo.

    ``modes``: small signed amounts of every phenotype field (natural variation in mouth
    width, nose length, ...); ``bumps``: (centre, sigma, vector) Gaussian displacements in
    IOD units.
    """

    modes: dict[str, float] = field(default_factory=dict)
    bumps: tuple[tuple[np.ndarray, float, np.ndarray], ...] = ()

    @classmethod
    def random(
        cls, rng: np.random.Generator, anatomy_u: np.ndarray, scale: float = 1.0
    ) -> IdentityWarp:
        modes = {
            name: float(
                np.clip(
                    rng.normal(0.0, _IDENTITY_MODE_SD), -_IDENTITY_MODE_CLIP, _IDENTITY_MODE_CLIP
                )
            )
            * scale
            for name in EFFECTS
        }
        bumps = []
        for _ in range(_IDENTITY_BUMPS):
            centre = anatomy_u[int(rng.integers(len(anatomy_u)))].copy()
            sigma = float(rng.uniform(*_IDENTITY_BUMP_SIGMA))
            vector = rng.normal(0.0, _IDENTITY_BUMP_SD, size=2) * scale
            bumps.append((centre, sigma, vector))
        return cls(modes=modes, bumps=tuple(bumps))

    def displacement(self, anatomy: Anatomy, p: np.ndarray) -> np.ndarray:
        d = np.zeros_like(p)
        for name, amount in self.modes.items():
            if amount:
                d += EFFECTS[name].field(anatomy, p, amount)
        for centre, sigma, vector in self.bumps:
            d += vector * _gauss(p, centre, sigma, sigma)[:, None]
        return d


def _ring_points(
    landmarks: np.ndarray, factors: Sequence[float] = (1.3, 1.7), count: int = 28
) -> np.ndarray:
    """Points on the landmarks' convex hull scaled about its centre by ``factors``.

    They carry the smooth fields a little beyond the face (hair, ears, neck), so the change
    fades out gradually instead of across a few huge triangles reaching the border.
    """
    hull = cv2.convexHull(landmarks.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    closed = np.vstack([hull, hull[:1]])
    lengths = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(closed, axis=0), axis=1))]
    samples = np.linspace(0.0, lengths[-1], count, endpoint=False)
    outline = np.column_stack([np.interp(samples, lengths, closed[:, i]) for i in range(2)])
    centre = hull.mean(axis=0)
    return np.vstack([centre + f * (outline - centre) for f in factors])


def _padding(shape: tuple[int, ...], points: np.ndarray, displacement: np.ndarray) -> int:
    """Pixels of mirrored border the warp needs so that every mesh point, before and after
    its move, stays clear of the pinned frame (0 when the face is well inside the photo).

    Without it, the ring around a face that fills the photo (a tight crop, a face at the
    edge) is pushed across the frame points, the mesh folds and the whole phenotype was
    scaled down to avoid the fold: at "strength 0.8", 5 of the demo's 23 test photos were
    warped at 0.17-0.48.
    """
    height, width = shape[:2]
    room = 4.0 + 2.0 * float(np.abs(displacement).max(initial=0.0))
    moved = np.vstack([points, points + displacement])
    overshoot = max(
        room - moved[:, 0].min(),
        room - moved[:, 1].min(),
        moved[:, 0].max() - (width - 1) + room,
        moved[:, 1].max() - (height - 1) + room,
    )
    return max(0, math.ceil(overshoot))


def _regions_of(effects: Mapping[str, float]) -> dict[str, float]:
    regions: dict[str, float] = {}
    for name, strength in effects.items():
        for region in EFFECTS[name].regions:
            regions[region] = max(regions.get(region, 0.0), strength)
    return {r: regions[r] for r in REGION_NAMES if r in regions}


def apply_effects(
    image: np.ndarray,
    landmarks: np.ndarray,
    effects: Mapping[str, float],
    *,
    identity: IdentityWarp | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Warp a face with the named phenotype fields (name -> strength, usually 0-1).

    Returns the warped image, the 478 landmarks moved with it (float32) and the regions the
    effects change (region -> strength, in ``REGION_NAMES`` order). A face near the photo's
    edge is warped on a mirror-padded canvas (:func:`_padding`). Should the displacement
    still fold the mesh, it is scaled down until it does not, and the recorded strengths
    with it.
    """
    unknown = set(effects) - set(EFFECTS)
    if unknown:
        raise ValueError(f"unknown effects: {sorted(unknown)}")
    landmarks = np.asarray(landmarks, dtype=np.float64)
    frame = FaceFrame.from_landmarks(landmarks)
    anatomy = Anatomy(frame.to_frame(landmarks))
    ring = _ring_points(landmarks)
    points = np.vstack([landmarks, ring])
    p = frame.to_frame(points)
    d = np.zeros_like(p)
    for name, strength in effects.items():
        if strength:
            d += EFFECTS[name].field(anatomy, p, float(strength))
    if identity is not None:
        d += identity.displacement(anatomy, p)
    displacement = frame.to_pixels_vectors(d)

    pad = _padding(image.shape, points, displacement)
    canvas = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    factor = 1.0
    for _ in range(8):
        mesh = build_mesh(canvas.shape, points + pad, points + pad + factor * displacement)
        if min_area_ratio(mesh) > 0.2:
            break
        factor *= 0.6
    else:
        mesh = build_mesh(canvas.shape, points + pad, points + pad)
        factor = 0.0
    warped = np.ascontiguousarray(
        warp_mesh(canvas, mesh)[pad : pad + image.shape[0], pad : pad + image.shape[1]]
    )
    moved = (landmarks + factor * displacement[: len(landmarks)]).astype(np.float32)
    regions = _regions_of({k: round(v * factor, 3) for k, v in effects.items() if v > 0})
    return warped, moved, regions


def plan_effects(group: str, strength: float, rng: np.random.Generator) -> dict[str, float]:
    """The phenotype warps (name -> strength) one subject of ``group`` gets."""
    if group == "WBS":
        return {
            name: round(strength * float(rng.uniform(*_WBS_FEATURE_JITTER)), 3)
            for name in WBS_EFFECTS
        }
    if group == "other":
        count = int(rng.integers(1, 3))
        chosen = sorted(rng.choice(len(OTHER_EFFECTS), size=count, replace=False))
        return {OTHER_EFFECTS[i]: round(strength * float(rng.uniform(0.8, 1.0)), 3) for i in chosen}
    if group == "healthy":
        return {}
    raise ValueError(f"unknown group {group!r}; expected one of {GROUPS}")


def share_wbs_features(
    effects: Mapping[str, float], strength: float, probability: float, rng: np.random.Generator
) -> dict[str, float]:
    """An other-syndrome plan that, with ``probability``, also has one or two WBS features.

    A wide mouth or full lips alone is not the WBS gestalt: negatives that share a single
    feature or two with it teach the networks to need the features together, where natural
    faces vary along one or two of them (see docs/training.md). Nothing is drawn from
    ``rng`` when ``probability`` is 0, so plans without sharing stay as they were.
    """
    planned = dict(effects)
    if probability <= 0 or rng.random() >= probability:
        return planned
    count = int(rng.integers(1, 3))
    for i in sorted(rng.choice(len(WBS_EFFECTS), size=count, replace=False)):
        planned[WBS_EFFECTS[i]] = round(strength * float(rng.uniform(0.8, 1.0)), 3)
    return planned


def apply_gestalt(
    image: np.ndarray,
    landmarks: np.ndarray,
    group: str,
    strength: float,
    rng: np.random.Generator,
    *,
    identity_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Make a random subject of ``group`` from a face: phenotype warps plus identity warp.

    ``strength`` (0-1) scales the phenotype; ``identity_scale`` the random identity warp (0
    for none). Returns (warped image, warped landmarks (478, 2), region -> strength); the
    healthy group's region dict is empty.
    """
    effects = plan_effects(group, strength, rng)
    u = face_coordinates(landmarks)
    identity = IdentityWarp.random(rng, u, identity_scale) if identity_scale else None
    return apply_effects(image, landmarks, effects, identity=identity)
