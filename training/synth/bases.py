"""Base photos: finding them, naming the person in each, and cutting a working crop around
each face. Every synthetic subject is one base photo plus an identity warp.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from training.synth.warp import area_shrink
from wbs_desktop.core.pipeline.imaging import SUPPORTED_SUFFIXES, load_image
from wbs_desktop.core.pipeline.landmarks import detect_faces

# Base photos are brought to this inter-ocular distance before warping (a face ~230 px
# wide): above the largest face the output shows, small enough to warp in a few ms.
WORK_IOD = 100.0
# Working crop side, in multiples of the landmark box's longer side: enough context for the
# smallest, most rotated face in the output.
_WORK_CROP = 2.4
# Bases whose face turns further than this are skipped: the warps assume a frontal face.
_MAX_BASE_YAW = 25.0
_MIN_BASE_IOD = 30.0


def default_bases() -> list[Path]:
    """The two public-domain portraits that ship with scikit-image and matplotlib."""
    from matplotlib import cbook

    bases: list[Path] = []
    try:
        import skimage.data

        bases.append(Path(skimage.data.__file__).parent / "astronaut.png")
    except ImportError:  # scikit-image is a test dependency only
        pass
    bases.append(Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    return [b for b in bases if b.is_file()]


def find_bases(*folders: str | os.PathLike[str]) -> list[Path]:
    """Photos directly in each folder (supported suffixes), sorted by name, folder by folder.

    File names must be unique across the folders: an identity map names photos by file
    name."""
    bases: list[Path] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise ValueError(f"{folder} is not a folder")
        bases += sorted(
            p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
        )
    names = [b.name for b in bases]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"two folders hold a photo named {clash[0]}; rename one")
    return bases


def read_identities(path: str | os.PathLike[str]) -> dict[str, str]:
    """An identity map: a CSV with the columns ``file`` (a base photo's file name) and
    ``identity`` (a name for the person, shared by all photos of that person)."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"the identity map {path} cannot be read: {error}") from error
    if not rows or not {"file", "identity"} <= set(rows[0]):
        raise ValueError(f"the identity map {path} needs the columns file and identity")
    return {row["file"].strip(): row["identity"].strip() for row in rows}


@dataclass(frozen=True)
class BaseFace:
    """One base identity: a working crop around its face and the landmarks in it."""

    name: str
    image: np.ndarray
    landmarks: np.ndarray
    source_iod: float
    pose: tuple[float, float, float]


def prepare_base(path: str | os.PathLike[str]) -> BaseFace:
    """Detect the largest face of a photo and cut a working crop around it.

    The crop is scaled so the inter-ocular distance is ~100 px. Raises ValueError with the
    reason when the photo cannot serve as a base.
    """
    path = Path(path)
    try:
        image = load_image(path)
    except Exception as error:  # ImageError, or anything a hostile file provokes
        raise ValueError(f"could not be read: {error}") from error
    faces = detect_faces(image)
    if not faces:
        raise ValueError("no face found")
    face = faces[0]
    if abs(face.pose[0]) > _MAX_BASE_YAW:
        raise ValueError(f"face turned too far (yaw {face.pose[0]:.0f} degrees)")
    if face.interocular_distance < _MIN_BASE_IOD:
        raise ValueError(f"face too small (eyes {face.interocular_distance:.0f} px apart)")
    landmarks = face.landmarks.astype(np.float64)
    scale = WORK_IOD / face.interocular_distance
    centre = np.array([(face.box[0] + face.box[2]) / 2, (face.box[1] + face.box[3]) / 2])
    side = int(round(_WORK_CROP * max(face.width, face.height) * scale))
    source = image
    if scale < 0.5:  # shrink with area averaging first: bilinear sampling would alias
        source, fx, fy = area_shrink(image, 2 * scale)
        pre = np.array([[fx, 0.0, 0.5 * fx - 0.5], [0.0, fy, 0.5 * fy - 0.5]])
    else:
        pre = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    photo_to_crop = np.array(
        [[scale, 0.0, side / 2 - scale * centre[0]], [0.0, scale, side / 2 - scale * centre[1]]]
    )
    # source -> photo -> crop
    pre_inv = cv2.invertAffineTransform(pre)
    matrix = np.hstack(
        [
            photo_to_crop[:, :2] @ pre_inv[:, :2],
            (photo_to_crop[:, :2] @ pre_inv[:, 2] + photo_to_crop[:, 2])[:, None],
        ]
    )
    crop = cv2.warpAffine(
        source, matrix, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
    )
    crop_landmarks = landmarks @ photo_to_crop[:, :2].T + photo_to_crop[:, 2]
    return BaseFace(
        name=path.name,
        image=crop,
        landmarks=crop_landmarks,
        source_iod=face.interocular_distance,
        pose=face.pose,
    )


def base_identities(
    bases: Sequence[BaseFace], known: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[list[str]]]:
    """The person each base photo shows, by file name, and the photos merged as copies.

    ``known`` names people (file name -> identity); other photos are their own person,
    named by file stem. Photos that are the same picture (mirrored, resized or re-encoded
    copies, found by perceptual hash) are merged into one person: a mirror image of a
    photo is not a new face.
    """
    from training.duplicates import near_duplicates, perceptual_hashes

    identity = {b.name: (known or {}).get(b.name) or Path(b.name).stem for b in bases}
    merged = []
    for i, j in near_duplicates([perceptual_hashes(b.image) for b in bases]):
        first, second = bases[i].name, bases[j].name
        merged.append([first, second])
        old, new = identity[second], identity[first]
        identity = {name: new if person == old else person for name, person in identity.items()}
    return identity, merged


def base_schedule(
    bases: Sequence[BaseFace], identity_of: Mapping[str, str], rng: np.random.Generator
) -> Callable[[int], BaseFace]:
    """Which base photo subject ``k`` is made from: people take turns, in a random order,
    and each person's photos take turns. So every person is used about equally often,
    however many photos of them there are: a person with many photos would otherwise fill a
    cross-validation fold alone."""
    people: dict[str, list[BaseFace]] = {}
    for base in bases:
        people.setdefault(identity_of[base.name], []).append(base)
    order = [people[name] for name in sorted(people)]
    order = [order[i] for i in rng.permutation(len(order))]

    def base_of(k: int) -> BaseFace:
        photos = order[k % len(order)]
        return photos[(k // len(order)) % len(photos)]

    return base_of
