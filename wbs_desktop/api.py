"""The stable public API (the README's "How a photo is analysed"): tests, benchmarks and outside
scripts use these; names here keep their meaning across versions."""

from __future__ import annotations

from wbs_desktop.core.errors import (
    DeviceError,
    ImageError,
    ModelError,
    NoFaceError,
    WBSError,
    WeightsError,
)
from wbs_desktop.core.model.bundle import ModelBundle, load_model, save_bundle
from wbs_desktop.core.model.registry import default_model_path, installed_bundles
from wbs_desktop.core.pipeline.alignment import Aligned, align_face
from wbs_desktop.core.pipeline.analysis import Result, analyze
from wbs_desktop.core.pipeline.gradcam import grad_cam
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import Face, detect_faces

__all__ = [
    "Aligned",
    "DeviceError",
    "Face",
    "ImageError",
    "ModelBundle",
    "ModelError",
    "NoFaceError",
    "Result",
    "WBSError",
    "WeightsError",
    "align_face",
    "analyze",
    "default_model_path",
    "detect_faces",
    "grad_cam",
    "installed_bundles",
    "load_image",
    "load_model",
    "save_bundle",
]
