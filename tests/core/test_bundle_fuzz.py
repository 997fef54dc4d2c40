"""Hostile model bundles, generated: every file ends in a one-sentence ModelError or a finite
score, never another exception, a hang or a NaN.

Each example starts from one real MobileNet-V2 bundle (float16, 64 px input) and mutates its
card (field values, raw JSON text), its safetensors header (bytes, the length prefix, tensor
dtypes, shapes and offsets) or its weights (values poked in), then ships it with a correct
``.sha256`` sidecar, as a malicious provider would. Most mutations are refused before any
tensor is read, so the test stays fast; those that load are run through the real analysis.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import file_sha256
from wbs_desktop.core.model.architectures import seeded_network
from wbs_desktop.core.model.bundle import load_model, save_bundle
from wbs_desktop.core.model.card import CARD_KEY, MAX_CARD_BYTES, default_card
from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.core.pipeline.analysis import HIGH, LOW, analyze
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import Face, detect_faces

REFUSAL_SECONDS = 2.0


class Seed:
    """The base bundle taken apart: its header as JSON, its card and its tensor bytes."""

    def __init__(self, data: bytes) -> None:
        length = int.from_bytes(data[:8], "little")
        self.header: dict[str, Any] = json.loads(data[8 : 8 + length])
        self.card: dict[str, Any] = json.loads(self.header["__metadata__"][CARD_KEY])
        self.blob = data[8 + length :]
        self.tensors = sorted(k for k in self.header if k != "__metadata__")


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    path = tmp_path_factory.mktemp("seed") / "seed.safetensors"
    card = default_card("mobilenet_v2", "fuzz seed", input_size=64, weights_dtype="float16")
    save_bundle(path, [seeded_network("mobilenet_v2", 0)], card)
    return Seed(path.read_bytes())


class Photo:
    """The sample photo and its faces, detected once (short repr: Hypothesis prints it)."""

    def __init__(self) -> None:
        self.image = load_image(sample_photo_path())
        self.faces: list[Face] = detect_faces(self.image)

    def __repr__(self) -> str:
        return "Photo(sample)"


@pytest.fixture(scope="module")
def photo() -> Photo:
    return Photo()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------- strategies

_ODD_NUMBERS = [
    0,
    -0.0,
    1,
    -1,
    1e-300,
    1e-30,
    1e-4,
    1e-3,
    0.999,
    1.5,
    10,
    11,
    21,
    512,
    513,
    10**9,
    2**63,
    1e300,
    -1e300,
]
_ODD_TEXTS = [
    "",
    " ",
    "x" * 3000,
    "photo\u202egpj.exe",
    "a\nb",
    "bell\x07",
    "<b>bold</b>",
    '=HYPERLINK("x")',
    "$\\frac$",
    "WBS",
    "other",
    "resnet18",
    "platt",
    "final",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(_ODD_NUMBERS)
    | st.text(max_size=20)
    | st.sampled_from(_ODD_TEXTS),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=8,
)

_CARD_PATHS = [
    ("format_version",),
    ("name",),
    ("architecture",),
    ("num_networks",),
    ("classes",),
    ("classes", 0),
    ("positive_class",),
    ("input_size",),
    ("normalization",),
    ("normalization", "mean", 0),
    ("normalization", "std", 1),
    ("threshold",),
    ("threshold_rule",),
    ("calibration",),
    ("calibration", "slope"),
    ("calibration", "intercept"),
    ("calibration", "prevalence"),
    ("flip_tta",),
    ("intended_use",),
    ("status",),
    ("training_data",),
    ("training_data", "subjects"),
    ("training_data", "synthetic"),
    ("cv_metrics",),
    ("operating_point",),
    ("training",),
    ("training", "config"),
    ("data_hash",),
    ("software",),
    ("created",),
    ("weights_dtype",),
    ("cam_layer",),
    ("face_only",),
    ("unknown",),
]


def _set(card: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> None:
    target: Any = card
    for key in path[:-1]:
        if not isinstance(target, (dict, list)) or (
            isinstance(target, list) and key >= len(target)
        ):
            return
        target = target[key]
    last = path[-1]
    if isinstance(target, dict) and delete:
        target.pop(last, None)
    elif isinstance(target, dict) or (isinstance(target, list) and last < len(target)):
        target[last] = value


@st.composite
def card_texts(draw: st.DrawFn, card: dict[str, Any]) -> str:
    """The card's JSON text, with field values changed or replaced by hostile text."""
    card = json.loads(json.dumps(card))
    kind = draw(st.sampled_from(["fields", "fields", "fields", "raw"]))
    if kind == "fields":
        for _ in range(draw(st.integers(1, 3))):
            _set(
                card,
                draw(st.sampled_from(_CARD_PATHS)),
                draw(json_values),
                draw(st.booleans()) and draw(st.booleans()),
            )
        return json.dumps(card)
    text = json.dumps(card)
    depth = draw(st.sampled_from([15, 17, 1000, 100_000]))
    return draw(
        st.sampled_from(
            [
                text.replace('"threshold": 0.5', '"threshold": NaN'),
                text.replace('"cv_metrics": {}', '"cv_metrics": {"auc": Infinity}'),
                text.replace('"input_size": 64', '"input_size": 1e999'),
                text.replace('"input_size": 64', '"input_size": ' + "9" * 400),
                text.replace('"cv_metrics": {}', '"cv_metrics": ' + "[" * depth + "]" * depth),
                "[" * depth + "]" * depth,
                text[: draw(st.integers(0, len(text) - 1))],
                text.replace('"name": "fuzz seed"', '"name": "' + "n" * (MAX_CARD_BYTES + 1) + '"'),
                "null",
                "[]",
                '"card"',
                "",
            ]
        )
    )


_DTYPES = ["F16", "F32", "F64", "BF16", "I64", "I32", "U8", "BOOL", "F8_E4M3", "??"]
_POKES = [65504.0, -65504.0, math.inf, -math.inf, math.nan, 1e-7, 0.0, 300.0]


@dataclass(frozen=True)
class Fuzzed:
    """A mutated bundle file; its repr (what Hypothesis prints) names the mutation only."""

    data: bytes = field(repr=False)
    mutation: str


@st.composite
def bundle_files(draw: st.DrawFn, seed: Seed) -> Fuzzed:
    header = json.loads(json.dumps(seed.header))
    blob = bytearray(seed.blob)
    target = (
        "card"
        if draw(st.booleans())
        else draw(st.sampled_from(["header", "tensors", "values", "bytes"]))
    )
    mutation = target
    if target == "card":
        header["__metadata__"][CARD_KEY] = text = draw(card_texts(seed.card))
        mutation = f"card {text[:300]!r}"
    elif target == "header":
        name = draw(st.sampled_from(seed.tensors))
        part = draw(st.sampled_from(["dtype", "shape", "data_offsets", "entry", "metadata"]))
        if part == "dtype":
            header[name]["dtype"] = draw(st.sampled_from(_DTYPES))
        elif part == "shape":
            header[name]["shape"] = draw(st.lists(st.integers(-1, 2**40), max_size=5))
        elif part == "data_offsets":
            header[name]["data_offsets"] = draw(st.lists(st.integers(-1, 2**40), max_size=3))
        elif part == "entry":
            header[name] = draw(json_values)
        else:
            header["__metadata__"] = draw(json_values)
        mutation = f"header {name}: {part} {str(header.get(name))[:200]}"
    elif target in ("tensors", "values"):
        # Weights: a whole tensor set to one value, or one value poked in (finite ones load).
        name = draw(st.sampled_from([n for n in seed.tensors if header[n]["dtype"] == "F16"]))
        start, end = header[name]["data_offsets"]
        count = (end - start) // 2
        value = draw(st.sampled_from(_POKES))
        mutation = f"{target} {name} = {value}"
        if target == "tensors":
            blob[start:end] = np.full(count, value, dtype=np.float16).tobytes()
        else:
            index = draw(st.integers(0, count - 1))
            blob[start + 2 * index : start + 2 * index + 2] = np.float16(value).tobytes()
    raw = bytearray(json.dumps(header).encode())
    prefix: int | None = None
    for _ in range(draw(st.integers(1, 3)) if target == "bytes" else 0):
        # The header's bytes themselves, or its 8-byte length prefix.
        position = draw(st.integers(0, len(raw) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "prefix"]))
        if action == "flip":
            raw[position] ^= draw(st.integers(1, 255))
        elif action == "delete":
            del raw[position : position + draw(st.integers(1, 16))]
        elif action == "insert":
            raw[position:position] = draw(st.binary(min_size=1, max_size=16))
        else:
            prefix = draw(
                st.sampled_from([0, 1, len(raw) - 1, len(raw) + 1, 2**31, 2**63, 2**64 - 1])
            )
        mutation += f"; {action} at {position}" + (f" to {prefix}" if action == "prefix" else "")
    length = len(raw) if prefix is None else prefix
    return Fuzzed(length.to_bytes(8, "little") + bytes(raw) + bytes(blob), mutation)


# --------------------------------------------------------------------------------- test


def assert_one_sentence(error: ModelError) -> None:
    text = str(error)
    assert text and text.endswith(".") and "\n" not in text, text


def screen(path: Path, photo: Photo) -> None:
    """Load and analyse; a refusal must be a quick ModelError, a result finite."""
    started = time.perf_counter()
    try:
        bundle = load_model(path)
    except ModelError as error:
        assert_one_sentence(error)
        assert time.perf_counter() - started < REFUSAL_SECONDS
        event("refused at load")
        return
    try:
        result = analyze(photo.image, bundle, "cpu", faces=photo.faces)
    except ModelError as error:
        assert_one_sentence(error)
        event("refused by the analysis")
        return
    event("scored")
    assert math.isfinite(result.score) and 0.0 <= result.score <= 1.0
    assert result.label in (HIGH, LOW)
    assert np.isfinite(result.heatmap).all()
    json.dumps(result.to_json(), allow_nan=False)


@pytest.mark.timeout(300)  # a hang fails, it does not stall the suite
@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzzed_bundles_end_in_a_refusal_or_a_finite_score(
    data: st.DataObject, seed: Seed, photo: Photo, workdir: Path
) -> None:
    path = workdir / "fuzzed.safetensors"
    path.write_bytes(data.draw(bundle_files(seed)).data)
    path.with_name(path.name + ".sha256").write_text(f"{file_sha256(path)}  {path.name}\n")
    screen(path, photo)


def test_the_seed_itself_gives_a_finite_score(seed: Seed, photo: Photo, workdir: Path) -> None:
    """The unmutated seed loads and scores: the fuzzer starts from a working bundle."""
    path = workdir / "seed.safetensors"
    raw = json.dumps(seed.header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + seed.blob)
    path.with_name(path.name + ".sha256").write_text(f"{file_sha256(path)}  {path.name}\n")
    bundle = load_model(path)
    assert 0.0 <= analyze(photo.image, bundle, "cpu", faces=photo.faces).score <= 1.0
