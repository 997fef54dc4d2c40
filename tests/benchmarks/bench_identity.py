"""How well the case's "different person" check separates people, on real photos.

Every photo of ``../shared/faces`` and ``../shared/faces-extra`` with exactly one face is
aligned as the app aligns it and described by ``identity.face_texture``. Pairs of photos of
one person (``training/identities/shared_faces.csv``) are compared with pairs of two people:
- over all pairs;
- for pairs within ``faces/`` alone, one photo collection, where the other person is
  photographed alike (the harder case);
- for the Procrustes distance of the landmarks, the check the issue first suggested.

It prints the AUC and, at the app's :data:`identity.THRESHOLD`, the share of same-person
pairs it flags (false alarms) and of different-person pairs (catches). It also prints
the same-person 99th percentile, over all 14 people and leaving each person out in turn.
A benchmark, not a test: exits 0; without ``../shared`` it says so.

    .venv/bin/python tests/benchmarks/bench_identity.py
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from wbs_desktop.core.case.identity import THRESHOLD, face_texture, odd_ones, texture_distance
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import detect_faces

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
# Rigid landmarks (eye corners, nose, face outline, brows): expression moves them least.
CROP_SIZES = (224, 112)  # the input sizes of the bundles: 224 by default, 112 the demo's
RIGID = [33, 133, 263, 362, 1, 4, 168, 6, 234, 454, 152, 10, 70, 300, 105, 334, 127, 356]


def _photos() -> list[tuple[str, str, list[np.ndarray], np.ndarray]]:
    """(file, person, aligned crops at :data:`CROP_SIZES`, landmarks) of every one-face
    photo."""
    people = {
        row["file"]: row["identity"]
        for row in csv.DictReader(open(REPO / "training/identities/shared_faces.csv"))
    }
    found = []
    for folder in (SHARED / "faces", SHARED / "faces-extra"):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
                continue
            try:
                image = load_image(path)
                faces = detect_faces(image)
            except WBSError:
                continue
            if len(faces) == 1:
                person = people.get(path.name, f"{folder.name}/{path.stem}")
                crops = [align_face(image, faces[0], size).image for size in CROP_SIZES]
                found.append((path.name, person, crops, faces[0].landmarks[:, :2]))
    return found


def _procrustes(a: np.ndarray, b: np.ndarray) -> float:
    def standard(x: np.ndarray) -> np.ndarray:
        x = x - x.mean(0)
        return x / np.sqrt((x**2).sum(1).mean())

    a, b = standard(a[RIGID]), standard(b[RIGID])
    u, _, vt = np.linalg.svd(a.T @ b)
    return float(np.sqrt(((a @ (u @ vt) - b) ** 2).sum(1).mean()))


def _pairs(
    people: Sequence[str],
    values: Sequence[object],
    distance: Callable[..., float],
    keep: Sequence[bool],
) -> tuple[np.ndarray, np.ndarray]:
    same, different = [], []
    for i, j in itertools.combinations(range(len(people)), 2):
        if keep[i] and keep[j]:
            d = distance(values[i], values[j])
            (same if people[i] == people[j] else different).append(d)
    return np.array(same), np.array(different)


def _line(name: str, same: np.ndarray, different: np.ndarray, threshold: float | None) -> str:
    auc = roc_auc_score([0] * len(same) + [1] * len(different), np.concatenate([same, different]))
    text = f"| {name} | {len(same)} / {len(different)} | {auc:.3f} |"
    if threshold is None:
        return text + " - | - |"
    return text + f" {np.mean(same > threshold):.1%} | {np.mean(different > threshold):.1%} |"


def _cases(people: Sequence[str], textures: Sequence[np.ndarray]) -> str:
    """Cases of three photos as ``odd_ones`` judges them: every pair of one person's photos
    with each photo of someone else (is the stranger flagged?), and every three photos of
    one person (is anyone flagged?)."""
    by_person: dict[str, list[int]] = {}
    for index, person in enumerate(people):
        by_person.setdefault(person, []).append(index)
    caught, mixed, alarms, genuine = 0, 0, 0, 0
    for person, own in by_person.items():
        for pair in itertools.combinations(own, 2):
            for stranger in (i for i, p in enumerate(people) if p != person):
                flagged = odd_ones([textures[i] for i in (*pair, stranger)])
                caught += 2 in flagged
                mixed += 1
        for three in itertools.combinations(own, 3):
            alarms += bool(odd_ones([textures[i] for i in three]))
            genuine += 1
    return (
        f"cases of three photos: the stranger flagged in {caught / mixed:.1%} of {mixed} "
        f"mixed cases; a warning in {alarms / max(genuine, 1):.1%} of {genuine} cases of one "
        "person"
    )


def main() -> None:
    if not (SHARED / "faces").is_dir():
        print(f"{SHARED / 'faces'} is absent: nothing to measure")
        return
    photos = _photos()
    people = [person for _, person, _, _ in photos]
    landmarks = [marks for *_, marks in photos]
    everyone = [True] * len(photos)
    one_collection = [not person.startswith("faces-extra/") for person in people]
    print(f"{len(photos)} one-face photos, {len(set(people))} people; threshold {THRESHOLD}")
    for index, size in enumerate(CROP_SIZES):
        textures = [face_texture(crops[index]) for _, _, crops, _ in photos]
        print(
            f"\ncrops of {size} px\n\n"
            "| distance | same / different pairs | AUC | same flagged | different flagged |\n"
            "|---|---:|---:|---:|---:|"
        )
        same, different = _pairs(people, textures, texture_distance, everyone)
        print(_line("texture, all pairs", same, different, THRESHOLD))
        print(
            _line(
                "texture, within faces/",
                *_pairs(people, textures, texture_distance, one_collection),
                THRESHOLD,
            )
        )
        print(_cases(people, textures))
        print(f"same-person texture distance, 99th percentile: {np.percentile(same, 99):.1f}")
        repeated = sorted({p for p in people if people.count(p) > 1})
        left_out = []
        for person in repeated:
            keep = [p != person for p in people]
            others, _ = _pairs(people, textures, texture_distance, keep)
            left_out.append(np.percentile(others, 99))
        print(
            f"... with each of the {len(repeated)} people left out in turn: "
            f"{min(left_out):.1f}-{max(left_out):.1f}"
        )
    geometry = _pairs(people, landmarks, _procrustes, everyone)
    print(f"\nlandmarks (Procrustes): {_line('all pairs', *geometry, None)}")


if __name__ == "__main__":
    main()
