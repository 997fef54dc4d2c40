"""``wbs-train synth`` (also ``python -m training.synth``): make the synthetic data set.

wbs-train synth --out data/synth --per-class 200 --faces ../shared/faces --seed 0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from training.synth.bases import find_bases, read_identities
from training.synth.generation import OUTPUT_SIZE, generate


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``synth`` options to ``parser`` (for ``wbs-train synth``)."""
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--per-class",
        type=int,
        default=200,
        help="images per group (WBS, other, healthy); default 200",
    )
    parser.add_argument(
        "--faces",
        type=Path,
        nargs="+",
        default=None,
        help="folder(s) of base photos (default: the astronaut and Grace "
        "Hopper portraits that ship with scikit-image and matplotlib)",
    )
    parser.add_argument(
        "--identities",
        type=Path,
        default=None,
        help="CSV (columns file, identity) naming the person in each base "
        "photo, where one person has several photos",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--photos-per-subject",
        type=int,
        default=1,
        help="photos of each synthetic subject (default 1, as in the study)",
    )
    parser.add_argument("--size", type=int, default=OUTPUT_SIZE, help="output side in pixels")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``synth`` with parsed arguments; returns the exit status."""
    try:
        bases = find_bases(*args.faces) if args.faces is not None else None
        if bases is not None and not bases:
            raise ValueError(f"no photos in {', '.join(map(str, args.faces))}")
        known = read_identities(args.identities) if args.identities else None
        manifest = generate(
            args.out,
            args.per_class,
            bases,
            args.seed,
            progress=not args.quiet,
            photos_per_subject=args.photos_per_subject,
            size=args.size,
            identities=known,
        )
    except ValueError as error:
        print(f"synth: {error}", file=sys.stderr)
        return 1
    print(manifest)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``synth`` as a program of its own; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="synth", description="Make the synthetic phenotype data set (WBS/other/healthy)."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
