"""Writes the untrained, seeded placeholder bundle that the app ships until a trained
demo model replaces it: it exercises the whole pipeline, and says "untrained: pipeline
test only" wherever its (meaningless) score appears.

    python -m training.placeholder --out models/placeholder_mobilenet_v2.safetensors
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wbs_desktop.core.model.architectures import seeded_network
from wbs_desktop.core.model.bundle import save_bundle
from wbs_desktop.core.model.card import default_card
from wbs_desktop.core.model.registry import register_bundle

ARCHITECTURE = "mobilenet_v2"


def write_placeholder(out: Path, seed: int = 0, default: bool = True) -> Path:
    card = default_card(
        ARCHITECTURE,
        "Untrained placeholder (MobileNet-V2)",
        flip_tta=False,
        training={
            "command": f"python -m training.placeholder --out {out.as_posix()}",
            "config": {"seed": seed},
        },
    )
    save_bundle(out, [seeded_network(ARCHITECTURE, seed)], card)
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
