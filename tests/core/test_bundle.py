"""Model bundles: round trip, checksums, damaged and mismatched files, card validation."""

from __future__ import annotations

import json
import math
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn as nn
from safetensors.torch import save_file

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import file_sha256
from wbs_desktop.core.intended_use import INTENDED_USE
from wbs_desktop.core.model.architectures import build_network, target_layer
from wbs_desktop.core.model.bundle import MAX_HEADER_BYTES, ModelBundle, load_model, save_bundle
from wbs_desktop.core.model.card import (
    CARD_KEY,
    IMAGENET_MEAN,
    MAX_CARD_BYTES,
    SYNTHETIC_NOTE,
    UNTRAINED_NOTE,
    default_card,
    validate_card,
)
from wbs_desktop.core.model.checksums import read_index, write_index


def network(arch: str, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return build_network(arch, 2).eval()


@pytest.fixture(scope="module")
def mobilenet() -> nn.Module:
    return network("mobilenet_v2", 0)


def tensors_of(networks: list[nn.Module]) -> dict[str, torch.Tensor]:
    return {
        f"net{i}.{k}": v.detach().clone().contiguous()
        for i, net in enumerate(networks)
        for k, v in net.state_dict().items()
    }


def write_raw(path: Path, tensors: dict[str, torch.Tensor], card: Any) -> Path:
    """A bundle written without save_bundle's checks, with a matching .sha256 sidecar."""
    metadata = None if card is None else {CARD_KEY: json.dumps(card)}
    save_file(tensors, path, metadata=metadata)
    sidecar_of(path).write_text(f"{file_sha256(path)}  {path.name}\n")
    return path


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def refresh_sidecar(path: Path) -> None:
    sidecar_of(path).write_text(f"{file_sha256(path)}  {path.name}\n")


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# ------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize("arch", ["mobilenet_v2", "resnet18"])
def test_round_trip_two_networks(tmp_path: Path, arch: str) -> None:
    networks = [network(arch, 0), network(arch, 1)]
    card = default_card(arch, f"test {arch}", num_networks=2)
    path = tmp_path / "model.safetensors"
    sha = save_bundle(path, networks, card)

    assert sidecar_of(path).read_text() == f"{sha}  model.safetensors\n"
    assert sha == file_sha256(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.safetensors",
        "model.safetensors.sha256",
    ]

    bundle = load_model(path)
    assert bundle.path == path and bundle.sha256 == sha
    assert bundle.card == card and bundle.name == f"test {arch}"
    assert len(bundle.networks) == len(bundle.target_layers) == 2
    x = torch.randn(2, 3, 224, 224)
    for original, loaded, layer in zip(
        networks, bundle.networks, bundle.target_layers, strict=True
    ):
        assert not loaded.training
        assert not any(p.requires_grad for p in loaded.parameters())
        assert layer is target_layer(loaded, arch)
        with torch.no_grad():
            assert torch.equal(original(x), loaded(x))
    with torch.no_grad():
        assert not torch.equal(bundle.networks[0](x), bundle.networks[1](x))
    assert bundle.provenance_note == UNTRAINED_NOTE and bundle.is_demo
    assert bundle.to("cpu") is bundle and bundle.device == torch.device("cpu")


def test_save_refuses_a_network_count_other_than_the_card(
    tmp_path: Path, mobilenet: nn.Module
) -> None:
    card = default_card("mobilenet_v2", "m", num_networks=2)
    with pytest.raises(ValueError, match="2 networks"):
        save_bundle(tmp_path / "m.safetensors", [mobilenet], card)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_weights_of_another_architecture(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not match its card"):
        save_bundle(
            tmp_path / "m.safetensors", [network("resnet18", 0)], default_card("resnet34", "m")
        )
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_nan_weights(tmp_path: Path) -> None:
    net = network("resnet18", 0)
    with torch.no_grad():
        net.fc.weight[0, 0] = math.nan
    with pytest.raises(ModelError, match="NaN"):
        save_bundle(tmp_path / "m.safetensors", [net], default_card("resnet18", "m"))


def test_preprocess(mobilenet: nn.Module) -> None:
    card = default_card("mobilenet_v2", "m", input_size=64)
    bundle = ModelBundle(None, "", card, [mobilenet], [target_layer(mobilenet, "mobilenet_v2")])
    image = np.zeros((64, 64, 3), np.uint8)
    image[..., 0] = 255
    x = bundle.preprocess(image)
    assert x.shape == (1, 3, 64, 64) and x.dtype == torch.float32
    mean, std = card["normalization"]["mean"], card["normalization"]["std"]
    for channel, value in enumerate([1.0, 0.0, 0.0]):
        want = (value - mean[channel]) / std[channel]
        torch.testing.assert_close(x[0, channel], torch.full((64, 64), want))
    resized = bundle.preprocess(np.full((100, 80, 3), 128, np.uint8))
    assert resized.shape == (1, 3, 64, 64)
    torch.testing.assert_close(resized[0, 1], torch.full((64, 64), (128 / 255 - mean[1]) / std[1]))
    with pytest.raises(ValueError):
        bundle.preprocess(np.zeros((64, 64), np.uint8))


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({}, UNTRAINED_NOTE),
        (
            {
                "status": "trained",
                "training_data": {"synthetic": True, "subjects": {"WBS": 40}, "description": ""},
            },
            SYNTHETIC_NOTE,
        ),
        (
            {
                "status": "trained",
                "training_data": {"synthetic": False, "subjects": {"WBS": 40}, "description": ""},
            },
            "",
        ),
    ],
)
def test_provenance_note(fields: dict[str, Any], note: str) -> None:
    bundle = ModelBundle(None, "", default_card("resnet18", "r", **fields), [], [])
    assert bundle.provenance_note == note
    assert bundle.is_demo == bool(note)


def test_default_card() -> None:
    card = default_card("resnet18", "r")
    assert card["intended_use"] == INTENDED_USE
    assert card["software"]["torch"] == torch.__version__
    assert ModelBundle(None, "", card, [], []).positive_index == 1
    with pytest.raises(TypeError, match="thresold"):
        default_card("resnet18", "r", thresold=0.3)


# ------------------------------------------------------------------------------- checksums


@pytest.fixture
def saved(tmp_path: Path, mobilenet: nn.Module) -> Path:
    path = tmp_path / "model.safetensors"
    save_bundle(path, [mobilenet], default_card("mobilenet_v2", "m"))
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="was not found"):
        load_model(tmp_path / "absent.safetensors")


def test_no_checksum_is_refused(saved: Path) -> None:
    sidecar_of(saved).unlink()
    with pytest.raises(ModelError, match="no checksum"):
        load_model(saved)


def test_checksum_from_index(saved: Path) -> None:
    sha = sidecar_of(saved).read_text().split()[0]
    sidecar_of(saved).unlink()
    write_index(saved.parent, {saved.name: {"sha256": sha, "name": "m", "status": "untrained"}})
    assert load_model(saved).sha256 == sha


def test_index_and_argument_take_precedence_over_sidecar(saved: Path) -> None:
    sha = file_sha256(saved)
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(saved, expected_sha256="0" * 64)
    assert load_model(saved, expected_sha256=sha.upper()).sha256 == sha
    write_index(saved.parent, {saved.name: {"sha256": "f" * 64}})
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(saved)
    write_index(saved.parent, {"other.safetensors": {"sha256": "f" * 64}})
    assert load_model(saved).sha256 == sha


def test_damaged_index(saved: Path) -> None:
    (saved.parent / "index.json").write_text("{not json")
    with pytest.raises(ModelError, match="model list"):
        load_model(saved)


def test_index_round_trip(tmp_path: Path) -> None:
    assert read_index(tmp_path) == {"bundles": {}}
    entries = {"a.safetensors": {"sha256": "ab" * 32, "name": "A", "summary": "test"}}
    write_index(tmp_path, entries)
    assert read_index(tmp_path) == {"bundles": entries}
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


@pytest.mark.parametrize("where", ["data", "header"])
def test_tampered_file(saved: Path, where: str) -> None:
    header_length = int.from_bytes(saved.read_bytes()[:8], "little")
    offset = saved.stat().st_size - 100 if where == "data" else 8 + header_length // 2
    flip_byte(saved, offset)
    with pytest.raises(ModelError, match="modified or damaged"):
        load_model(saved)


def test_truncated_file(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="modified or damaged"):
        load_model(saved)
    refresh_sidecar(saved)
    with pytest.raises(ModelError, match="damaged or not a WBS Screen model"):
        load_model(saved)


@pytest.mark.parametrize(
    "garbage", [b"", b"\x00" * 4, b"\xff" * 64, b"GIF89a" + b"\x00" * 100, b"{}" * 50]
)
def test_not_a_safetensors_file(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(garbage)
    refresh_sidecar(path)
    with pytest.raises(ModelError, match="damaged or not a WBS Screen model"):
        load_model(path)


def test_header_garbage_with_matching_checksum(saved: Path) -> None:
    flip_byte(saved, 9)  # breaks the JSON header
    refresh_sidecar(saved)
    with pytest.raises(ModelError, match="damaged or not a WBS Screen model"):
        load_model(saved)


# ----------------------------------------------------------------- tensors against the card


def test_no_card(tmp_path: Path, mobilenet: nn.Module) -> None:
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), None)
    with pytest.raises(ModelError, match="not a WBS Screen model"):
        load_model(path)


def test_card_not_json(tmp_path: Path, mobilenet: nn.Module) -> None:
    path = tmp_path / "m.safetensors"
    save_file(tensors_of([mobilenet]), path, metadata={CARD_KEY: "{broken"})
    refresh_sidecar(path)
    with pytest.raises(ModelError, match=r"card is invalid \(it is not valid JSON\)"):
        load_model(path)


def test_card_for_another_architecture(tmp_path: Path) -> None:
    tensors = tensors_of([network("resnet18", 0)])
    path = write_raw(tmp_path / "m.safetensors", tensors, default_card("resnet34", "r"))
    with pytest.raises(ModelError, match=r"does not match its card \(resnet34.*missing"):
        load_model(path)


def test_card_with_more_networks_than_the_file(tmp_path: Path, mobilenet: nn.Module) -> None:
    card = default_card("mobilenet_v2", "m", num_networks=2)
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), card)
    with pytest.raises(ModelError, match=r"missing \(e\.g\. net1\."):
        load_model(path)


def test_missing_tensor(tmp_path: Path, mobilenet: nn.Module) -> None:
    tensors = tensors_of([mobilenet])
    del tensors["net0.classifier.1.bias"]
    path = write_raw(tmp_path / "m.safetensors", tensors, default_card("mobilenet_v2", "m"))
    with pytest.raises(ModelError, match=r"1 weight tensors missing \(e\.g\. net0\.classifier"):
        load_model(path)


def test_extra_tensor(tmp_path: Path, mobilenet: nn.Module) -> None:
    tensors = tensors_of([mobilenet])
    tensors["net0.backdoor.weight"] = torch.zeros(3)
    path = write_raw(tmp_path / "m.safetensors", tensors, default_card("mobilenet_v2", "m"))
    with pytest.raises(ModelError, match=r"1 unexpected weight tensors \(e\.g\. net0\.backdoor"):
        load_model(path)


def test_wrong_shape(tmp_path: Path) -> None:
    torch.manual_seed(0)
    three_classes = build_network("resnet18", 3)
    path = write_raw(
        tmp_path / "m.safetensors", tensors_of([three_classes]), default_card("resnet18", "r")
    )
    with pytest.raises(ModelError, match=r"net0\.fc\.weight is float32 \(3, 512\)"):
        load_model(path)


def test_wrong_dtype(tmp_path: Path, mobilenet: nn.Module) -> None:
    tensors = tensors_of([mobilenet])
    tensors["net0.classifier.1.weight"] = tensors["net0.classifier.1.weight"].half()
    path = write_raw(tmp_path / "m.safetensors", tensors, default_card("mobilenet_v2", "m"))
    with pytest.raises(ModelError, match="float16"):
        load_model(path)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_weights(tmp_path: Path, mobilenet: nn.Module, value: float) -> None:
    tensors = tensors_of([mobilenet])
    tensors["net0.features.0.0.weight"][0, 0, 0, 0] = value
    path = write_raw(tmp_path / "m.safetensors", tensors, default_card("mobilenet_v2", "m"))
    with pytest.raises(ModelError, match=r"NaN or infinity\) in net0\.features\.0\.0\.weight"):
        load_model(path)


# ---------------------------------------------------------------------------------- card


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threshold", 1.5, "threshold"),
        ("threshold", 0, "threshold"),
        ("threshold", math.nan, "threshold"),
        ("threshold", "0.5", "threshold"),
        ("positive_class", "Down", "positive_class"),
        ("classes", ["WBS"], "classes"),
        ("classes", ["WBS", "WBS"], "classes"),
        ("architecture", "alexnet", "architecture"),
        ("num_networks", 0, "num_networks"),
        ("num_networks", True, "num_networks"),
        ("num_networks", 21, "num_networks must be a whole number from 1 to 20"),
        ("classes", [f"c{i}" for i in range(11)], "classes must list 2 to 10"),
        ("classes", ["other", "W" * 101], "classes"),
        ("input_size", 16, "input_size"),
        ("input_size", 513, "input_size"),
        ("normalization", {"mean": [0.5, 0.5], "std": [1, 1, 1]}, "normalization mean"),
        ("normalization", {"mean": [11, 0, 0], "std": [1, 1, 1]}, "normalization mean"),
        ("normalization", {"mean": [0, 0, 0], "std": [1, 0, 1]}, "normalization std"),
        ("normalization", {"mean": [0, 0, 0], "std": [1, 1e-4, 1]}, "normalization std"),
        ("normalization", {"mean": [0, 0, 0], "std": [1, 11, 1]}, "normalization std"),
        ("threshold", 1e-4, "threshold must be a number from 0.001 to 0.999"),
        ("threshold", 10**400, "threshold"),
        ("normalization", {"mean": [0, 0, 0]}, "normalization lacks std"),
        ("calibration", {"method": "platt", "slope": 0.0, "intercept": 0}, "slope"),
        ("calibration", {"method": "platt", "slope": 1e-9, "intercept": 0}, "slope"),
        ("calibration", {"method": "platt", "slope": 1, "intercept": 1e6}, "intercept"),
        ("calibration", {"method": "platt", "slope": 1, "intercept": math.inf}, "intercept"),
        ("calibration", {"method": "isotonic", "slope": 1, "intercept": 0}, "method"),
        ("calibration", {"method": "platt", "slope": 1}, "calibration lacks intercept"),
        (
            "calibration",
            {"method": "platt", "slope": 1, "intercept": 0, "prevalence": 1.5},
            "prevalence",
        ),
        ("operating_point", [], "operating_point"),
        ("flip_tta", "yes", "flip_tta"),
        ("face_only", "yes", "face_only must be true or false"),
        ("face_only", 1, "face_only"),
        ("status", "finished", "status"),
        ("training_data", {"synthetic": True}, "training_data lacks"),
        ("training_data", {"synthetic": 1, "subjects": {}, "description": ""}, "synthetic"),
        ("training_data", {"synthetic": True, "subjects": {"WBS": -1}, "description": ""}, "subj"),
        ("cv_metrics", [], "cv_metrics"),
        ("training", {"command": "x"}, "training lacks config"),
        ("software", {"torch": "2"}, "software lacks"),
        ("created", "last week", "created"),
        ("intended_use", "", "intended_use"),
        ("intended_use", "x" * 2001, "a text of 2001 characters is longer than the 2000"),
        ("name", " ", "name"),
        ("name", "n" * 101, "name must be one line of 1 to 100 characters"),
        ("name", "two\nlines", "name must be one line"),
        ("name", "photo\u202egpj.exe", "control or text-direction characters"),
        ("threshold_rule", "bell\x07", "control or text-direction characters"),
        ("cv_metrics", {"\x1b[31m": 1}, "control or text-direction characters"),
    ],
)
def test_invalid_card_field(field: str, value: Any, message: str) -> None:
    card = default_card("resnet18", "r")
    card[field] = value
    with pytest.raises(ModelError, match=message):
        validate_card(card)


def test_card_missing_field_and_not_an_object() -> None:
    card = default_card("resnet18", "r")
    del card["calibration"]
    with pytest.raises(ModelError, match="missing calibration"):
        validate_card(card)
    with pytest.raises(ModelError, match="not a JSON object"):
        validate_card([1, 2])


@pytest.mark.parametrize("version", [1, 3, 0, "2", None])
def test_unknown_format_version(version: Any) -> None:
    card = default_card("resnet18", "r")
    card["format_version"] = version
    with pytest.raises(ModelError, match="card format"):
        validate_card(card)


def test_invalid_card_in_a_file(tmp_path: Path, mobilenet: nn.Module) -> None:
    card = default_card("mobilenet_v2", "m")
    card["threshold"] = 2
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), card)
    with pytest.raises(ModelError, match="threshold must be a number from 0.001 to 0.999"):
        load_model(path)


def test_half_precision_storage_halves_the_file_and_keeps_the_outputs(
    tmp_path: Path, mobilenet: nn.Module
) -> None:
    full = tmp_path / "full.safetensors"
    half = tmp_path / "half.safetensors"
    save_bundle(full, [mobilenet], default_card("mobilenet_v2", "full"))
    save_bundle(half, [mobilenet], default_card("mobilenet_v2", "half", weights_dtype="float16"))
    assert half.stat().st_size < 0.55 * full.stat().st_size
    loaded = load_model(half)
    assert all(p.dtype == torch.float32 for p in loaded.networks[0].parameters())
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        expected = torch.softmax(mobilenet(x), 1)
        got = torch.softmax(loaded.networks[0](x), 1)
    assert torch.allclose(got, expected, atol=2e-3)
    with pytest.raises(ModelError, match="weights_dtype"):
        default_card("mobilenet_v2", "bad", weights_dtype="int8")


# ------------------------------------------- hostile files, each with a correct .sha256


def card_text_file(path: Path, tensors: dict[str, torch.Tensor], card_text: str) -> Path:
    """A bundle whose card is ``card_text`` verbatim, shipped with a matching checksum."""
    save_file(tensors, path, metadata={CARD_KEY: card_text})
    refresh_sidecar(path)
    return path


@contextmanager
def bounded(seconds: float = 2.0, megabytes: float = 64.0) -> Iterator[None]:
    """The block must finish within ``seconds`` and allocate under ``megabytes`` at its peak
    (Python allocations, where the old loader's hang grew)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes, f"peaked at {peak:.0f} MB"


def one_sentence(error: ModelError) -> str:
    text = str(error)
    assert text.endswith(".") and "\n" not in text and len(text) < 400, text
    return text


@pytest.mark.parametrize(
    ("normalization", "message"),
    [
        ({"mean": list(IMAGENET_MEAN), "std": [1e-30, 1e-30, 1e-30]}, "normalization std"),
        ({"mean": [1e6, 0, 0], "std": [1, 1, 1]}, "normalization mean"),
    ],
)
def test_absurd_but_once_legal_normalisation_is_refused_at_load(
    tmp_path: Path, mobilenet: nn.Module, normalization: dict, message: str
) -> None:
    """Finding 1: a tiny positive std made every score NaN, reported as "low"."""
    card = default_card("mobilenet_v2", "m")
    card["normalization"] = normalization
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), card)
    with bounded(), pytest.raises(ModelError, match=message) as caught:
        load_model(path)
    one_sentence(caught.value)


@pytest.mark.timeout(60)
def test_enormous_network_count_is_refused_at_once(tmp_path: Path, mobilenet: nn.Module) -> None:
    """Finding 2: loading hung for well over 20 s, its memory growing."""
    card = default_card("mobilenet_v2", "m")
    card["num_networks"] = 10**9
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), card)
    with bounded(), pytest.raises(ModelError, match="num_networks") as caught:
        load_model(path)
    one_sentence(caught.value)


@pytest.mark.parametrize("where", ["whole card", "inside a field"])
def test_deeply_nested_card_is_refused_not_a_crash(
    tmp_path: Path, mobilenet: nn.Module, where: str
) -> None:
    """Finding 3: a deeply nested card crashed with RecursionError."""
    deep = "[" * 100_000 + "]" * 100_000  # 200 kB: within the size limit
    if where == "whole card":
        text = deep
    else:
        text = json.dumps(default_card("mobilenet_v2", "m")).replace(
            '"cv_metrics": {}', f'"cv_metrics": {{"x": {deep}}}'
        )
    path = card_text_file(tmp_path / "m.safetensors", tensors_of([mobilenet]), text)
    with bounded(), pytest.raises(ModelError, match="nests deeper than 16 levels") as caught:
        load_model(path)
    one_sentence(caught.value)


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ("NaN", "NaN, which is not a number"),
        ("-Infinity", "-Infinity, which is not a number"),
        ("1e999", "the number 1e999 is too large"),
        ("1" * 5000, "a whole number of 5000 digits is too large"),
    ],
)
def test_non_numbers_in_a_card_are_refused(
    tmp_path: Path, mobilenet: nn.Module, literal: str, message: str
) -> None:
    text = json.dumps(default_card("mobilenet_v2", "m")).replace(
        '"cv_metrics": {}', f'"cv_metrics": {{"auc": {literal}}}'
    )
    path = card_text_file(tmp_path / "m.safetensors", tensors_of([mobilenet]), text)
    with bounded(), pytest.raises(ModelError, match=message) as caught:
        load_model(path)
    one_sentence(caught.value)


def test_oversized_card_is_refused_before_it_is_parsed(
    tmp_path: Path, mobilenet: nn.Module
) -> None:
    card = default_card("mobilenet_v2", "m")
    card["cv_metrics"] = {"padding": ["x" * 1000] * (MAX_CARD_BYTES // 1000)}
    path = write_raw(tmp_path / "m.safetensors", tensors_of([mobilenet]), card)
    with bounded(), pytest.raises(ModelError, match="bytes long, more than the 262,144"):
        load_model(path)


@pytest.mark.parametrize("declared", [MAX_HEADER_BYTES + 1, 2**63, 2**64 - 1])
def test_absurd_header_length_is_refused_before_safetensors_reads_it(
    tmp_path: Path, declared: int
) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(declared.to_bytes(8, "little") + b"{" + b" " * (MAX_HEADER_BYTES + 10))
    refresh_sidecar(path)
    with (
        bounded(),
        pytest.raises(
            ModelError, match=f"header of {declared:,} bytes, far more than any model needs"
        ) as caught,
    ):
        load_model(path)
    one_sentence(caught.value)


@pytest.mark.parametrize("dtype", ["F64", "BF16", "U8", "I64"])
def test_tensor_dtypes_in_the_header_are_checked_before_tensors_are_read(
    tmp_path: Path, mobilenet: nn.Module, dtype: str
) -> None:
    """A tensor listed as another dtype than the architecture's is refused from the header."""
    path = write_raw(
        tmp_path / "m.safetensors", tensors_of([mobilenet]), default_card("mobilenet_v2", "m")
    )
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + length])
    header["net0.classifier.1.weight"]["dtype"] = dtype
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + length :])
    refresh_sidecar(path)
    with (
        bounded(),
        pytest.raises(ModelError, match=r"net0\.classifier\.1\.weight is \w+ \(2, 1280\)"),
    ):
        load_model(path)


def test_nested_index_is_refused_not_a_crash(saved: Path) -> None:
    (saved.parent / "index.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="model list .* is damaged"):
        load_model(saved)


def test_save_refuses_a_card_that_load_would_refuse(tmp_path: Path, mobilenet: nn.Module) -> None:
    card = default_card("mobilenet_v2", "m")
    card["cv_metrics"] = {"auc": math.nan}
    with pytest.raises(ModelError, match="NaN or infinity"):
        save_bundle(tmp_path / "m.safetensors", [mobilenet], card)
    assert list(tmp_path.iterdir()) == []
