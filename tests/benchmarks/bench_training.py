"""Training throughput of ``training.engine`` against a bare torchvision loop, per network.

Both loops run in this process, on the same uint8 crops, with the same batch size,
optimiser and thread count; they are interleaved epoch by epoch so outside load hits both
alike. The bare loop only normalises, forwards, back-propagates and steps; ours also
augments every batch (flip, affine, colour, blur) and keeps its bookkeeping. Both run in the
same precision (autocast, and a GradScaler for fp16) with the crops already on the device;
ours holds the model channels-last, as ``fit`` does. Targets: ours at least 0.9x the bare
loop's images per second, and the precision ``auto`` picks never slower than fp32. A
benchmark, not a test: always exits 0.

    .venv/bin/python tests/benchmarks/bench_training.py [--archs mobilenet_v2] [--size 112]
        [--device cuda] [--precisions fp32 fp16 bf16] [--batch-size 32] [--images 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision

from training.config import PRECISIONS, TrainConfig, load_config
from training.engine import lr_lambda, make_optimizer, normalise, seed_everything, train_one_epoch
from training.precision import MixedPrecision, on_device, resident
from wbs_desktop.core.model.architectures import ARCHITECTURES


def bare_epoch(
    model: torch.nn.Module,
    crops: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    batch_size: int,
    precision: MixedPrecision,
) -> float:
    """Images per second of the plainest loop torchvision's reference would run."""
    model.train()
    synchronise(crops.device)
    started = time.perf_counter()
    seen = 0
    for start in range(0, len(crops) - batch_size + 1, batch_size):
        x = normalise(crops[start : start + batch_size])
        with precision.autocast():
            loss = F.cross_entropy(model(x), labels[start : start + batch_size])
        precision.step(loss, optimizer)
        seen += batch_size
    synchronise(crops.device)
    return seen / (time.perf_counter() - started)


def synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=list(ARCHITECTURES), choices=ARCHITECTURES)
    parser.add_argument("--size", type=int, default=112, help="crop side in pixels")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--images", type=int, default=64, help="crops per epoch")
    parser.add_argument("--epochs", type=int, default=3, help="measured epochs per loop")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument(
        "--precisions",
        nargs="+",
        default=["auto"],
        choices=PRECISIONS,
        help="autocast types to measure (auto: what training picks for the device)",
    )
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(2)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # as run_cv sets it
    generator = torch.Generator().manual_seed(0)
    crops = torch.randint(
        0, 256, (args.images, args.size, args.size, 3), dtype=torch.uint8, generator=generator
    )
    labels = torch.randint(0, 2, (args.images,), generator=generator)
    crops, labels = resident(crops, device), resident(labels, device)
    config = load_config(
        batch_size=args.batch_size,
        input_size=max(args.size, 32),
        pretrained=False,
        epochs=args.epochs + 1,
    )
    seed_everything(0, config.deterministic)  # the recipe's kernels, for both loops
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(
        f"torch {torch.__version__} on {where}, {torch.get_num_threads()} threads, "
        f"{args.images} crops of {args.size} px, batch {args.batch_size}, median of "
        f"{args.epochs} epochs after one warm-up epoch each; deterministic kernels "
        f"{config.deterministic}\n"
    )
    print(
        "| architecture | precision | bare loop (img/s) | training.engine (img/s) | ratio "
        "| target >= 0.9 |"
    )
    print("|---|---|---:|---:|---:|---|")
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for arch in args.archs:
        figures[arch] = {}
        for name in args.precisions:
            precision = MixedPrecision(name, device, arch)
            ours_median, bare_median = measure(arch, precision, crops, labels, config, args)
            ratio = ours_median / bare_median
            figures[arch][precision.name] = {
                "bare": bare_median,
                "ours": ours_median,
                "ratio": ratio,
            }
            print(
                f"| {arch} | {precision.name} | {bare_median:.1f} | {ours_median:.1f} | "
                f"{ratio:.2f}x | {'PASS' if ratio >= 0.9 else 'FAIL'} |",
                flush=True,
            )
    if len(args.precisions) > 1:
        print_precision_table(figures, device)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)


def measure(
    arch: str,
    precision: MixedPrecision,
    crops: torch.Tensor,
    labels: torch.Tensor,
    config: TrainConfig,
    args: argparse.Namespace,
) -> tuple[float, float]:
    """Median images per second of ours and of the bare loop, epochs interleaved."""
    device = crops.device
    torch.manual_seed(0)
    ours = getattr(torchvision.models, arch)(num_classes=2)
    bare = getattr(torchvision.models, arch)(num_classes=2)
    bare.load_state_dict(ours.state_dict())
    ours, bare = on_device(ours, device), bare.to(device)
    our_optimizer, bare_optimizer = make_optimizer(ours, config), make_optimizer(bare, config)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        our_optimizer, lr_lambda(config, args.images // args.batch_size)
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    # The bare loop gets a scaler of its own: they share nothing but the crops.
    bare_precision = MixedPrecision(precision.name, device)
    our_rates, bare_rates = [], []
    for epoch in range(args.epochs + 1):
        stats = train_one_epoch(
            ours, crops, labels, our_optimizer, scheduler, loss_fn, config, device, epoch,
            seed=0, precision=precision,
        )  # fmt: skip
        rate = bare_epoch(bare, crops, labels, bare_optimizer, args.batch_size, bare_precision)
        if epoch:  # the first epoch of each warms up allocators and kernels
            our_rates.append(stats["images_per_second"])
            bare_rates.append(rate)
    return statistics.median(our_rates), statistics.median(bare_rates)


def print_precision_table(
    figures: dict[str, dict[str, dict[str, float]]], device: torch.device
) -> None:
    """Ours in each precision against ours in fp32: where ``auto`` picks mixed precision for
    an architecture, it must not be slower than fp32."""
    names = sorted({name for per_arch in figures.values() for name in per_arch} - {"fp32"})
    if "fp32" not in next(iter(figures.values())) or not names:
        return
    print("\ntraining.engine against its own fp32 (PASS/FAIL where auto picks it):\n")
    print("| architecture | " + " | ".join(f"{name} / fp32" for name in names) + " |")
    print("|---|" + "---:|" * len(names))
    for arch, per_precision in figures.items():
        fp32 = per_precision["fp32"]["ours"]
        auto = MixedPrecision("auto", device, arch).name
        cells = []
        for name in names:
            ratio = per_precision[name]["ours"] / fp32
            verdict = (" PASS" if ratio >= 1 else " FAIL") if name == auto else ""
            cells.append(f"{ratio:.2f}x{verdict}")
        print(f"| {arch} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
