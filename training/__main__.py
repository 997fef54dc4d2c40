"""``wbs-train`` (also ``python -m training``): synth, pretrain, cv, readers, export.

Exit status 0 on success; 1 with one clear line on stderr when the data, the configuration
or a file is the problem.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from training.config import ConfigError, load_config
from training.data import DataError
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.model.architectures import ARCHITECTURES


def _command_line(argv: Sequence[str] | None) -> str:
    return "wbs-train " + shlex.join(list(sys.argv[1:] if argv is None else argv))


def cmd_cv(args: argparse.Namespace) -> int:
    from training.cv import run_cv

    config = load_config(
        args.config,
        epochs=args.epochs,
        seed=args.seed,
        input_size=args.input_size,
        batch_size=args.batch_size,
        pretrained=False if args.no_pretrained else None,
        positive_group=args.positive,
        negative_groups=args.negatives,
        repeats=args.repeats,
    )
    manifest = run_cv(
        args.data,
        args.arch,
        args.folds,
        args.out,
        config,
        weights_file=args.weights,
        cache_dir=args.cache,
        device=args.device,
        progress=not args.quiet,
        command=args.command_line,
        resume=args.resume,
    )
    for arch in manifest["architectures"]:
        print(args.out / arch / "metrics.md")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from training.export import ThresholdPool, export_run

    pool = (
        ThresholdPool(frozenset(g.strip() for g in args.threshold_pool.split(",") if g.strip()))
        if args.threshold_pool
        else None
    )
    out = export_run(
        args.run,
        args.out,
        arch=args.arch,
        threshold_rule=args.threshold_rule,
        name=args.name,
        default=args.default,
        command=args.command_line,
        half=args.half,
        repeat=args.repeat,
        force=args.force,
        threshold_pool=pool,
    )
    print(out)
    return 0


def cmd_readers(args: argparse.Namespace) -> int:
    from training.readers import compare_readers

    print(compare_readers(args.run, args.ratings, arch=args.arch))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from training import synth

    return synth.run(args)


def cmd_pretrain(args: argparse.Namespace) -> int:
    from training import pretrain

    return pretrain.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wbs-train",
        description="Train and evaluate WBS Screen models the way the source study did.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from training import synth

    synth_parser = commands.add_parser("synth", help="generate the synthetic phenotype set")
    synth.add_arguments(synth_parser)
    synth_parser.set_defaults(handler=cmd_synth)

    from training import pretrain

    pretrain_parser = commands.add_parser(
        "pretrain", help="pretrain a backbone on real faces (the offline stand-in for ImageNet)"
    )
    pretrain.add_arguments(pretrain_parser)
    pretrain_parser.set_defaults(handler=cmd_pretrain)

    cv = commands.add_parser("cv", help="k-fold cross-validation of one or more networks")
    cv.add_argument("--data", type=Path, required=True, help="data folder or manifest CSV")
    cv.add_argument("--arch", nargs="+", required=True, choices=ARCHITECTURES)
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument(
        "--repeats",
        type=int,
        help="repeat the cross-validation with new folds and seeds (default 1)",
    )
    cv.add_argument("--out", type=Path, required=True, help="run folder (resumable)")
    cv.add_argument("--config", type=Path, help="TOML file of training options")
    cv.add_argument(
        "--weights",
        type=Path,
        help="start weights: a face-pretrained .safetensors from wbs-train "
        "pretrain, or an ImageNet .pth (default: the torch hub cache)",
    )
    cv.add_argument("--no-pretrained", action="store_true", help="train from scratch")
    cv.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run (finished folds are kept); refused if "
        "the configuration, the photos or the splits changed",
    )
    cv.add_argument("--cache", type=Path, help="aligned-face cache (default RUN/cache)")
    cv.add_argument("--device", default="auto", help="auto, cpu or cuda")
    cv.add_argument("--epochs", type=int)
    cv.add_argument("--batch-size", type=int)
    cv.add_argument("--input-size", type=int)
    cv.add_argument("--seed", type=int)
    cv.add_argument("--positive", help="positive group (default WBS)")
    cv.add_argument("--negatives", nargs="+", help="negative groups (default: all others)")
    cv.add_argument("--quiet", action="store_true")
    cv.set_defaults(handler=cmd_cv)

    readers = commands.add_parser("readers", help="human readers' ratings against the run")
    readers.add_argument("--run", type=Path, required=True)
    readers.add_argument(
        "--ratings",
        type=Path,
        required=True,
        help="CSV with columns reader, path (relative, as in the data set; "
        "or subject, for one-photo subjects), rating",
    )
    readers.add_argument("--arch", help="which architecture's ROC to draw them on")
    readers.set_defaults(handler=cmd_readers)

    export = commands.add_parser("export", help="bundle a run's fold models for the app")
    export.add_argument("run", type=Path)
    export.add_argument("--out", type=Path, required=True, help="FILE.safetensors")
    export.add_argument("--arch")
    export.add_argument(
        "--threshold-rule", help="youden (default), sensitivity:0.90 or specificity:0.90"
    )
    export.add_argument(
        "--threshold-pool",
        metavar="GROUP,GROUP",
        help="choose the threshold also on the development people's out-of-fold photos of "
        "these groups (healthy,WBS, say), not on the calibration people's alone",
    )
    export.add_argument("--name", help="model name shown in the app")
    export.add_argument(
        "--default", action="store_true", help="make it the default model of its folder's index"
    )
    export.add_argument(
        "--half", action="store_true", help="store the weights as float16 (half the file size)"
    )
    export.add_argument(
        "--repeat", type=int, default=0, help="which repeat's fold models to bundle (default 0)"
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="export even if the cross-validated AUC is not clearly above "
        "chance; the bundle is then marked unvalidated",
    )
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.command_line = _command_line(argv)
    try:
        return args.handler(args)
    except (DataError, ConfigError, WBSError) as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: run the same command with --resume to continue.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
