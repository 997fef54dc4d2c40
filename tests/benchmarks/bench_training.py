"""Training throughput of ``training.engine`` against a bare torchvision loop, per network.

Both loops run in this process, on the same uint8 crops, with the same batch size,
optimiser and thread count; they are interleaved epoch by epoch so outside load hits both
alike. The bare loop only normalises, forwards, back-propagates and steps; ours also
augments every batch (flip, affine, colour, blur) and keeps its bookkeeping. Target: ours at
least 0.9x the bare loop's images per second. A benchmark, not a test: always exits 0.

    .venv/bin/python tests/benchmarks/bench_training.py [--archs mobilenet_v2] [--size 112]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision

from training.config import load_config
from training.engine import lr_lambda, make_optimizer, normalise, train_one_epoch
from wbs_desktop.core.model.architectures import ARCHITECTURES


def bare_epoch(
    model: torch.nn.Module,
    crops: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    batch_size: int,
) -> float:
    """Images per second of the plainest loop torchvision's reference would run."""
    model.train()
    started = time.perf_counter()
    seen = 0
    for start in range(0, len(crops) - batch_size + 1, batch_size):
        x = normalise(crops[start : start + batch_size])
        loss = F.cross_entropy(model(x), labels[start : start + batch_size])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        seen += batch_size
    return seen / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=list(ARCHITECTURES), choices=ARCHITECTURES)
    parser.add_argument("--size", type=int, default=112, help="crop side in pixels")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--images", type=int, default=64, help="crops per epoch")
    parser.add_argument("--epochs", type=int, default=3, help="measured epochs per loop")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(0)
    crops = torch.randint(
        0, 256, (args.images, args.size, args.size, 3), dtype=torch.uint8, generator=generator
    )
    labels = torch.randint(0, 2, (args.images,), generator=generator)
    config = load_config(
        batch_size=args.batch_size,
        input_size=max(args.size, 32),
        pretrained=False,
        epochs=args.epochs + 1,
    )
    device = torch.device("cpu")
    figures = {}
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.images} crops "
        f"of {args.size} px, batch {args.batch_size}, median of {args.epochs} epochs after "
        "one warm-up epoch each\n"
    )
    print("| architecture | bare loop (img/s) | training.engine (img/s) | ratio | target >= 0.9 |")
    print("|---|---:|---:|---:|---|")
    for arch in args.archs:
        torch.manual_seed(0)
        ours = getattr(torchvision.models, arch)(num_classes=2)
        bare = getattr(torchvision.models, arch)(num_classes=2)
        bare.load_state_dict(ours.state_dict())
        our_optimizer, bare_optimizer = make_optimizer(ours, config), make_optimizer(bare, config)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            our_optimizer, lr_lambda(config, args.images // args.batch_size)
        )
        loss_fn = torch.nn.CrossEntropyLoss()
        our_rates, bare_rates = [], []
        for epoch in range(args.epochs + 1):
            stats = train_one_epoch(
                ours,
                crops,
                labels,
                our_optimizer,
                scheduler,
                loss_fn,
                config,
                device,
                epoch,
                seed=0,
            )
            rate = bare_epoch(bare, crops, labels, bare_optimizer, args.batch_size)
            if epoch:  # the first epoch of each warms up allocators and kernels
                our_rates.append(stats["images_per_second"])
                bare_rates.append(rate)
        ours_median, bare_median = statistics.median(our_rates), statistics.median(bare_rates)
        ratio = ours_median / bare_median
        figures[arch] = {"bare": bare_median, "ours": ours_median, "ratio": ratio}
        print(
            f"| {arch} | {bare_median:.1f} | {ours_median:.1f} | {ratio:.2f}x | "
            f"{'PASS' if ratio >= 0.9 else 'FAIL'} |",
            flush=True,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
