"""Grad-CAM: exact maps on hand-built networks, agreement with pytorch-grad-cam on the real
architectures, and no side effects on the network."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

from wbs_desktop.core.model.architectures import ARCHITECTURES, build_network, target_layer
from wbs_desktop.core.pipeline.gradcam import grad_cam, normalise_cam

# Linear head of the hand-built networks: 2 classes x 2 channels.
HEAD_W = np.array([[2.0, -1.0], [-1.0, 3.0]])
HEAD_B = np.array([0.1, -0.2])
# Input: one channel, 4x4, with positive and negative pixels.
X = np.array(
    [[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, -2.0], [-0.75, 3.0, 1.0, 0.2], [0.0, -0.3, 0.8, -1.2]]
)


def tiny_net(inplace_after_conv: bool) -> tuple[nn.Module, nn.Module]:
    """1x1 conv (channel 0: x, channel 1: 0.5 - x) -> ReLU -> global average pool -> Linear.

    Returns the network and its Grad-CAM target: the ReLU, or with ``inplace_after_conv``
    the conv itself, whose output the in-place ReLU then overwrites.
    """
    conv = nn.Conv2d(1, 2, kernel_size=1)
    relu = nn.ReLU(inplace=inplace_after_conv)
    head = nn.Linear(2, 2)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
        conv.bias.copy_(torch.tensor([0.0, 0.5]))
        head.weight.copy_(torch.from_numpy(HEAD_W))
        head.bias.copy_(torch.from_numpy(HEAD_B))
    network = nn.Sequential(conv, relu, nn.AdaptiveAvgPool2d(1), nn.Flatten(), head).eval()
    return network, conv if inplace_after_conv else relu


def input_tensor() -> torch.Tensor:
    return torch.from_numpy(X).float().view(1, 1, 4, 4)


def expected_relu_target(c: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits and cam when the target is the ReLU output A.

    d logit_c / d A_k(i,j) = W[c,k] / 16, so the channel weights are W[c,k] / 16.
    """
    a = np.stack([np.maximum(X, 0), np.maximum(0.5 - X, 0)])
    logits = HEAD_W @ a.mean(axis=(1, 2)) + HEAD_B
    cam = np.maximum(np.tensordot(HEAD_W[c] / 16, a, axes=1), 0)
    return logits, cam


def expected_conv_target(c: int) -> np.ndarray:
    """Cam when the target is the conv output Z, followed by ReLU.

    d logit_c / d Z_k(i,j) = W[c,k] / 16 where Z_k(i,j) > 0, else 0.
    """
    z = np.stack([X, 0.5 - X])
    weights = (HEAD_W[c][:, None, None] / 16 * (z > 0)).mean(axis=(1, 2))
    return np.maximum(np.tensordot(weights, z, axes=1), 0)


@pytest.mark.parametrize("c", [0, 1])
def test_exact_map_on_hand_built_network(c: int) -> None:
    network, layer = tiny_net(inplace_after_conv=False)
    logits, cam = grad_cam(network, layer, input_tensor(), c)
    want_logits, want_cam = expected_relu_target(c)
    assert cam.shape == (4, 4) and cam.dtype == torch.float32
    np.testing.assert_allclose(logits.numpy()[0], want_logits, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cam.numpy(), want_cam, rtol=1e-6, atol=1e-7)
    assert cam.max() > 0


@pytest.mark.parametrize("c", [0, 1])
def test_exact_map_when_an_inplace_op_follows_the_layer(c: int) -> None:
    network, layer = tiny_net(inplace_after_conv=True)
    logits, cam = grad_cam(network, layer, input_tensor(), c)
    np.testing.assert_allclose(logits.numpy()[0], expected_relu_target(c)[0], rtol=1e-6)
    np.testing.assert_allclose(cam.numpy(), expected_conv_target(c), rtol=1e-6, atol=1e-7)


def test_batch_gives_one_map_per_image_and_class() -> None:
    network, layer = tiny_net(inplace_after_conv=False)
    x = torch.cat([input_tensor(), input_tensor()])
    logits, cams = grad_cam(network, layer, x, [0, 1])
    assert logits.shape == (2, 2) and cams.shape == (2, 4, 4)
    for i, c in enumerate([0, 1]):
        np.testing.assert_allclose(cams[i].numpy(), expected_relu_target(c)[1], atol=1e-7)
    _, same_class = grad_cam(network, layer, x, 1)
    assert same_class.shape == (2, 4, 4)
    _, listed_single = grad_cam(network, layer, input_tensor(), [1])
    assert listed_single.shape == (1, 4, 4)


def test_normalise_cam() -> None:
    cam = torch.tensor([[[0.0, 2.0], [1.0, 4.0]], [[3.0, 3.0], [3.0, 3.0]]])
    out = normalise_cam(cam)
    torch.testing.assert_close(out[0], torch.tensor([[0.0, 0.5], [0.25, 1.0]]))
    torch.testing.assert_close(out[1], torch.zeros(2, 2))
    torch.testing.assert_close(normalise_cam(cam[0]), out[0])


def test_no_side_effects_on_the_network() -> None:
    network, layer = tiny_net(inplace_after_conv=False)
    flags = [p.requires_grad for p in network.parameters()]
    assert all(flags)
    grad_cam(network, layer, input_tensor(), 0)
    assert [p.requires_grad for p in network.parameters()] == flags
    assert all(p.grad is None for p in network.parameters())
    assert len(layer._forward_hooks) == 0


def test_hook_removed_and_flags_restored_after_an_error() -> None:
    network, layer = tiny_net(inplace_after_conv=False)
    with pytest.raises(IndexError):
        grad_cam(network, layer, input_tensor(), 5)
    assert len(layer._forward_hooks) == 0
    assert all(p.requires_grad for p in network.parameters())


def test_refuses_inference_mode_and_works_under_no_grad() -> None:
    network, layer = tiny_net(inplace_after_conv=False)
    with torch.inference_mode(), pytest.raises(RuntimeError, match="inference_mode"):
        grad_cam(network, layer, input_tensor(), 0)
    with torch.no_grad():
        _, cam = grad_cam(network, layer, input_tensor(), 1)
    np.testing.assert_allclose(cam.numpy(), expected_relu_target(1)[1], atol=1e-7)


def reference_cam(network: nn.Module, layer: nn.Module, x: torch.Tensor, c: int) -> np.ndarray:
    with GradCAM(model=network, target_layers=[layer]) as cam:
        return cam(input_tensor=x, targets=[ClassifierOutputTarget(c)])[0]


def scaled_like_reference(cam: torch.Tensor, size: int) -> np.ndarray:
    """pytorch-grad-cam min-max normalises, resizes bilinearly to the input, normalises again."""
    resized = cv2.resize(normalise_cam(cam).numpy(), (size, size))
    return normalise_cam(torch.from_numpy(resized)).numpy()


def random_network(arch: str) -> nn.Module:
    """A seeded random network whose batch-norm statistics fit random inputs.

    With torchvision's initial statistics (mean 0, variance 1) MobileNet-V2's activations
    shrink to ~1e-8 by the last block; one pass in train mode rescales them to order 1.
    """
    torch.manual_seed(0)
    network = build_network(arch, 2)
    norms = [m for m in network.modules() if isinstance(m, nn.BatchNorm2d)]
    if norms:
        for module in norms:
            module.momentum = None  # running statistics = those of this one batch
        network.train()
        with torch.no_grad():
            network(torch.randn(4, 3, 224, 224))
    return network.eval()


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_matches_pytorch_grad_cam(arch: str) -> None:
    network = random_network(arch)
    layer = target_layer(network, arch)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        plain = network(x)
    c = int(plain.argmax())

    logits, cam = grad_cam(network, layer, x, c)
    torch.testing.assert_close(logits, plain)
    assert cam.ndim == 2 and cam.shape[0] == cam.shape[1] > 1
    assert float(cam.max()) > 0 and float(cam.min()) < float(cam.max())
    assert all(p.grad is None for p in network.parameters())
    assert len(layer._forward_hooks) == 0

    ours = scaled_like_reference(cam, 224)
    theirs = reference_cam(network, layer, x, c)
    assert theirs.shape == ours.shape
    r = np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]
    assert r >= 0.999, f"{arch}: Pearson r = {r}"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu() -> None:
    torch.manual_seed(0)
    network = build_network("resnet18", 2).eval()
    x = torch.randn(2, 3, 224, 224)
    logits, cams = grad_cam(network, target_layer(network, "resnet18"), x, [0, 1])
    network.cuda()
    logits_gpu, cams_gpu = grad_cam(network, target_layer(network, "resnet18"), x.cuda(), [0, 1])
    assert cams_gpu.is_cuda
    torch.testing.assert_close(logits_gpu.cpu(), logits, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(cams_gpu.cpu(), cams, rtol=1e-2, atol=1e-3 * float(cams.max()))
