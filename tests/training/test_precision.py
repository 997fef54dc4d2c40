"""Mixed precision in training: which autocast type each device gets, and that a fit in
each precision learns, on the CPU here and on a CUDA GPU where there is one."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision

from training.config import ConfigError, load_config
from training.engine import fit, lr_lambda, make_optimizer, predict_logits, train_one_epoch
from training.precision import MixedPrecision, autocast_dtype

CPU = torch.device("cpu")
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _crops(count: int = 24, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Crops whose label is written in their brightness: learnable in a few steps."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(count) % 2
    noise = torch.randint(0, 40, (count, size, size, 3), generator=generator)
    crops = (noise + 60 + 120 * labels.view(-1, 1, 1, 1)).to(torch.uint8)
    return crops, labels


def test_auto_is_fp32_on_the_cpu_and_explicit_choices_are_kept() -> None:
    assert autocast_dtype("auto", CPU) is None
    assert autocast_dtype("auto", CPU, "vgg19") is None  # mixed precision is for GPUs
    assert autocast_dtype("fp32", CPU) is None
    assert autocast_dtype("fp16", CPU) is torch.float16
    assert autocast_dtype("bf16", CPU) is torch.bfloat16
    assert MixedPrecision("auto", CPU).name == "fp32"
    assert MixedPrecision("fp16", CPU).scaler is not None  # fp16 needs loss scaling
    assert MixedPrecision("bf16", CPU).scaler is None  # bf16 does not
    with pytest.raises(ValueError, match="precision must be one of"):
        autocast_dtype("fp8", CPU)


def test_the_config_refuses_an_unknown_precision() -> None:
    assert load_config(precision="bf16").precision == "bf16"
    with pytest.raises(ConfigError, match="precision must be one of"):
        load_config(precision="half")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_an_epoch_in_each_precision_moves_the_weights(precision: str) -> None:
    crops, labels = _crops()
    config = load_config(batch_size=8, input_size=32, pretrained=False, epochs=1)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=2)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = make_optimizer(model, config)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda(config, 3))
    stats = train_one_epoch(
        model, crops, labels, optimizer, scheduler, torch.nn.CrossEntropyLoss(), config, CPU,
        epoch=0, seed=0, precision=MixedPrecision(precision, CPU),
    )  # fmt: skip
    assert math.isfinite(stats["train_loss"]) and stats["images"] == 24
    assert all(p.dtype == torch.float32 for p in model.parameters())  # autocast casts copies
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def _fit_on(device: torch.device, precision: str) -> tuple[float, dict[str, torch.Tensor]]:
    """Fit a small network on crops whose class is their brightness; return its accuracy on
    them and the weights fit kept."""
    crops, labels = _crops(64)
    config = load_config(
        batch_size=8, input_size=32, pretrained=False, epochs=6, precision=precision,
        learning_rate=1e-3, keep_weights="last", early_stopping_patience=6,
    )  # fmt: skip
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=2)
    state = fit(model, (crops, labels), (crops[:16], labels[:16]), config, device, seed=0)
    assert state.best_state is not None
    accuracy = float((predict_logits(model, crops, device).argmax(1) == labels).float().mean())
    return accuracy, state.best_state


def test_without_validation_photos_every_epoch_runs_and_the_last_weights_stay() -> None:
    crops, labels = _crops(32)
    config = load_config(
        batch_size=8, input_size=32, pretrained=False, epochs=3, inner_validation_fraction=0,
        keep_weights="last", early_stopping_patience=1,
    )  # fmt: skip
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=2)
    state = fit(model, (crops, labels), (crops[:0], labels[:0]), config, CPU, seed=0)
    # patience 1 would stop a fit with validation after its second epoch: none here to judge by
    assert state.epoch == 3 and not state.stopped_early
    assert state.best_state is None and state.best_epoch == -1
    assert all(
        "val_loss" not in epoch and math.isfinite(epoch["train_loss"]) for epoch in state.history
    )


def test_the_best_weights_are_plain_cpu_tensors_whatever_the_layout_in_training() -> None:
    _, best = _fit_on(CPU, "auto")
    # fit trains channels-last; the kept weights must save as they are (safetensors wants
    # contiguous tensors) and never share storage with the model that goes on training.
    assert all(t.device == CPU and t.is_contiguous() for t in best.values())


@needs_cuda
def test_auto_on_a_gpu_is_mixed_for_vgg_only() -> None:
    cuda = torch.device("cuda")
    expected = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    assert MixedPrecision("auto", cuda, "vgg19").name == expected
    assert MixedPrecision("auto", cuda, "resnet34").name == "fp32"
    assert MixedPrecision("auto", cuda, "mobilenet_v2").name == "fp32"


@needs_cuda
@pytest.mark.parametrize("precision", ["auto", "fp16", "fp32"])
def test_a_fit_on_the_gpu_learns_in_each_precision(precision: str) -> None:
    accuracy, best = _fit_on(torch.device("cuda"), precision)
    assert accuracy >= 0.9
    assert all(t.device == CPU and t.is_contiguous() for t in best.values())
