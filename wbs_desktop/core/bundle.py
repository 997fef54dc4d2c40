"""Model bundles: one ``.safetensors`` file holding one or more networks and their card.

The tensors of network ``i`` are stored under ``net<i>.<state_dict key>``; the model card
(a JSON object, see :func:`validate_card`) is stored under the metadata key ``wbs_card``.
safetensors holds plain tensors and a JSON header only, so loading a bundle cannot run
code. Before a bundle is used its SHA-256 is checked against the caller's value,
``index.json`` in the same folder or a ``<file>.sha256`` sidecar; then the card, the
tensor names, shapes and dtypes (against the card's architecture) and the values
(no NaN/Inf) are checked.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn as nn
import torchvision
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor

from .. import __version__
from .architectures import ARCHITECTURES, CAM_LAYERS, build_network, target_layer
from .errors import ModelError
from .scoring import to_input

FORMAT_VERSION = 2
CARD_KEY = "wbs_card"
INDEX_FILE = "index.json"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INTENDED_USE = (
    "Research and decision-support aid that flags a facial gestalt similar to "
    "Williams-Beuren syndrome in frontal photos of children, to prompt referral for genetic "
    "testing. It does not diagnose WBS; a negative result does not rule it out. Confirm with "
    "a genetic test (FISH, MLPA or chromosomal microarray for the 7q11.23 deletion)."
)
SYNTHETIC_NOTE = "Synthetic demonstration data - not for clinical use"
UNTRAINED_NOTE = "untrained: pipeline test only"
UNVALIDATED_NOTE = ("exported although its validation did not show it performs better than "
                    "chance - not for clinical use")

_CARD_FIELDS = (
    "format_version", "name", "architecture", "num_networks", "classes", "positive_class",
    "input_size", "normalization", "threshold", "threshold_rule", "calibration", "flip_tta",
    "intended_use", "status", "training_data", "cv_metrics", "operating_point", "training",
    "data_hash", "software", "created",
)  # fmt: skip
_STATUSES = ("trained", "untrained", "unvalidated")
_STORAGE_DTYPES = {"float32": torch.float32, "float16": torch.float16}
_CHUNK = 1 << 20


@dataclass
class ModelBundle:
    """A loaded bundle: networks in eval mode with frozen parameters, and their card."""

    path: Path | None
    sha256: str
    card: dict[str, Any]
    networks: list[nn.Module]
    target_layers: list[nn.Module]

    @property
    def name(self) -> str:
        return self.card["name"]

    @property
    def input_size(self) -> int:
        return self.card["input_size"]

    @property
    def positive_index(self) -> int:
        """Index of the positive (WBS) class in the networks' outputs."""
        return self.card["classes"].index(self.card["positive_class"])

    @property
    def device(self) -> torch.device:
        return next(self.networks[0].parameters()).device

    @property
    def provenance_note(self) -> str:
        """The sentence that must be shown with every score of this bundle ("" if none)."""
        if self.card["status"] == "untrained":
            return UNTRAINED_NOTE
        if self.card["status"] == "unvalidated":
            return UNVALIDATED_NOTE
        if self.card["training_data"]["synthetic"]:
            return SYNTHETIC_NOTE
        return ""

    @property
    def is_demo(self) -> bool:
        """True for untrained, unvalidated and synthetic-data bundles."""
        return bool(self.provenance_note)

    def preprocess(self, aligned_rgb: np.ndarray) -> Tensor:
        """Turn an aligned RGB uint8 crop into the normalised ``[1,3,S,S]`` float32 input."""
        if aligned_rgb.ndim != 3 or aligned_rgb.shape[2] != 3 or aligned_rgb.dtype != np.uint8:
            raise ValueError(
                f"expected an HxWx3 uint8 RGB image, got {aligned_rgb.dtype} {aligned_rgb.shape}"
            )
        size = self.input_size
        if aligned_rgb.shape[:2] != (size, size):
            aligned_rgb = cv2.resize(aligned_rgb, (size, size), interpolation=cv2.INTER_AREA)
        crops = torch.from_numpy(np.ascontiguousarray(aligned_rgb))[None]
        norm = self.card["normalization"]
        return to_input(crops, norm["mean"], norm["std"])

    def to(self, device: torch.device | str) -> ModelBundle:
        """Move every network (and so every target layer) to ``device``; returns self."""
        for network in self.networks:
            network.to(device)
        return self


# ---------------------------------------------------------------------------- model card


def _invalid(problem: str) -> ModelError:
    return ModelError(
        f"The model card is invalid ({problem}); ask the model's provider for a corrected file."
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _all_finite(tensor: Tensor) -> bool:
    """NaN/Inf check without a full-size temporary (vgg19's first classifier layer alone
    is 411 MB): a float sum is finite iff every element is (barring overflow, which the
    chunked recheck settles)."""
    flat = tensor.reshape(-1)
    if math.isfinite(float(flat.sum())):
        return True
    chunk = 1 << 20
    return all(bool(torch.isfinite(flat[i:i + chunk]).all()) for i in range(0, len(flat), chunk))


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _require_dict(card: Mapping[str, Any], key: str, fields: Sequence[str] = ()) -> dict:
    value = card[key]
    if not isinstance(value, dict):
        raise _invalid(f"{key} must be an object")
    missing = [f for f in fields if f not in value]
    if missing:
        raise _invalid(f"{key} lacks {', '.join(missing)}")
    return value


def validate_card(card: Any) -> dict[str, Any]:
    """Check every field of a model card; returns the card, raises ModelError on a problem."""
    if not isinstance(card, dict):
        raise _invalid("it is not a JSON object")
    missing = [key for key in _CARD_FIELDS if key not in card]
    if missing:
        raise _invalid(f"missing {', '.join(missing)}")
    version = card["format_version"]
    if not _is_int(version) or version != FORMAT_VERSION:
        raise ModelError(
            f"The model uses card format {version!r}, which this version of WBS Screen cannot "
            "read; update WBS Screen or use a model made for it."
        )
    if not _is_text(card["name"]):
        raise _invalid("name must be a non-empty text")
    if card["architecture"] not in ARCHITECTURES:
        raise _invalid(f"architecture {card['architecture']!r} is not one of {ARCHITECTURES}")
    if not _is_int(card["num_networks"]) or card["num_networks"] < 1:
        raise _invalid("num_networks must be a whole number of at least 1")
    classes = card["classes"]
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or not all(_is_text(c) for c in classes)
        or len(set(classes)) != len(classes)
    ):
        raise _invalid("classes must list at least two different class names")
    if card["positive_class"] not in classes:
        raise _invalid(f"positive_class {card['positive_class']!r} is not one of the classes")
    if not _is_int(card["input_size"]) or not 32 <= card["input_size"] <= 1024:
        raise _invalid("input_size must be a whole number of pixels from 32 to 1024")
    norm = _require_dict(card, "normalization", ("mean", "std"))
    for key in ("mean", "std"):
        values = norm[key]
        if not isinstance(values, list) or len(values) != 3 or not all(map(_is_number, values)):
            raise _invalid(f"normalization {key} must be three numbers")
    if not all(s > 0 for s in norm["std"]):
        raise _invalid("normalization std must be positive")
    if not _is_number(card["threshold"]) or not 0 < card["threshold"] < 1:
        raise _invalid("threshold must be a number between 0 and 1")
    if not _is_text(card["threshold_rule"]):
        raise _invalid("threshold_rule must say how the threshold was chosen")
    calibration = _require_dict(card, "calibration", ("method", "slope", "intercept"))
    if calibration["method"] != "platt":
        raise _invalid("calibration method must be 'platt'")
    # A Platt slope outside [0.001, 100] cannot come from a network's logits (they would
    # have to reach +-1000, or differ by 1/100 between a certain yes and a certain no).
    if not _is_number(calibration["slope"]) or not 1e-3 <= calibration["slope"] <= 100:
        raise _invalid("calibration slope must be a number from 0.001 to 100")
    if not _is_number(calibration["intercept"]) or abs(calibration["intercept"]) > 50:
        raise _invalid("calibration intercept must be a number from -50 to 50")
    prevalence = calibration.get("prevalence")
    if prevalence is not None and (not _is_number(prevalence) or not 0 < prevalence < 1):
        raise _invalid("calibration prevalence must be a fraction between 0 and 1")
    if not isinstance(card["flip_tta"], bool):
        raise _invalid("flip_tta must be true or false")
    if not _is_text(card["intended_use"]):
        raise _invalid("intended_use must state the intended use")
    if card["status"] not in _STATUSES:
        raise _invalid(f"status must be one of {_STATUSES}")
    if card.get("cam_layer", "final") not in CAM_LAYERS:
        raise _invalid(f"cam_layer must be one of {CAM_LAYERS}")
    if card.get("weights_dtype", "float32") not in _STORAGE_DTYPES:
        raise _invalid(f"weights_dtype must be one of {tuple(_STORAGE_DTYPES)}")
    data = _require_dict(card, "training_data", ("synthetic", "subjects", "description"))
    if not isinstance(data["synthetic"], bool):
        raise _invalid("training_data synthetic must be true or false")
    subjects = data["subjects"]
    if not isinstance(subjects, dict) or not all(
        isinstance(g, str) and _is_int(n) and n >= 0 for g, n in subjects.items()
    ):
        raise _invalid("training_data subjects must map group names to counts")
    if not isinstance(data["description"], str):
        raise _invalid("training_data description must be text")
    _require_dict(card, "cv_metrics")
    _require_dict(card, "operating_point")
    training = _require_dict(card, "training", ("command", "config"))
    if not isinstance(training["command"], str) or not isinstance(training["config"], dict):
        raise _invalid("training must hold a command text and a config object")
    if not isinstance(card["data_hash"], str):
        raise _invalid("data_hash must be text")
    software = _require_dict(card, "software", ("torch", "torchvision", "wbs_desktop"))
    if not all(isinstance(v, str) for v in software.values()):
        raise _invalid("software versions must be text")
    try:
        datetime.fromisoformat(card["created"])
    except (TypeError, ValueError):
        raise _invalid("created must be an ISO date such as 2025-01-31") from None
    return card


def default_card(architecture: str, name: str, **fields: Any) -> dict[str, Any]:
    """A valid card for an untrained single-network bundle, with ``fields`` overriding.

    Software versions and the creation date are filled in; unknown field names raise
    TypeError so that a misspelt override cannot slip through.
    """
    card: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "architecture": architecture,
        "num_networks": 1,
        "classes": ["other", "WBS"],
        "positive_class": "WBS",
        "input_size": 224,
        "normalization": {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        "threshold": 0.5,
        "threshold_rule": "default 0.5 (untrained)",
        "calibration": {"method": "platt", "slope": 1.0, "intercept": 0.0, "prevalence": None,
                        "fitted_on": "none: identity map"},
        "flip_tta": True,
        "weights_dtype": "float32",
        "cam_layer": "final",
        "intended_use": INTENDED_USE,
        "status": "untrained",
        "training_data": {"synthetic": False, "subjects": {}, "description": "none"},
        "cv_metrics": {},
        "operating_point": {},
        "training": {"command": "", "config": {}},
        "data_hash": "",
        "software": {
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "wbs_desktop": __version__,
        },
        "created": date.today().isoformat(),
    }
    unknown = sorted(set(fields) - set(card))
    if unknown:
        raise TypeError(f"unknown card field(s): {', '.join(unknown)}")
    card.update(fields)
    return validate_card(card)


# ------------------------------------------------------------------------------ checksums


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same folder, so readers never see a partial file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_index(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``folder/index.json`` (``{"bundles": {file name: {"sha256": ...}}}``).

    A missing index reads as ``{"bundles": {}}``.
    """
    path = Path(folder) / INDEX_FILE
    if not path.is_file():
        return {"bundles": {}}
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"The model list {path} is unreadable; reinstall the models.") from exc
    bundles = index.get("bundles") if isinstance(index, dict) else None
    if not isinstance(bundles, dict) or not all(isinstance(e, dict) for e in bundles.values()):
        raise ModelError(f"The model list {path} is damaged; reinstall the models.")
    return index


def write_index(folder: str | os.PathLike[str], entries: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write ``folder/index.json`` from ``{file name: {"sha256", "name", ...}}``."""
    path = Path(folder) / INDEX_FILE
    text = json.dumps({"bundles": entries}, indent=2, sort_keys=True) + "\n"
    _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def _expected_sha256(path: Path, expected: str | None) -> str:
    if expected is not None:
        return expected.strip().lower()
    entry = read_index(path.parent)["bundles"].get(path.name)
    if entry is not None and "sha256" in entry:
        return str(entry["sha256"]).strip().lower()
    sidecar = _sidecar(path)
    if sidecar.is_file():
        try:
            text = sidecar.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelError(
                f"The checksum file {sidecar} is unreadable; reinstall the model."
            ) from exc
        return (text.split() or [""])[0].lower()
    raise ModelError(
        f"The model file {path.name} has no checksum (no entry in {INDEX_FILE} and no "
        f"{sidecar.name}), so it cannot be trusted; reinstall it."
    )


# --------------------------------------------------------------------------------- tensors


def _check_tensors(tensors: Mapping[str, Tensor], card: Mapping[str, Any], label: str) -> None:
    """Names, shapes and dtypes must be exactly those of the card's networks; values finite."""
    with torch.device("meta"):
        reference = build_network(card["architecture"], len(card["classes"])).state_dict()
    expected = {
        f"net{i}.{key}": value
        for i in range(card["num_networks"])
        for key, value in reference.items()
    }
    missing = sorted(expected.keys() - tensors.keys())
    extra = sorted(tensors.keys() - expected.keys())
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"{len(missing)} weight tensors missing (e.g. {missing[0]})")
        if extra:
            problems.append(f"{len(extra)} unexpected weight tensors (e.g. {extra[0]})")
        raise ModelError(
            f"The model file {label} does not match its card ({card['architecture']}, "
            f"{card['num_networks']} networks): {' and '.join(problems)}; "
            "ask the model's provider for a corrected file."
        )
    stored_float = _STORAGE_DTYPES[card.get("weights_dtype", "float32")]
    for key, ref in expected.items():
        tensor = tensors[key]
        dtype = stored_float if ref.dtype.is_floating_point else ref.dtype
        if tensor.shape != ref.shape or tensor.dtype != dtype:
            raise ModelError(
                f"The model file {label} does not match its card: {key} is "
                f"{tensor.dtype} {tuple(tensor.shape)} where {card['architecture']} needs "
                f"{dtype} {tuple(ref.shape)}; ask the model's provider for a corrected file."
            )
        if tensor.is_floating_point() and not _all_finite(tensor):
            raise ModelError(
                f"The model file {label} holds invalid numbers (NaN or infinity) in {key}; "
                "it cannot be used, ask the model's provider for a corrected file."
            )


def _damaged(path: Path) -> ModelError:
    return ModelError(
        f"The model file {path.name} is damaged or not a WBS Screen model; "
        "reinstall it or choose another model file."
    )


def save_bundle(
    path: str | os.PathLike[str], networks: Sequence[nn.Module], card: Mapping[str, Any]
) -> str:
    """Write ``networks`` and ``card`` to one ``.safetensors`` file plus its ``.sha256``.

    Floating-point tensors are stored as the card's ``weights_dtype`` (float32 unless it
    asks for float16, which halves the file; loading turns them back into float32 for
    computing). The card and tensors are checked exactly
    as :func:`load_model` will check them, so a bundle that saves also loads. Returns the
    file's hex SHA-256.
    """
    path = Path(path)
    card = validate_card(json.loads(json.dumps(card)))
    if len(networks) != card["num_networks"]:
        raise ValueError(f"card says {card['num_networks']} networks, got {len(networks)}")
    tensors: dict[str, Tensor] = {}
    for i, network in enumerate(networks):
        for key, value in network.state_dict().items():
            tensor = value.detach().to("cpu")
            if tensor.is_floating_point():
                tensor = tensor.to(_STORAGE_DTYPES[card.get("weights_dtype", "float32")])
            tensors[f"net{i}.{key}"] = tensor.contiguous()
    _check_tensors(tensors, card, path.name)
    metadata = {CARD_KEY: json.dumps(card, sort_keys=True)}
    _atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=metadata))
    sha256 = file_sha256(path)
    sidecar_text = f"{sha256}  {path.name}\n"
    _atomic_write(_sidecar(path), lambda tmp: tmp.write_text(sidecar_text, encoding="utf-8"))
    return sha256


def load_model(path: str | os.PathLike[str], *, expected_sha256: str | None = None) -> ModelBundle:
    """Verify and load a bundle; every failure is a ModelError with a user-facing sentence.

    The checksum comes from ``expected_sha256``, else ``index.json`` beside the file, else
    the ``.sha256`` sidecar; a file with none of them is refused.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(
            f"The model file {path} was not found; choose an installed model or reinstall it."
        )
    expected = _expected_sha256(path, expected_sha256)
    try:
        sha256 = file_sha256(path)
    except OSError as exc:
        raise ModelError(f"The model file {path} could not be read; check its access.") from exc
    if sha256 != expected:
        raise ModelError(
            f"The model file {path.name} has been modified or damaged (checksum mismatch); "
            "reinstall it."
        )
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            raw_card = (f.metadata() or {}).get(CARD_KEY)
            if raw_card is None:
                raise _damaged(path)
            card = validate_card(json.loads(raw_card))
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise _damaged(path) from exc
    _check_tensors(tensors, card, path.name)

    networks: list[nn.Module] = []
    layers: list[nn.Module] = []
    for i in range(card["num_networks"]):
        prefix = f"net{i}."
        with torch.device("meta"):
            network = build_network(card["architecture"], len(card["classes"]))
        state = {k[len(prefix) :]: v.float() if v.is_floating_point() else v
                 for k, v in tensors.items() if k.startswith(prefix)}
        # assign=True adopts the loaded tensors, replacing the meta placeholders.
        network.load_state_dict(state, strict=True, assign=True)
        network.eval().requires_grad_(False)
        networks.append(network)
        layers.append(target_layer(network, card["architecture"],
                                   card.get("cam_layer", "final")))
    return ModelBundle(path, sha256, card, networks, layers)
