"""Model bundles: one ``.safetensors`` file holding one or more networks and their card.

The tensors of network ``i`` are stored under ``net<i>.<state_dict key>``; the model card
(a JSON object, see ``card``) is stored under the metadata key ``wbs_card``. safetensors
holds plain tensors and a JSON header only, so loading a bundle cannot run code. Before a
bundle is used its SHA-256 is checked (``checksums``); then the card, the tensor names,
shapes and dtypes (against the card's architecture) and the values (no NaN/Inf).

A checksum only proves the file is the one its provider made, not that the provider meant
well: a hostile or careless file with a correct sidecar must still end in a one-sentence
refusal, quickly and in bounded memory. So the header and card are read and checked before
safetensors or torch touch the file: sizes (:data:`MAX_HEADER_BYTES`, ``card``'s
``MAX_CARD_BYTES``), JSON nesting depth and strict numbers (``strict_json``), counts, text
lengths and characters and numeric ranges that only real models fall in (``card``), and the
tensor layout listed in the header; only then are tensors read.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn as nn
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import atomic_write, file_sha256, printable
from wbs_desktop.core.i18n import _
from wbs_desktop.core.model.architectures import build_network, target_layer
from wbs_desktop.core.model.card import (
    CARD_KEY,
    invalid_card,
    is_whole,
    parse_card,
    provenance_note,
)
from wbs_desktop.core.model.checksums import expected_checksum, sidecar_path
from wbs_desktop.core.model.scoring import to_input
from wbs_desktop.core.model.strict_json import strict_json

MAX_HEADER_BYTES = 4 << 20  # the demo's header is 160 kB
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
        return provenance_note(self.card)

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


# --------------------------------------------------------------------------------- tensors


def _all_finite(tensor: Tensor) -> bool:
    """NaN/Inf check without a full-size temporary (vgg19's first classifier layer alone
    is 411 MB): a float sum is finite iff every element is (barring overflow, which the
    chunked recheck settles)."""
    flat = tensor.reshape(-1)
    if math.isfinite(float(flat.sum())):
        return True
    chunk = 1 << 20
    return all(bool(torch.isfinite(flat[i : i + chunk]).all()) for i in range(0, len(flat), chunk))


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
        f"net{i}.{key}": (
            stored_float if value.is_floating_point() else _dtype_name(value.dtype),
            tuple(value.shape),
        )
        for i in range(card["num_networks"])
        for key, value in reference.items()
    }
    missing = sorted(expected.keys() - layout.keys())
    extra = sorted(layout.keys() - expected.keys())
    if missing or extra:
        problems = []
        if missing:
            problems.append(
                _("{missing} weight tensors missing (e.g. {value})").format(
                    missing=len(missing), value=missing[0]
                )
            )
        if extra:
            example = printable(extra[0][:80])
            problems.append(
                _("{extra} unexpected weight tensors (e.g. {example})").format(
                    extra=len(extra), example=example
                )
            )
        raise ModelError(
            _(
                "The model file {label} does not match its card ({architecture}, "
                "{num_networks} networks): {problems}; ask the model's provider for a "
                "corrected file."
            ).format(
                label=label,
                architecture=card["architecture"],
                num_networks=card["num_networks"],
                problems=" and ".join(problems),
            )
        )
    for key, (dtype, shape) in expected.items():
        if layout[key] != (dtype, shape):
            got_dtype, got_shape = layout[key]
            raise ModelError(
                _(
                    "The model file {label} does not match its card: {key} is {got_dtype} "
                    "{got_shape} where {architecture} needs {dtype} {shape}; ask the "
                    "model's provider for a corrected file."
                ).format(
                    label=label,
                    key=key,
                    got_dtype=got_dtype,
                    got_shape=got_shape,
                    architecture=card["architecture"],
                    dtype=dtype,
                    shape=shape,
                )
            )


def _check_values(tensors: Mapping[str, Tensor], label: str) -> None:
    for key, tensor in tensors.items():
        if tensor.is_floating_point() and not _all_finite(tensor):
            raise ModelError(
                _(
                    "The model file {label} holds invalid numbers (NaN or infinity) in "
                    "{key}; it cannot be used, ask the model's provider for a corrected "
                    "file."
                ).format(label=label, key=key)
            )


def _damaged(path: Path) -> ModelError:
    return ModelError(
        _(
            "The model file {name} is damaged or not a WBS Screen model; reinstall "
            "it or choose another model file."
        ).format(name=path.name)
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
                    _(
                        "The model file {name} declares a header of {length:,} bytes, far more "
                        "than any model needs, so it was not read; it is damaged or not a WBS "
                        "Screen model."
                    ).format(name=path.name, length=length)
                )
            if 8 + length > os.fstat(f.fileno()).st_size:
                raise _damaged(path)
            raw = f.read(length)
    except OSError as exc:
        raise ModelError(
            _("The model file {path} could not be read; check its access.").format(path=path)
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path) from exc
    header = strict_json(text, lambda _problem: _damaged(path))
    if not isinstance(header, dict):
        raise _damaged(path)
    return header


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
        if (
            not isinstance(dtype, str)
            or not isinstance(shape, list)
            or not all(is_whole(n) and n >= 0 for n in shape)
        ):
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
        raise invalid_card(_("it holds NaN or infinity, which are not numbers")) from None
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
    _check_layout(
        {key: (_dtype_name(t.dtype), tuple(t.shape)) for key, t in tensors.items()}, card, path.name
    )
    _check_values(tensors, path.name)
    metadata = {CARD_KEY: card_text}
    atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=metadata))
    sha256 = file_sha256(path)
    sidecar_text = f"{sha256}  {path.name}\n"
    atomic_write(sidecar_path(path), lambda tmp: tmp.write_text(sidecar_text, encoding="utf-8"))
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
            _(
                "The model file {path} was not found; choose an installed model or reinstall it."
            ).format(path=path)
        )
    expected = expected_checksum(path, expected_sha256)
    try:
        sha256 = file_sha256(path)
    except OSError as exc:
        raise ModelError(
            _("The model file {path} could not be read; check its access.").format(path=path)
        ) from exc
    if sha256 != expected:
        raise ModelError(
            _(
                "The model file {name} has been modified or damaged (checksum "
                "mismatch); reinstall it."
            ).format(name=path.name)
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
        state = {
            k[len(prefix) :]: v.float() if v.is_floating_point() else v
            for k, v in tensors.items()
            if k.startswith(prefix)
        }
        # assign=True adopts the loaded tensors, replacing the meta placeholders.
        network.load_state_dict(state, strict=True, assign=True)
        network.eval().requires_grad_(False)
        networks.append(network)
        layers.append(target_layer(network, card["architecture"], card.get("cam_layer", "final")))
    return ModelBundle(path, sha256, card, networks, layers)
