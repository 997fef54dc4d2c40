"""Model bundles: one ``.safetensors`` file holding one or more networks and their card.

The tensors of network ``i`` are stored under ``net<i>.<state_dict key>``; the model card
(a JSON object, see :func:`validate_card`) is stored under the metadata key ``wbs_card``.
safetensors holds plain tensors and a JSON header only, so loading a bundle cannot run
code. Before a bundle is used its SHA-256 is checked against the caller's value,
``index.json`` in the same folder or a ``<file>.sha256`` sidecar; then the card, the
tensor names, shapes and dtypes (against the card's architecture) and the values
(no NaN/Inf) are checked.

A checksum only proves the file is the one its provider made, not that the provider meant
well: a hostile or careless file with a correct sidecar must still end in a one-sentence
refusal, quickly and in bounded memory. So the header and card are read and checked by
this module before safetensors or torch touch the file: sizes (:data:`MAX_HEADER_BYTES`,
:data:`MAX_CARD_BYTES`), JSON nesting depth (:data:`MAX_JSON_DEPTH`, counted without
recursion), strict numbers (no NaN, Infinity or overflowing literals), counts
(:data:`MAX_NETWORKS`, :data:`MAX_CLASSES`), text lengths and characters, numeric ranges
that only real models fall in, and the tensor layout listed in the header; only then are
tensors read.
"""

from __future__ import annotations

import json
import math
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
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

from wbs_desktop import __version__
from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import UNPRINTABLE, file_sha256, printable
from wbs_desktop.core.model.architectures import (
    ARCHITECTURES,
    CAM_LAYERS,
    build_network,
    target_layer,
)
from wbs_desktop.core.model.scoring import to_input

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
# What a model is, in a few words; every display puts "Not for clinical use" before it once
# (model_card.provenance_banner), so the notes do not say it themselves.
SYNTHETIC_NOTE = "trained on synthetic demonstration data"
UNTRAINED_NOTE = "untrained: pipeline test only"
UNVALIDATED_NOTE = ("exported although its validation did not show it performs better than "
                    "chance")

# Limits far above any real bundle (the demo's header is 160 kB, its card 3.4 kB, 4 levels
# deep), low enough that checking a hostile file takes milliseconds and little memory.
MAX_HEADER_BYTES = 4 << 20
MAX_CARD_BYTES = 256 << 10
MAX_JSON_DEPTH = 16
MAX_NETWORKS = 20
MAX_CLASSES = 10
MAX_TEXT = 2000  # characters in any text of the card
MAX_NAME = 100  # characters in the model's name and in a class name
MAX_DIGITS = 18  # in a whole number of the card: float-convertible, and no quadratic int()
INPUT_SIZES = (32, 512)
THRESHOLDS = (0.001, 0.999)

_CARD_FIELDS = (
    "format_version", "name", "architecture", "num_networks", "classes", "positive_class",
    "input_size", "normalization", "threshold", "threshold_rule", "calibration", "flip_tta",
    "intended_use", "status", "training_data", "cv_metrics", "operating_point", "training",
    "data_hash", "software", "created",
)  # fmt: skip
_STATUSES = ("trained", "untrained", "unvalidated")
_STORAGE_DTYPES = {"float32": torch.float32, "float16": torch.float16}


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
    # Integers are always finite; math.isfinite would overflow on a huge one.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and (isinstance(value, int) or math.isfinite(value)))


def _numbers_within(values: Any, low: float, high: float, count: int) -> bool:
    return (isinstance(values, list) and len(values) == count
            and all(_is_number(v) and low <= v <= high for v in values))


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


def _is_short_text(value: Any) -> bool:
    """A name: non-empty, one line, at most MAX_NAME characters."""
    return _is_text(value) and len(value) <= MAX_NAME and "\n" not in value


def _texts(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included (iteratively: the depth is the caller's)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_texts(card: Mapping[str, Any]) -> None:
    for text in _texts(card):
        if len(text) > MAX_TEXT:
            raise _invalid(f"a text of {len(text)} characters is longer than the {MAX_TEXT} "
                           "allowed")
        if UNPRINTABLE.search(text.replace("\n", "")):
            raise _invalid("a text holds control or text-direction characters")


# --------------------------------------------------------------------------- strict JSON

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS = np.frombuffer(b"]}", dtype=np.uint8)


def _nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text``, counted without recursion and in
    time linear in its length (``json.loads`` recurses once per level, so deep input ends
    in RecursionError). Brackets inside strings do not count."""
    codes = np.frombuffer(_JSON_STRING.sub('""', text).encode("utf-8"), dtype=np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int32) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(steps).max(initial=0))


def _strict_json(text: str, refuse: Callable[[str], ModelError]) -> Any:
    """Parse untrusted JSON in bounded time and memory, or raise ``refuse(problem)``.

    Refused: nesting deeper than MAX_JSON_DEPTH, the non-standard NaN and Infinity, float
    literals that overflow to infinity (1e999) and whole numbers of more than MAX_DIGITS
    digits; ``text`` itself must already be of bounded length.
    """
    def constant(name: str) -> Any:
        raise refuse(f"it holds {name}, which is not a number")

    def real(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise refuse(f"the number {literal[:20]} is too large")
        return value

    def whole(literal: str) -> int:
        if len(literal.lstrip("-")) > MAX_DIGITS:
            raise refuse(f"a whole number of {len(literal)} digits is too large")
        return int(literal)

    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise refuse(f"it nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=constant, parse_float=real, parse_int=whole)
    except json.JSONDecodeError as exc:
        raise refuse("it is not valid JSON") from exc


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
    _check_texts(card)
    missing = [key for key in _CARD_FIELDS if key not in card]
    if missing:
        raise _invalid(f"missing {', '.join(missing)}")
    version = card["format_version"]
    if not _is_int(version) or version != FORMAT_VERSION:
        raise ModelError(
            f"The model uses card format {version!r}, which this version of WBS Screen cannot "
            "read; update WBS Screen or use a model made for it."
        )
    if not _is_short_text(card["name"]):
        raise _invalid(f"name must be one line of 1 to {MAX_NAME} characters")
    if card["architecture"] not in ARCHITECTURES:
        raise _invalid(f"architecture {card['architecture']!r} is not one of {ARCHITECTURES}")
    if not _is_int(card["num_networks"]) or not 1 <= card["num_networks"] <= MAX_NETWORKS:
        raise _invalid(f"num_networks must be a whole number from 1 to {MAX_NETWORKS}")
    classes = card["classes"]
    if (
        not isinstance(classes, list)
        or not 2 <= len(classes) <= MAX_CLASSES
        or not all(_is_short_text(c) for c in classes)
        or len(set(classes)) != len(classes)
    ):
        raise _invalid(f"classes must list 2 to {MAX_CLASSES} different class names")
    if card["positive_class"] not in classes:
        raise _invalid(f"positive_class {card['positive_class']!r} is not one of the classes")
    low, high = INPUT_SIZES
    if not _is_int(card["input_size"]) or not low <= card["input_size"] <= high:
        raise _invalid(f"input_size must be a whole number of pixels from {low} to {high}")
    norm = _require_dict(card, "normalization", ("mean", "std"))
    # Pixels are scaled to [0, 1] before normalising: a mean outside [-10, 10] or a standard
    # deviation outside [0.001, 10] fits no real training set, and a tiny one turns every
    # input into huge numbers, the networks' outputs into NaN.
    if not _numbers_within(norm["mean"], -10, 10, 3):
        raise _invalid("normalization mean must be three numbers from -10 to 10")
    if not _numbers_within(norm["std"], 1e-3, 10, 3):
        raise _invalid("normalization std must be three numbers from 0.001 to 10")
    low, high = THRESHOLDS
    if not _is_number(card["threshold"]) or not low <= card["threshold"] <= high:
        raise _invalid(f"threshold must be a number from {low} to {high}")
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
    if not isinstance(card.get("face_only", False), bool):
        raise _invalid("face_only must be true or false")
    if card.get("weights_dtype", "float32") not in tuple(_STORAGE_DTYPES):  # [] is unhashable
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
        "face_only": False,
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
    damaged = ModelError(f"The model list {path} is damaged; reinstall the models.")
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise damaged
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"The model list {path} is unreadable; reinstall the models.") from exc
    index = _strict_json(text, lambda _problem: damaged)
    bundles = index.get("bundles") if isinstance(index, dict) else None
    if not isinstance(bundles, dict) or not all(isinstance(e, dict) for e in bundles.values()):
        raise damaged
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

# A tensor's layout: its dtype's name ("float32", or a safetensors code such as "U8" that no
# network uses) and its shape.
Layout = Mapping[str, tuple[str, tuple[int, ...]]]
_HEADER_DTYPES = {"F32": "float32", "F16": "float16", "I64": "int64"}


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _check_layout(layout: Layout, card: Mapping[str, Any], label: str) -> None:
    """Tensor names, shapes and dtypes must be exactly those of the card's networks."""
    with torch.device("meta"):
        reference = build_network(card["architecture"], len(card["classes"])).state_dict()
    stored_float = card.get("weights_dtype", "float32")
    expected = {
        f"net{i}.{key}": (stored_float if value.is_floating_point() else _dtype_name(value.dtype),
                          tuple(value.shape))
        for i in range(card["num_networks"])
        for key, value in reference.items()
    }
    missing = sorted(expected.keys() - layout.keys())
    extra = sorted(layout.keys() - expected.keys())
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"{len(missing)} weight tensors missing (e.g. {missing[0]})")
        if extra:
            example = printable(extra[0][:80])
            problems.append(f"{len(extra)} unexpected weight tensors (e.g. {example})")
        raise ModelError(
            f"The model file {label} does not match its card ({card['architecture']}, "
            f"{card['num_networks']} networks): {' and '.join(problems)}; "
            "ask the model's provider for a corrected file."
        )
    for key, (dtype, shape) in expected.items():
        if layout[key] != (dtype, shape):
            got_dtype, got_shape = layout[key]
            raise ModelError(
                f"The model file {label} does not match its card: {key} is "
                f"{got_dtype} {got_shape} where {card['architecture']} needs "
                f"{dtype} {shape}; ask the model's provider for a corrected file."
            )


def _check_values(tensors: Mapping[str, Tensor], label: str) -> None:
    for key, tensor in tensors.items():
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


def _read_header(path: Path) -> dict[str, Any]:
    """The safetensors JSON header, read and parsed with bounded cost before safetensors
    sees the file: an 8-byte little-endian length, then that many bytes of JSON."""
    try:
        with path.open("rb") as f:
            prefix = f.read(8)
            if len(prefix) < 8:
                raise _damaged(path)
            length = int.from_bytes(prefix, "little")
            if length > MAX_HEADER_BYTES:
                raise ModelError(
                    f"The model file {path.name} declares a header of {length:,} bytes, far "
                    "more than any model needs, so it was not read; it is damaged or not a "
                    "WBS Screen model."
                )
            if 8 + length > os.fstat(f.fileno()).st_size:
                raise _damaged(path)
            raw = f.read(length)
    except OSError as exc:
        raise ModelError(f"The model file {path} could not be read; check its access.") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path) from exc
    header = _strict_json(text, lambda _problem: _damaged(path))
    if not isinstance(header, dict):
        raise _damaged(path)
    return header


def parse_card(text: str) -> dict[str, Any]:
    """A model card from its JSON text: bounded in size and depth, strictly parsed, valid."""
    size = len(text.encode("utf-8"))
    if size > MAX_CARD_BYTES:
        raise _invalid(f"it is {size:,} bytes long, more than the {MAX_CARD_BYTES:,} allowed")
    return validate_card(_strict_json(text, _invalid))


def _header_card(header: Mapping[str, Any], path: Path) -> dict[str, Any]:
    metadata = header.get("__metadata__")
    raw_card = metadata.get(CARD_KEY) if isinstance(metadata, dict) else None
    if not isinstance(raw_card, str):
        raise _damaged(path)
    return parse_card(raw_card)


def _header_layout(header: Mapping[str, Any], path: Path) -> Layout:
    layout: dict[str, tuple[str, tuple[int, ...]]] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if (not isinstance(dtype, str) or not isinstance(shape, list)
                or not all(_is_int(n) and n >= 0 for n in shape)):
            raise _damaged(path)
        layout[name] = (_HEADER_DTYPES.get(dtype, printable(dtype[:10])), tuple(shape))
    return layout


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
    try:
        card_text = json.dumps(card, sort_keys=True, allow_nan=False)
    except ValueError:
        raise _invalid("it holds NaN or infinity, which are not numbers") from None
    card = parse_card(card_text)
    if len(networks) != card["num_networks"]:
        raise ValueError(f"card says {card['num_networks']} networks, got {len(networks)}")
    tensors: dict[str, Tensor] = {}
    for i, network in enumerate(networks):
        for key, value in network.state_dict().items():
            tensor = value.detach().to("cpu")
            if tensor.is_floating_point():
                tensor = tensor.to(_STORAGE_DTYPES[card.get("weights_dtype", "float32")])
            tensors[f"net{i}.{key}"] = tensor.contiguous()
    _check_layout({key: (_dtype_name(t.dtype), tuple(t.shape)) for key, t in tensors.items()},
                  card, path.name)
    _check_values(tensors, path.name)
    metadata = {CARD_KEY: card_text}
    _atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=metadata))
    sha256 = file_sha256(path)
    sidecar_text = f"{sha256}  {path.name}\n"
    _atomic_write(_sidecar(path), lambda tmp: tmp.write_text(sidecar_text, encoding="utf-8"))
    return sha256


def load_model(path: str | os.PathLike[str], *, expected_sha256: str | None = None) -> ModelBundle:
    """Verify and load a bundle; every failure is a ModelError with a user-facing sentence.

    The checksum comes from ``expected_sha256``, else ``index.json`` beside the file, else
    the ``.sha256`` sidecar; a file with none of them is refused. The header, the card and
    the tensor layout are checked (see the module's notes) before any tensor is read.
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
    header = _read_header(path)
    card = _header_card(header, path)
    _check_layout(_header_layout(header, path), card, path.name)
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError, ValueError) as exc:
        raise _damaged(path) from exc
    _check_values(tensors, path.name)

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
