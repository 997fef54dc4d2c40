"""The data set: synthetic subjects rendered to JPEGs, the manifest and ``synth_info.json``.

Output is deterministic for a seed: same seed, same bytes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from training.synth.augmentation import photograph
from training.synth.bases import (
    BaseFace,
    base_identities,
    base_schedule,
    default_bases,
    prepare_base,
)
from training.synth.face_frame import face_coordinates
from training.synth.phenotypes import (
    EFFECTS,
    GROUPS,
    OTHER_EFFECTS,
    WBS_EFFECTS,
    IdentityWarp,
    apply_effects,
    plan_effects,
    share_wbs_features,
)
from wbs_desktop.core.files import write_csv

#: Bump when a change alters the images a seed produces.
GENERATOR_VERSION = 2
OUTPUT_SIZE = 384
MANIFEST_COLUMNS = (
    "path",
    "group",
    "subject",
    "identity",
    "base",
    "warped_regions",
    "seed",
    "effects",
)

# A subject's phenotype strength s: WBS, other groups.
_WBS_STRENGTH = (0.5, 1.0)
_OTHER_STRENGTH = (0.5, 1.0)


@dataclass(frozen=True)
class Sample:
    """One synthetic photo before it is written."""

    jpeg: bytes
    group: str
    effects: dict[str, float]
    regions: dict[str, float]
    landmarks: np.ndarray  # in the output picture (after the flip)


def render_sample(
    base: BaseFace,
    group: str,
    subject_rng: np.random.Generator,
    photo_rng: np.random.Generator,
    size: int = OUTPUT_SIZE,
    other_shares_wbs: float = 0.0,
) -> Sample:
    """One photo of one synthetic subject.

    ``subject_rng`` decides the subject (identity warp, phenotype, strength) and must be
    seeded alike for every photo of that subject; ``photo_rng`` decides the photo. An other
    subject also gets WBS features with probability ``other_shares_wbs``
    (:func:`~training.synth.phenotypes.share_wbs_features`).
    """
    low, high = _WBS_STRENGTH if group == "WBS" else _OTHER_STRENGTH
    strength = float(subject_rng.uniform(low, high))
    effects = plan_effects(group, strength, subject_rng)
    if group == "other":
        effects = share_wbs_features(effects, strength, other_shares_wbs, subject_rng)
    identity = IdentityWarp.random(subject_rng, face_coordinates(base.landmarks))
    warped, landmarks, regions = apply_effects(
        base.image, base.landmarks, effects, identity=identity
    )
    jpeg, placed = photograph(warped, landmarks, photo_rng, size)
    return Sample(jpeg=jpeg, group=group, effects=effects, regions=regions, landmarks=placed)


def _format_strengths(values: Mapping[str, float]) -> str:
    return ";".join(f"{name}:{value:.2f}" for name, value in values.items())


def _seed_of(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0])


def _software_versions() -> dict[str, str]:
    import scipy

    versions = {"numpy": np.__version__, "opencv": cv2.__version__, "scipy": scipy.__version__}
    try:
        from importlib.metadata import version

        versions["mediapipe"] = version("mediapipe")
    except Exception:  # pragma: no cover - metadata missing in a frozen build
        pass
    return versions


def generate(
    out_dir: str | os.PathLike[str],
    per_class: int,
    bases: Sequence[str | os.PathLike[str]] | None = None,
    seed: int = 0,
    progress: bool = True,
    *,
    photos_per_subject: int = 1,
    size: int = OUTPUT_SIZE,
    identities: Mapping[str, str] | None = None,
    other_shares_wbs: float = 0.0,
) -> Path:
    """Write ``per_class`` JPEGs per group under ``out_dir/<group>/`` and a manifest.

    ``bases`` are the base photos (default: :func:`default_bases`); pass disjoint lists to
    keep training and test identities apart. Each person is used equally often in every
    group (who it is must not predict the group; see :func:`base_schedule`). Every row
    names the person its base photo shows (``identities``: file name -> person, see
    :func:`base_identities`), so that ``cv`` keeps each person on one side of every split.
    Subject ``k`` gets its randomness from (``seed``, ``k``) and photo ``i`` from
    (``seed``, ``i``), so a seed always yields the same bytes. Bases without a usable face
    are skipped and listed in ``synth_info.json``. ``other_shares_wbs``: the share of other
    subjects that also get one or two WBS features (:func:`render_sample`).
    Returns the manifest's path.
    """
    if per_class < 1:
        raise ValueError("per_class must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if photos_per_subject < 1:
        raise ValueError("photos_per_subject must be at least 1")
    if not 0.0 <= other_shares_wbs <= 1.0:
        raise ValueError("other_shares_wbs must be between 0 and 1")
    from tqdm import tqdm

    out = Path(out_dir)
    base_paths = [Path(b) for b in (default_bases() if bases is None else bases)]
    if not base_paths:
        raise ValueError("no base photos given")
    started = time.perf_counter()
    usable: list[BaseFace] = []
    skipped: list[dict[str, str]] = []
    for path in tqdm(base_paths, desc="base faces", unit="photo", disable=not progress):
        try:
            usable.append(prepare_base(path))
        except ValueError as error:
            skipped.append({"base": path.name, "reason": str(error)})
    if not usable:
        raise ValueError(
            "none of the base photos has a usable face: "
            + "; ".join(f"{s['base']}: {s['reason']}" for s in skipped)
        )

    identity_of, merged = base_identities(usable, identities)
    schedule = base_schedule(usable, identity_of, np.random.default_rng(_seed_of(seed, 0xBA5E)))
    subjects_per_group = -(-per_class // photos_per_subject)
    for group in GROUPS:
        (out / group).mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    index = 0
    with tqdm(total=per_class * len(GROUPS), desc="synth", unit="img", disable=not progress) as bar:
        for k in range(subjects_per_group):
            base = schedule(k)
            for g, group in enumerate(GROUPS):
                subject_number = k * len(GROUPS) + g
                subject = f"syn{seed}-{subject_number:05d}"
                subject_seed = _seed_of(seed, 1, subject_number)
                photos = min(photos_per_subject, per_class - k * photos_per_subject)
                for _ in range(photos):
                    photo_seed = _seed_of(seed, 2, index)
                    sample = render_sample(
                        base,
                        group,
                        np.random.default_rng(subject_seed),
                        np.random.default_rng(photo_seed),
                        size,
                        other_shares_wbs,
                    )
                    relative = f"{group}/{index:06d}.jpg"
                    (out / relative).write_bytes(sample.jpeg)
                    rows.append(
                        {
                            "path": relative,
                            "group": group,
                            "subject": subject,
                            "identity": identity_of[base.name],
                            "base": base.name,
                            "warped_regions": _format_strengths(sample.regions),
                            "seed": str(photo_seed),
                            "effects": _format_strengths(sample.effects),
                        }
                    )
                    index += 1
                    bar.update(1)

    rows.sort(key=lambda r: r["path"])
    manifest = write_csv(out / "manifest.csv", rows, MANIFEST_COLUMNS)

    info: dict[str, Any] = {
        "generator": "training.synth",
        "generator_version": GENERATOR_VERSION,
        "arguments": {
            "per_class": per_class,
            "seed": seed,
            "photos_per_subject": photos_per_subject,
            "size": size,
            "other_shares_wbs": other_shares_wbs,
            "bases": [str(p) for p in base_paths],
        },
        "counts": {g: sum(r["group"] == g for r in rows) for g in GROUPS},
        "subjects": {g: len({r["subject"] for r in rows if r["group"] == g}) for g in GROUPS},
        "bases_used": [
            {
                "base": b.name,
                "interocular_px": round(b.source_iod, 1),
                "pose_degrees": [round(float(v), 1) for v in b.pose],
                "images": sum(r["base"] == b.name for r in rows),
            }
            for b in usable
        ],
        "skipped": skipped,
        "identities": identity_of,
        "merged_copies": merged,
        "effects": {"WBS": list(WBS_EFFECTS), "other": list(OTHER_EFFECTS), "healthy": []},
        "effect_regions": {name: list(e.regions) for name, e in EFFECTS.items()},
        "software": _software_versions(),
    }
    (out / "synth_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    if progress:
        elapsed = time.perf_counter() - started
        print(
            f"wrote {len(rows)} images to {out} in {elapsed:.1f} s "
            f"({len(usable)} base faces, {len(skipped)} skipped)",
            file=sys.stderr,
        )
    return manifest
