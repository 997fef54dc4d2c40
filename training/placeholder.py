"""Writes the untrained, seeded placeholder bundle that the app ships until a trained
demo model replaces it: it exercises the whole pipeline, and says "untrained: pipeline
test only" wherever its (meaningless) score appears.

    python -m training.placeholder --out models/placeholder_mobilenet_v2.safetensors
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from wbs_desktop.core.architectures import build_network
from wbs_desktop.core.bundle import default_card, save_bundle
from wbs_desktop.core.registry import register_bundle

ARCHITECTURE = "mobilenet_v2"


def write_placeholder(out: Path, seed: int = 0, default: bool = True) -> Path:
    torch.manual_seed(seed)
    network = build_network(ARCHITECTURE, 2)
    # Freshly initialised batch-norm statistics make MobileNet's activations vanish, which
    # would give every photo the same score and an empty heatmap: a poor test of the
    # pipeline. Estimating the statistics on random images gives a network whose outputs
    # vary from photo to photo, though they still mean nothing.
    network.train()
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # a plain average over the batches below
    with torch.no_grad():
        for _ in range(4):
            network(torch.randn(8, 3, 224, 224))
    network.eval()
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = 0.1
    card = default_card(
        ARCHITECTURE,
        "Untrained placeholder (MobileNet-V2)",
        flip_tta=False,
        training={"command": f"python -m training.placeholder --out {out.as_posix()}",
                  "config": {"seed": seed}},
    )
    save_bundle(out, [network], card)
    register_bundle(out, summary="untrained: pipeline test only", default=default)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(write_placeholder(args.out, args.seed))


if __name__ == "__main__":
    main()
