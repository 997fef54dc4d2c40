"""Face detection and 478 MediaPipe Face Mesh landmarks, in photo pixels.

Face Mesh on a whole photo misses faces that are small in it (a child at a distance, a group
photo, a 1080p frame). So faces are first located with MediaPipe's full-range and
short-range face detectors, and Face Mesh then runs on an enlarged square crop around each
detection, where the face fills the frame as the mesh model expects. Face Mesh on the whole
photo remains the fallback when no detector fires (extreme close-ups).

MediaPipe graphs are not thread-safe, so one lock guards them; the GUI's analysis worker
and batch worker may call :func:`detect_faces` concurrently.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from wbs_desktop.core.errors import NoFaceError
from wbs_desktop.core.i18n import _

# Quieten MediaPipe's C++ logging before it is imported (its INFO/WARNING lines would
# otherwise end up on the CLI's stderr, where one clear line per failure belongs).
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Bump when the way faces are found or their landmarks are computed changes (detectors,
# crops, fallbacks): training caches keyed on it are then rebuilt, not silently reused.
# 2: short-range detector only as a fallback (commit d8d1022).
DETECTION_VERSION = 2
NUM_LANDMARKS = 478

# Landmark ids (MediaPipe Face Mesh topology). "Right" is the subject's right, which is the
# left side of an unmirrored photo.
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (263, 362)
RIGHT_IRIS_CENTRE = 468
LEFT_IRIS_CENTRE = 473
NOSE_TIP = 1
RIGHT_MOUTH_CORNER = 61
LEFT_MOUTH_CORNER = 291
UPPER_LIP_INNER = 13
LOWER_LIP_INNER = 14
FOREHEAD_TOP = 10
CHIN_BOTTOM = 152

# The crop handed to Face Mesh is this many times the detector's box side, and is resized so
# its side is CROP_SIDE pixels: large enough for the mesh's own 192-256 px input.
_CROP_ENLARGEMENT = 2.2
_CROP_SIDE = 512
_DUPLICATE_IOU = 0.3
# Photos whose longer side exceeds this are searched tile by tile when the whole-photo
# detectors find nothing (a distant child in a 1080p frame).
_TILE_ABOVE = 1000
_TILE_MIN_SIDE = 512
_MIN_DETECTION_CONFIDENCE = 0.5
# The mesh's forehead-chin line leans back: a level head reads ~+7.6 degrees of pitch
# (median over 63 frontal photos), which is subtracted.
_PITCH_BIAS_DEGREES = 7.6


class EyeCentres:
    """Eye centres of anything holding 478 ``landmarks`` (a photo's face, an aligned crop)."""

    landmarks: np.ndarray

    @property
    def right_eye_centre(self) -> np.ndarray:
        """Midpoint of the subject's right eye corners (left in an unmirrored photo)."""
        return self.landmarks[list(RIGHT_EYE_CORNERS)].mean(axis=0)

    @property
    def left_eye_centre(self) -> np.ndarray:
        return self.landmarks[list(LEFT_EYE_CORNERS)].mean(axis=0)


@dataclass(frozen=True)
class Face(EyeCentres):
    """One face found in a photo.

    ``landmarks`` are (478, 2) pixel coordinates in the photo; ``depth`` the matching
    MediaPipe z values, scaled to pixels (smaller is nearer the camera). ``pose`` is
    (yaw, pitch, roll) in degrees: yaw > 0 when the face turns towards the photo's right,
    pitch > 0 when the chin lifts, roll > 0 when the head tilts clockwise in the photo.
    """

    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    depth: np.ndarray
    pose: tuple[float, float, float]
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def interocular_distance(self) -> float:
        return float(np.linalg.norm(self.left_eye_centre - self.right_eye_centre))

    def to_json(self) -> dict[str, Any]:
        return {
            "box": [round(float(v), 1) for v in self.box],
            "pose_degrees": {
                name: round(float(v), 1)
                for name, v in zip(("yaw", "pitch", "roll"), self.pose, strict=True)
            },
            "interocular_px": round(self.interocular_distance, 1),
            "confidence": round(float(self.confidence), 3),
        }


def estimate_pose(landmarks: np.ndarray, depth: np.ndarray) -> tuple[float, float, float]:
    """Yaw, pitch and roll in degrees from the 3-D mesh.

    The head's own axes are read off the mesh: x runs from the right eye to the left eye,
    y from the chin up to the forehead; their depth components give yaw and pitch, and the
    eye line's slope in the photo gives roll. Accurate to a few degrees, which is all a
    "use a frontal photo" warning needs.
    """
    points = np.column_stack([landmarks, depth]).astype(np.float64)
    right_eye = points[list(RIGHT_EYE_CORNERS)].mean(axis=0)
    left_eye = points[list(LEFT_EYE_CORNERS)].mean(axis=0)
    x_axis = left_eye - right_eye
    x_axis /= np.linalg.norm(x_axis) + 1e-9
    # Photo y grows downwards; the face's "up" is from chin towards forehead.
    y_axis = points[FOREHEAD_TOP] - points[CHIN_BOTTOM]
    y_axis -= x_axis * np.dot(y_axis, x_axis)
    y_axis /= np.linalg.norm(y_axis) + 1e-9
    # Turning the face towards the photo's right brings its left eye nearer: depth falls.
    yaw = math.degrees(math.asin(float(np.clip(-x_axis[2], -1.0, 1.0))))
    pitch = math.degrees(math.asin(float(np.clip(-y_axis[2], -1.0, 1.0)))) - _PITCH_BIAS_DEGREES
    roll = math.degrees(math.atan2(x_axis[1], x_axis[0]))
    return yaw, pitch, roll


class FaceFinder:
    """Holds the MediaPipe graphs (built on first use) behind one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # MediaPipe ships no type information, so its graphs stay untyped.
        self._mesh_single: Any = None
        self._mesh_multi: Any = None
        self._detectors: list[Any] = []

    def _ensure_loaded(self) -> None:
        if self._mesh_single is not None:
            return
        with _silenced_stderr():
            import mediapipe as mp  # deferred: importing it costs ~1 s

            face_mesh = mp.solutions.face_mesh
            self._mesh_single = face_mesh.FaceMesh(
                static_image_mode=True,
                refine_landmarks=True,
                max_num_faces=1,
                min_detection_confidence=_MIN_DETECTION_CONFIDENCE,
            )
            self._mesh_multi = face_mesh.FaceMesh(
                static_image_mode=True,
                refine_landmarks=True,
                max_num_faces=8,
                min_detection_confidence=_MIN_DETECTION_CONFIDENCE,
            )
            detection = mp.solutions.face_detection
            self._detectors = [
                detection.FaceDetection(
                    model_selection=selection, min_detection_confidence=_MIN_DETECTION_CONFIDENCE
                )
                for selection in (1, 0)  # full range (up to ~5 m), short range (close-ups)
            ]
            # Graphs open their models on background threads, which log as they do so; one
            # run of each waits for that to finish while stderr is still silenced.
            blank = np.zeros((64, 64, 3), dtype=np.uint8)
            for graph in (self._mesh_single, self._mesh_multi, *self._detectors):
                graph.process(blank)

    def warm_up(self) -> None:
        """Load the graphs now (the GUI calls this in the background at start)."""
        with self._lock, _silenced_stderr():
            self._ensure_loaded()

    def detect(self, image: np.ndarray) -> list[Face]:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError("detect_faces expects an HxWx3 uint8 RGB array")
        image = np.ascontiguousarray(image)
        with self._lock, _silenced_stderr():
            self._ensure_loaded()
            boxes = self._detect_boxes(image)
            if not boxes:
                boxes = self._detect_boxes_in_tiles(image)
            faces = [
                face
                for box, score in boxes
                if (face := self._mesh_in_crop(image, box, score)) is not None
            ]
            faces = _drop_duplicates(faces)
            if not faces:
                faces = self._mesh_whole(image)
        return sorted(faces, key=lambda f: f.area, reverse=True)

    def _detect_boxes(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
        height, width = image.shape[:2]
        found: list[tuple[np.ndarray, float]] = []
        for detector in self._detectors:
            if found:
                break  # the short-range detector only serves close-ups the other missed
            result = detector.process(image)
            for detection in result.detections or []:
                rel = detection.location_data.relative_bounding_box
                box = np.array(
                    [
                        rel.xmin * width,
                        rel.ymin * height,
                        (rel.xmin + rel.width) * width,
                        (rel.ymin + rel.height) * height,
                    ]
                )
                score = float(detection.score[0]) if detection.score else 0.0
                if all(_iou(box, other) < _DUPLICATE_IOU for other, _ in found):
                    found.append((box, score))
        return found

    def _detect_boxes_in_tiles(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """Detector runs on overlapping tiles of a large photo, for faces too small to be
        seen once the whole photo is shrunk to the detector's 192-pixel input."""
        height, width = image.shape[:2]
        if max(height, width) <= _TILE_ABOVE:
            return []
        side = max(_TILE_MIN_SIDE, min(height, width) // 2)
        stride = int(side * 0.75)
        found: list[tuple[np.ndarray, float]] = []
        for y in _tile_starts(height, side, stride):
            for x in _tile_starts(width, side, stride):
                tile = np.ascontiguousarray(image[y : y + side, x : x + side])
                for box, score in self._detect_boxes(tile):
                    box = box + [x, y, x, y]
                    if all(_iou(box, other) < _DUPLICATE_IOU for other, _ in found):
                        found.append((box, score))
        return found

    def _mesh_in_crop(self, image: np.ndarray, box: np.ndarray, score: float) -> Face | None:
        centre = (box[:2] + box[2:]) / 2
        side = max(box[2] - box[0], box[3] - box[1]) * _CROP_ENLARGEMENT
        scale = _CROP_SIDE / side
        # Photo -> crop: uniform scale about the box centre; borders outside the photo are
        # filled by replication so the mesh does not see a hard black edge.
        matrix = np.array(
            [
                [scale, 0.0, _CROP_SIDE / 2 - scale * centre[0]],
                [0.0, scale, _CROP_SIDE / 2 - scale * centre[1]],
            ]
        )
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        crop = cv2.warpAffine(
            image,
            matrix,
            (_CROP_SIDE, _CROP_SIDE),
            flags=interpolation,
            borderMode=cv2.BORDER_REPLICATE,
        )
        result = self._mesh_single.process(crop)
        if not result.multi_face_landmarks:
            return None
        raw = _landmark_array(result.multi_face_landmarks[0], _CROP_SIDE, _CROP_SIDE)
        landmarks = (raw[:, :2] - matrix[:, 2]) / scale
        depth = raw[:, 2] / scale
        return _make_face(landmarks, depth, score)

    def _mesh_whole(self, image: np.ndarray) -> list[Face]:
        height, width = image.shape[:2]
        result = self._mesh_multi.process(image)
        faces = []
        for mesh in result.multi_face_landmarks or []:
            raw = _landmark_array(mesh, width, height)
            faces.append(_make_face(raw[:, :2], raw[:, 2], 1.0))
        return _drop_duplicates(faces)


@contextmanager
def _silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration.

    MediaPipe's C++ side prints INFO/WARNING lines straight to descriptor 2 when it builds
    and first runs its graphs; the CLI owes its users one clear line per failure. Python's
    own exceptions are unaffected (they propagate, they are not printed here).
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _tile_starts(length: int, side: int, stride: int) -> list[int]:
    if length <= side:
        return [0]
    return sorted({*range(0, length - side, stride), length - side})


def _landmark_array(mesh: Any, width: int, height: int) -> np.ndarray:
    # MediaPipe's z shares x's scale (normalised by the image width).
    return np.array(
        [(p.x * width, p.y * height, p.z * width) for p in mesh.landmark], dtype=np.float64
    )


def _make_face(landmarks: np.ndarray, depth: np.ndarray, confidence: float) -> Face:
    landmarks = landmarks.astype(np.float32)
    x0, y0 = landmarks.min(axis=0)
    x1, y1 = landmarks.max(axis=0)
    return Face(
        box=(float(x0), float(y0), float(x1), float(y1)),
        landmarks=landmarks,
        depth=depth.astype(np.float32),
        pose=estimate_pose(landmarks, depth),
        confidence=confidence,
    )


def _iou(a: np.ndarray | tuple[float, ...], b: np.ndarray | tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _drop_duplicates(faces: list[Face]) -> list[Face]:
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: f.confidence, reverse=True):
        if all(_iou(face.box, other.box) < _DUPLICATE_IOU for other in kept):
            kept.append(face)
    return kept


_finder = FaceFinder()


def detect_faces(image: np.ndarray) -> list[Face]:
    """All faces in an RGB photo, largest first (possibly an empty list)."""
    return _finder.detect(image)


def require_faces(faces: list[Face]) -> list[Face]:
    """``faces`` unchanged, or :class:`NoFaceError` when it is empty."""
    if not faces:
        raise NoFaceError(
            _(
                "No face was found in this photo. Use a well-lit frontal photo in which the "
                "whole face is visible."
            )
        )
    return faces


def warm_up() -> None:
    """Load MediaPipe now rather than at the first photo."""
    _finder.warm_up()
