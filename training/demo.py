"""Reproduces the bundled demonstration model end to end, and measures whether it
generalises to people it never saw.

    python -m training.demo --faces ../shared/faces --out runs/demo \\
        --model-out models/demo_mobilenet_v2.safetensors

1. split the base photos by identity: every fourth photo (sorted by name) is held out;
2. ``synth`` the phenotype set from the other photos only;
3. five-fold ``cv`` with ``training/configs/demo.toml``, then ``export`` the fold ensemble;
4. on the held-out real photos, score each photo as it is and a WBS-warped version of it,
   and report the AUC of warped against unwarped (plus the other-syndrome warps' scores).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np

from training import metrics, synth
from training.config import load_config
from training.cv import run_cv
from training.export import export_run
from wbs_desktop.core.analysis import analyze
from wbs_desktop.core.bundle import load_model
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.imaging import load_image
from wbs_desktop.core.landmarks import detect_faces

CONFIG = Path(__file__).parent / "configs" / "demo.toml"
ARCHITECTURE = "mobilenet_v2"
HOLDOUT_EVERY = 4


def split_bases(folder: Path) -> tuple[list[Path], list[Path]]:
    """(training bases, held-out bases): disjoint identities."""
    bases = synth.find_bases(folder)
    held_out = bases[::HOLDOUT_EVERY]
    return [b for b in bases if b not in held_out], held_out


def evaluate_on_unseen(bundle_path: Path, photos: list[Path], seed: int = 0,
                       strength: float = 0.8) -> dict[str, Any]:
    """Scores of unseen real photos as they are, WBS-warped and other-syndrome-warped."""
    bundle = load_model(bundle_path)
    rng = np.random.default_rng(seed)
    rows = []
    for photo in photos:
        try:
            image = load_image(photo)
            faces = detect_faces(image)
            if not faces:
                continue
            row = {"photo": photo.name, "plain": analyze(image, bundle, "cpu").score}
            for group in ("WBS", "other"):
                warped, _, regions = synth.apply_gestalt(image, faces[0].landmarks, group,
                                                         strength, rng, identity_scale=0.0)
                row[group] = analyze(np.ascontiguousarray(warped), bundle, "cpu").score
                row[f"{group}_regions"] = sorted(regions)
        except WBSError:
            continue
        rows.append(row)
    plain = [r["plain"] for r in rows]
    wbs = [r["WBS"] for r in rows]
    other = [r["other"] for r in rows]
    labels = [0] * len(plain) + [1] * len(wbs)
    return {
        "photos": len(rows), "warp_strength": strength,
        "auc_wbs_warped_vs_plain": metrics.roc_auc(labels, plain + wbs),
        "auc_wbs_warped_vs_other_warped": metrics.roc_auc(labels, other + wbs),
        "mean_score": {"plain": float(np.mean(plain)), "WBS_warped": float(np.mean(wbs)),
                       "other_warped": float(np.mean(other))},
        "threshold": bundle.card["threshold"],
        "flagged_fraction": {
            name: float(np.mean(np.array(values) >= bundle.card["threshold"]))
            for name, values in (("plain", plain), ("WBS_warped", wbs), ("other_warped", other))
        },
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, required=True, help="folder of real base photos")
    parser.add_argument("--out", type=Path, required=True, help="work folder (resumable)")
    parser.add_argument("--model-out", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=600)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    command = "python -m training.demo " + shlex.join(sys.argv[1:] if argv is None else argv)

    train_bases, held_out = split_bases(args.faces)
    data = args.out / "synth"
    if not (data / "manifest.csv").is_file():
        synth.generate(data, args.per_class, train_bases, seed=args.seed)
    run = args.out / "cv"
    run_cv(data, [ARCHITECTURE], args.folds, run, load_config(CONFIG, seed=args.seed),
           cache_dir=args.out / "cache", device="cpu", command=command)
    # Five fold models in float16: ~22 MB, within the 25 MB the installer allows the demo.
    export_run(run, args.model_out, name="Demo: MobileNet-V2 on synthetic phenotypes",
               default=True, command=command, half=True)
    evaluation = evaluate_on_unseen(args.model_out, held_out, seed=args.seed)
    evaluation["held_out_bases"] = [p.name for p in held_out]
    evaluation["training_bases"] = [p.name for p in train_bases]
    (args.out / "unseen_identities.json").write_text(json.dumps(evaluation, indent=2) + "\n",
                                                     encoding="utf-8")
    print(f"unseen identities: AUC (WBS-warped vs plain) "
          f"{evaluation['auc_wbs_warped_vs_plain']:.3f} over {evaluation['photos']} photos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
