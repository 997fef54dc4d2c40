"""ImageNet weights for transfer learning, read from a temporary torch hub cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from training.pretrained import imagenet_weights_path, load_imagenet_weights
from wbs_desktop.core.errors import WeightsError
from wbs_desktop.core.model.architectures import build_network, head_name


@pytest.fixture
def torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


def imagenet_state(arch: str) -> dict[str, torch.Tensor]:
    """A state dict shaped like torchvision's 1000-class checkpoint (random values)."""
    torch.manual_seed(123)
    return build_network(arch, 1000).state_dict()


@pytest.mark.parametrize("arch", ["resnet18", "mobilenet_v2"])
def test_loads_backbone_from_hub_cache_and_keeps_new_head(torch_home: Path, arch: str) -> None:
    path = imagenet_weights_path(arch)
    assert path.parent == torch_home / "hub" / "checkpoints"
    assert path.name.startswith(arch) and path.suffix == ".pth"
    path.parent.mkdir(parents=True)
    state = imagenet_state(arch)
    torch.save(state, path)

    torch.manual_seed(0)
    network = build_network(arch, 2)
    head = head_name(arch) + "."
    fresh_head = {k: v.clone() for k, v in network.state_dict().items() if k.startswith(head)}
    assert load_imagenet_weights(network, arch) is network
    for key, value in network.state_dict().items():
        want = fresh_head[key] if key.startswith(head) else state[key]
        assert torch.equal(value, want), key


def test_explicit_file_and_matching_head(tmp_path: Path) -> None:
    path = tmp_path / "weights.pth"
    state = imagenet_state("resnet18")
    torch.save(state, path)
    network = load_imagenet_weights(build_network("resnet18", 1000), "resnet18", path)
    assert torch.equal(network.fc.weight, state["fc.weight"])


def test_missing_weights_name_the_expected_path(torch_home: Path) -> None:
    with pytest.raises(WeightsError, match="resnet18-.*pth"):
        load_imagenet_weights(build_network("resnet18", 2), "resnet18")


def test_weights_of_another_architecture(tmp_path: Path) -> None:
    path = tmp_path / "weights.pth"
    torch.save(imagenet_state("resnet18"), path)
    with pytest.raises(WeightsError, match="do not fit resnet34"):
        load_imagenet_weights(build_network("resnet34", 2), "resnet34", path)
    with pytest.raises(WeightsError, match="do not fit mobilenet_v2"):
        load_imagenet_weights(build_network("mobilenet_v2", 2), "mobilenet_v2", path)


class NotTensors:
    pass


@pytest.mark.parametrize("content", ["garbage", "object"])
def test_unreadable_or_unsafe_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "weights.pth"
    if content == "garbage":
        path.write_bytes(b"not a checkpoint")
    else:
        torch.save({"fc.weight": NotTensors()}, path)  # weights_only=True refuses it
    with pytest.raises(WeightsError, match="unreadable"):
        load_imagenet_weights(build_network("resnet18", 2), "resnet18", path)
