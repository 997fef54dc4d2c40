"""The study-sized benchmark: does a face-pretrained start let ~330 photos learn?

    python -m training.study_size --faces ../shared/faces ../shared/faces-extra \\
        --identities training/identities/shared_faces.csv --out runs/study

1. The people in ``--faces`` are split in two, by a fixed rule on their identity: the
   pretext people and the study people, who never meet.
2. ``pretrain`` a backbone of each architecture on the pretext people.
3. For each seed, ``synth`` a study-sized set (110 subjects per group, as the source study
   had 91-145) from the study people, and run the same five-fold ``cv`` (people-disjoint
   folds) from scratch and from the pretrained start.
4. Print and write (``RUN/study.md``, ``RUN/study.json``) the AUC of every run: mean ± SD
   over the folds, the weakest fold, and the time each step took.

Everything is resumable: finished steps are found in ``--out`` and not run again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from training import pretext, pretrain, synth
from training.config import load_config
from training.cv import run_cv
from training.run_record import write_json
from wbs_desktop.core.files import atomic_write

CONFIG = Path(__file__).parent / "configs" / "study.toml"
ARCHITECTURES = ("mobilenet_v2", "resnet18")
PER_CLASS = 110
STUDY_SHARE = 2  # of 5: the share of people kept for the study sets


def is_study_person(identity: str) -> bool:
    """A fixed, seed-free rule, so every run of the benchmark splits people alike."""
    return int(hashlib.sha256(identity.encode()).hexdigest(), 16) % 5 < STUDY_SHARE


def split_people(photos: list[Path], identities: dict[str, str]) -> tuple[list[Path], list[Path]]:
    """(pretext photos, study photos): no person in both."""
    person = {p.name: identities.get(p.name) or p.stem for p in photos}
    study = [p for p in photos if is_study_person(person[p.name])]
    return [p for p in photos if p not in study], study


def _pretrained(
    out: Path,
    arch: str,
    photos: list[Path],
    identities: dict[str, str],
    shared: dict[str, pretext.PretextSet],
    log: pretext.Log,
) -> tuple[Path, float]:
    """The backbone of ``arch``; the pretext set is made once and shared by the archs."""
    path = out / f"pretrained_{arch}.safetensors"
    if path.is_file():
        return path, float(pretrain.read_pretrained_card(path)["seconds"])
    started = time.perf_counter()
    settings = pretext.PretextSettings.for_architecture(arch)
    if "set" not in shared:
        shared["set"] = pretext.make_pretext_set(photos, settings, identities, log)
    pretrain.pretrain(
        photos,
        arch,
        path,
        settings,
        identities=identities,
        device="cpu",
        log=log,
        pretext=shared["set"],
    )
    return path, time.perf_counter() - started


def _cv(out: Path, data: Path, arch: str, seed: int, weights: Path | None) -> dict[str, Any]:
    run = out / f"seed{seed}" / ("pretrained" if weights else "scratch")
    metrics_file = run / arch / "metrics.json"
    if not metrics_file.is_file():
        config = load_config(CONFIG, seed=seed, pretrained=weights is not None)
        run_cv(
            data,
            [arch],
            5,
            run,
            config,
            weights_file=weights,
            cache_dir=out / "cache",
            device="cpu",
            progress=False,
            resume=True,
        )
    report = json.loads(metrics_file.read_text(encoding="utf-8"))
    folds = sorted((run / arch).glob("repeat*/fold*/fold.json"))
    auc = report["summary"]["auc"]
    return {
        "arch": arch,
        "start": "pretrained" if weights else "scratch",
        "seed": seed,
        "auc_mean": auc["mean"],
        "auc_sd": auc["std"],
        "auc_min": min(auc["per_fold"]),
        "auc_folds": auc["per_fold"],
        "pooled_auc_ci95": report["pooled_auc"]["ci95"],
        "seconds": sum(json.loads(f.read_text(encoding="utf-8"))["seconds"] for f in folds),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| network | start | seed | AUC, mean ± SD over 5 folds | weakest fold | folds "
        "| training time |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['arch']} | {r['start']} | {r['seed']} | {100 * r['auc_mean']:.1f} "
            f"± {100 * r['auc_sd']:.1f} | {100 * r['auc_min']:.1f} | "
            + " / ".join(f"{100 * v:.1f}" for v in r["auc_folds"])
            + f" | {r['seconds'] / 60:.1f} min |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, nargs="+", required=True)
    parser.add_argument("--identities", type=Path, help="CSV naming the person in each photo")
    parser.add_argument("--out", type=Path, required=True, help="work folder (resumable)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--arch", nargs="+", default=list(ARCHITECTURES))
    args = parser.parse_args(argv)
    command = "python -m training.study_size " + shlex.join(sys.argv[1:] if argv is None else argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    identities = synth.read_identities(args.identities) if args.identities else {}
    pretext_photos, study_photos = split_people(synth.find_bases(*args.faces), identities)
    log(f"{len(pretext_photos)} pretext photos, {len(study_photos)} study photos")
    timings: dict[str, float] = {}
    weights: dict[str, Path] = {}
    pretext_set: dict[str, pretext.PretextSet] = {}
    for arch in args.arch:
        weights[arch], timings[f"pretrain {arch}"] = _pretrained(
            args.out, arch, pretext_photos, identities, pretext_set, log
        )
        log(f"pretrained {arch}: {timings[f'pretrain {arch}'] / 60:.1f} min")
    results = []
    for seed in args.seeds:
        data = args.out / f"seed{seed}" / "synth"
        if not (data / "manifest.csv").is_file():
            synth_started = time.perf_counter()
            synth.generate(
                data, PER_CLASS, study_photos, seed=seed, progress=False, identities=identities
            )
            timings[f"synth seed {seed}"] = time.perf_counter() - synth_started
        for arch in args.arch:
            for start in (None, weights[arch]):
                results.append(_cv(args.out, data, arch, seed, start))
                log(table(results[-1:]).splitlines()[-1])
    timings["total (this invocation)"] = time.perf_counter() - started
    summary = {
        "command": command,
        "config": str(CONFIG),
        "per_class": PER_CLASS,
        "pretext_photos": [p.name for p in pretext_photos],
        "study_photos": [p.name for p in study_photos],
        "results": results,
        "timings_s": timings,
    }
    write_json(args.out / "study.json", summary)
    text = (
        f"# Study-sized benchmark\n\n`{command}`\n\n{PER_CLASS} synthetic subjects per "
        f"group from {len(study_photos)} photos of people the pretext never saw; five "
        "people-disjoint folds; same configuration for both starts "
        f"(`{CONFIG.name}`).\n\n{table(results)}\nTimes: "
        + ", ".join(f"{k} {v / 60:.1f} min" for k, v in timings.items())
        + "\n"
    )
    atomic_write(args.out / "study.md", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
