"""The first stage of an analysis: a photo made ready for the networks.

faces -> largest face aligned to the template -> quality warnings -> the crop the networks
see (grey outside the face when the card says ``face_only``). Everything here runs on the
CPU and imports no torch, so that batch screening can run this stage in worker processes
that start fast and stay small (``outputs.batch_pipeline``), while ``analysis.analyze``
runs it in its own thread for one photo: the two share this code, not a copy of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from wbs_desktop.core.i18n import _
from wbs_desktop.core.pipeline.alignment import Aligned, align_face
from wbs_desktop.core.pipeline.imaging import ImageSource, load_image
from wbs_desktop.core.pipeline.landmarks import Face, detect_faces, require_faces
from wbs_desktop.core.pipeline.quality import Quality, assess
from wbs_desktop.core.pipeline.regions import face_only


class Stopwatch:
    """Seconds spent in each named stage (a stage entered twice adds up)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class Prepared:
    """One photo's largest face, aligned and checked; ``seen`` is the crop to score."""

    face: Face
    face_count: int
    aligned: Aligned
    quality: Quality
    seen: np.ndarray
    warnings: tuple[str, ...]
    photo_shape: tuple[int, int]
    timings: dict[str, float] = field(default_factory=dict)


def prepare(
    image: np.ndarray,
    input_size: int,
    *,
    mask_outside_face: bool,
    faces: list[Face] | None = None,
    watch: Stopwatch | None = None,
) -> Prepared:
    """Find, align and check the largest face of an RGB photo.

    ``faces`` may be passed when they were already detected. Raises ``NoFaceError`` when
    there is no face. Stage timings go to ``watch`` (a new one when None).
    """
    watch = watch or Stopwatch()
    with watch.stage("landmarks"):
        faces = require_faces(detect_faces(image) if faces is None else faces)
    face = faces[0]
    with watch.stage("alignment"):
        aligned = align_face(image, face, input_size)
    with watch.stage("quality"):
        quality = assess(face, aligned)
    with watch.stage("preprocess"):
        seen = face_only(aligned.image, aligned.landmarks) if mask_outside_face else aligned.image
    warnings = list(quality.warnings)
    if len(faces) > 1:
        warnings.insert(
            0,
            _(
                "{count} faces were found: only the largest was analysed. Crop the photo "
                "to the child's face for a reliable result."
            ).format(count=len(faces)),
        )
    return Prepared(
        face=face,
        face_count=len(faces),
        aligned=aligned,
        quality=quality,
        seen=seen,
        warnings=tuple(warnings),
        photo_shape=(int(image.shape[0]), int(image.shape[1])),
        timings=watch.timings,
    )


def prepare_file(source: ImageSource, input_size: int, mask_outside_face: bool) -> Prepared:
    """Decode a photo and :func:`prepare` it; the photo itself is dropped on return, so a
    batch holds only crops. Raises ``ImageError`` or ``NoFaceError`` with their sentence."""
    watch = Stopwatch()
    with watch.stage("decode"):
        image = load_image(source)
    return prepare(image, input_size, mask_outside_face=mask_outside_face, watch=watch)
