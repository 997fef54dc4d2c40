"""The face coordinate frame the warps are written in, and a face's anatomy in that frame.

Every displacement field is defined in face coordinates whose unit is the inter-ocular
distance (IOD), so it scales with the face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wbs_desktop.core.pipeline.landmarks import (
    LEFT_EYE_CORNERS,
    LEFT_MOUTH_CORNER,
    RIGHT_EYE_CORNERS,
    RIGHT_MOUTH_CORNER,
)

# MediaPipe Face Mesh landmark ids (beyond those wbs_desktop.core.pipeline.landmarks names).
RIGHT_BROW = (70, 63, 105, 66, 107)
LEFT_BROW = (300, 293, 334, 296, 336)
NOSE_ROOT = 168
NOSE_BRIDGE = 6
PRONASALE = 4
UPPER_LIP_TOP = 0
LOWER_LIP_BOTTOM = 17
INNER_UPPER_LIP = 13
INNER_LOWER_LIP = 14


@dataclass(frozen=True)
class FaceFrame:
    """Face coordinates: origin between the eye centres, unit = inter-ocular distance,
    x from the subject's right eye to the left eye, y perpendicular towards the mouth.

    In a mirrored photo the frame is left-handed; every phenotype field is written so that
    this does not matter.
    """

    origin: np.ndarray
    axes: np.ndarray  # rows: unit x, unit y (photo pixels)
    iod: float

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray) -> FaceFrame:
        points = np.asarray(landmarks, dtype=np.float64)
        right = points[list(RIGHT_EYE_CORNERS)].mean(axis=0)
        left = points[list(LEFT_EYE_CORNERS)].mean(axis=0)
        iod = float(np.linalg.norm(left - right))
        if iod < 1e-6:
            raise ValueError("the eyes coincide: not a usable face")
        x_axis = (left - right) / iod
        y_axis = np.array([-x_axis[1], x_axis[0]])
        mouth = points[[RIGHT_MOUTH_CORNER, LEFT_MOUTH_CORNER]].mean(axis=0)
        if np.dot(mouth - (left + right) / 2, y_axis) < 0:
            y_axis = -y_axis
        return cls(origin=(left + right) / 2, axes=np.stack([x_axis, y_axis]), iod=iod)

    def to_frame(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=np.float64) - self.origin) @ self.axes.T / self.iod

    def to_pixels_vectors(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.axes * self.iod


@dataclass(frozen=True)
class Anatomy:
    """Reference positions of one face, in its own frame (IOD units)."""

    u: np.ndarray  # all landmarks in the frame

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.u[list(RIGHT_EYE_CORNERS)].mean(axis=0),
            self.u[list(LEFT_EYE_CORNERS)].mean(axis=0),
        )

    @property
    def brow_y(self) -> float:
        return float(self.u[list(RIGHT_BROW + LEFT_BROW)][:, 1].mean())

    @property
    def mouth_centre(self) -> np.ndarray:
        return self.u[[RIGHT_MOUTH_CORNER, LEFT_MOUTH_CORNER]].mean(axis=0)

    @property
    def mouth_half_width(self) -> float:
        return float(abs(self.u[LEFT_MOUTH_CORNER, 0] - self.u[RIGHT_MOUTH_CORNER, 0]) / 2)

    @property
    def lip_line_y(self) -> float:
        return float((self.u[INNER_UPPER_LIP, 1] + self.u[INNER_LOWER_LIP, 1]) / 2)


def face_coordinates(landmarks: np.ndarray) -> np.ndarray:
    """Landmarks in the face frame (origin between the eyes, unit = inter-ocular distance):
    what :meth:`training.synth.phenotypes.IdentityWarp.random` places its bumps with."""
    return FaceFrame.from_landmarks(landmarks).to_frame(landmarks)
