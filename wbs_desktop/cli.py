"""``wbs-desktop`` command line: gui (the default), predict, align, batch, report, models,
selftest.

Exit status: 0 success, 1 when any photo or step failed (one clear line on stderr each),
2 for wrong usage, 3 for an unexpected internal error.

JSON output is strict (no NaN or Infinity; the core never lets one reach a result). Human
output passes through ``files.printable``: a photo's file name or a model's card cannot
move the cursor, recolour the terminal or split a line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wbs_desktop.cli_case import (
    CaseDetailsError,
    case_for_photo,
    case_json,
    case_outcome,
    patient_from,
    with_every_photo,
)
from wbs_desktop.cli_parser import asked_language, build_parser
from wbs_desktop.core.errors import ModelError, WBSError
from wbs_desktop.core.files import printable
from wbs_desktop.core.i18n import _, set_language, system_language
from wbs_desktop.core.model.card_text import human_number, provenance_banner

if TYPE_CHECKING:  # for annotations only: the commands import these where used (torch)
    import numpy as np

    from wbs_desktop.core.case.combine import CasePhoto
    from wbs_desktop.core.model.bundle import ModelBundle
    from wbs_desktop.core.pipeline.analysis import Result

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _say(text: str, *, error: bool = False) -> None:
    """One line for a person, on stdout (or stderr for a failure)."""
    print(printable(text), file=sys.stderr if error else sys.stdout, flush=True)


def _json(value: Any, **options: Any) -> None:
    print(json.dumps(value, allow_nan=False, **options), flush=True)


def _note(note: str) -> str:
    return f" [{provenance_banner(note)}]" if note else ""


def _resolve_model(model: str | None) -> Path:
    from wbs_desktop.core.model.registry import default_model_path
    from wbs_desktop.core.paths import models_dir

    if model is None:
        return default_model_path()
    candidate = Path(model)
    if candidate.exists() or candidate.parent != Path("."):
        return candidate
    return models_dir() / model  # a bare file name refers to an installed bundle


def _load_bundle(model: str | None, device: str | None) -> ModelBundle:
    from wbs_desktop.core.model.bundle import load_model
    from wbs_desktop.core.model.devices import resolve_device

    target = resolve_device(device)
    return load_model(_resolve_model(model)).to(target)


def _print_human(photo: str, result: Result) -> None:
    spread = (
        _(", SD {score_std} across its {network_scores} networks").format(
            score_std=human_number(result.score_std), network_scores=len(result.network_scores)
        )
        if len(result.network_scores) > 1
        else ""
    )
    _say(
        _("{photo}: {summary} (score {score}{spread}, threshold {threshold})").format(
            photo=photo,
            summary=result.summary,
            score=human_number(result.score),
            spread=spread,
            threshold=human_number(result.threshold),
        )
        + _note(result.model["provenance_note"])
    )
    top = sorted(result.regions.items(), key=lambda item: item[1], reverse=True)[:3]
    from wbs_desktop.core.pipeline.regions import region_label

    shares = ", ".join(f"{region_label(name)} {share:.0%}" for name, share in top)
    _say(_("  heat: {regions}").format(regions=shares))
    for warning in result.warnings:
        _say(_("  warning: {warning}").format(warning=warning))


def _save_heatmaps(out_dir: Path, photo: str, image: np.ndarray, result: Result) -> None:
    from wbs_desktop.core.files import atomic_write_bytes
    from wbs_desktop.core.outputs.render import overlay, png_bytes

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(photo).stem
    atomic_write_bytes(
        out_dir / f"{stem}_heatmap_face.png",
        png_bytes(overlay(result.aligned.image, result.heatmap)),
    )
    atomic_write_bytes(
        out_dir / f"{stem}_heatmap_photo.png", png_bytes(overlay(image, result.heatmap_on_photo))
    )


def cmd_predict(args: argparse.Namespace) -> int:
    from wbs_desktop.core.case.combine import CasePhoto
    from wbs_desktop.core.case.identity import face_texture
    from wbs_desktop.core.pipeline.analysis import analyze
    from wbs_desktop.core.pipeline.imaging import load_image

    patient = patient_from(args)  # before the model loads: a wrong detail fails at once
    bundle = _load_bundle(args.model, args.device)
    failures = 0
    case_photos: list[CasePhoto] = []
    for photo in args.photos:
        try:
            image = load_image(photo)
            case = case_for_photo(patient, photo, args.photo_date, bundle.card) if patient else None
            result = analyze(image, bundle, bundle.device)
            if args.heatmap_out:
                _save_heatmaps(Path(args.heatmap_out), photo, image, result)
        except WBSError as error:
            failures += 1
            _say(f"{photo}: {error}", error=True)
            continue
        if case is not None:
            texture = face_texture(result.aligned.image)
            case_photos.append(
                CasePhoto(photo, result.logit, bundle.sha256, case.photo_date, texture=texture)
            )
        if args.json:
            extra = {"case": case_json(case)} if case else {}
            _json({"photo": photo, **result.to_json(), **extra})
        else:
            _print_human(photo, result)
    if patient and case_photos:
        summary, line = case_outcome(patient.patient_id, case_photos, bundle.card)
        if args.json:
            _json({"case": summary})
        else:
            _say(line)
    return EXIT_FAILED if failures else EXIT_OK


def cmd_align(args: argparse.Namespace) -> int:
    from wbs_desktop.core.files import atomic_write_bytes
    from wbs_desktop.core.outputs.render import png_bytes
    from wbs_desktop.core.pipeline.alignment import DEFAULT_SIZE, align_face
    from wbs_desktop.core.pipeline.imaging import load_image
    from wbs_desktop.core.pipeline.landmarks import detect_faces, require_faces

    image = load_image(args.photo)
    faces = require_faces(detect_faces(image))
    aligned = align_face(image, faces[0], args.size or DEFAULT_SIZE)
    atomic_write_bytes(args.out, png_bytes(aligned.image))
    info = {
        "photo": args.photo,
        "out": str(args.out),
        "size": aligned.size,
        "faces_found": len(faces),
        "right_eye": [round(float(v), 2) for v in aligned.right_eye_centre],
        "left_eye": [round(float(v), 2) for v in aligned.left_eye_centre],
    }
    if args.json:
        _json(info)
    else:
        _say(
            _("{out}: right eye at {right_eye}, left eye at {left_eye}").format(
                out=args.out, right_eye=info["right_eye"], left_eye=info["left_eye"]
            )
        )
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from wbs_desktop.core.model.registry import installed_bundles

    entries = installed_bundles()
    if args.json:
        _json([entry.to_json() for entry in entries], indent=2)
    elif not entries:
        _say("No model is installed.")
    for entry in [] if args.json else entries:
        mark = "*" if entry.default else " "
        _say(
            f"{mark} {entry.path.name}  {entry.name}  {entry.architecture}  {entry.status}  "
            f"sha256:{entry.sha256[:12]}  {entry.summary}"
        )
    return EXIT_OK


def cmd_selftest(args: argparse.Namespace) -> int:
    """Run the whole pipeline on the bundled sample photo and check the result is sane."""
    import numpy as np

    from wbs_desktop.core.paths import sample_photo_path
    from wbs_desktop.core.pipeline.analysis import analyze
    from wbs_desktop.core.pipeline.imaging import load_image

    bundle = _load_bundle(args.model, args.device)
    image = load_image(sample_photo_path())
    result = analyze(image, bundle, bundle.device)
    problems = []
    if not 0.0 <= result.score <= 1.0:
        problems.append(f"score {result.score} outside [0, 1]")
    if result.heatmap.shape != (bundle.input_size,) * 2 or not np.isfinite(result.heatmap).all():
        problems.append("heatmap has the wrong shape or non-finite values")
    if abs(sum(result.regions.values()) - 1.0) > 1e-3 and result.heatmap.max() > 0:
        problems.append("region heat shares do not add up to 1")
    if problems:
        _say("Self-test FAILED: " + "; ".join(problems), error=True)
        return EXIT_FAILED
    total_ms = result.timings["total"] * 1000
    _say(
        _(
            "Self-test passed: model '{name}' ({architecture}, {networks} "
            "network(s)) on {device}, sample photo analysed in {total_ms:.0f} ms, "
            "score {score}"
        ).format(
            name=bundle.name,
            architecture=bundle.card["architecture"],
            networks=len(bundle.networks),
            device=bundle.device,
            total_ms=total_ms,
            score=human_number(result.score),
        )
        + _note(bundle.provenance_note)
    )
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from wbs_desktop.core.outputs.batch import find_photos, write_csv
    from wbs_desktop.core.outputs.batch_cases import read_case_manifest, write_case_csv
    from wbs_desktop.core.outputs.batch_pipeline import screen_photos

    photos = find_photos(args.folder)
    if not photos:
        _say(
            _("No photos (JPEG, PNG, BMP, TIFF, WebP) in {folder}.").format(folder=args.folder),
            error=True,
        )
        return EXIT_FAILED
    cases = read_case_manifest(args.manifest) if args.manifest else None  # before the model
    bundle = _load_bundle(args.model, args.device)
    rows = []
    for number, row in enumerate(
        screen_photos(photos, bundle, bundle.device, workers=args.workers), 1
    ):
        rows.append(row)
        outcome = (
            f"{human_number(row.score)} {row.label}"
            if row.score is not None
            else _("failed: {error}").format(error=row.error)
        )
        _say(
            _("[{number}/{photos}] {name}: {outcome}").format(
                number=number, photos=len(photos), name=row.photo.name, outcome=outcome
            ),
            error=True,
        )
    if cases is None:
        write_csv(args.csv, rows)
    else:
        write_case_csv(args.csv, rows, cases, bundle.card)
    failed = sum(not row.ok for row in rows)
    _say(
        _("{screened} of {total} photos screened, {failed} failed; results in {csv}").format(
            screened=len(rows) - failed, total=len(rows), failed=failed, csv=args.csv
        )
        + _note(bundle.provenance_note)
    )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from wbs_desktop.core.outputs.report import ReportOptions, format_for, write_report
    from wbs_desktop.core.pipeline.analysis import analyze
    from wbs_desktop.core.pipeline.imaging import load_image

    format_for(args.out)  # a wrong suffix or patient detail fails before the model loads
    patient = patient_from(args)
    if len(args.photos) > 1 and patient is None:
        raise CaseDetailsError("Several photos make one case: give the patient's --patient-id.")
    bundle = _load_bundle(args.model, args.device)
    photo = args.photos[0]  # page 1's photo; a case of several lists them all on page 2
    image = load_image(photo)
    case = case_for_photo(patient, photo, args.photo_date, bundle.card) if patient else None
    result = analyze(image, bundle, bundle.device)
    if case is not None and len(args.photos) > 1:
        case = with_every_photo(case, args.photos, result, args.photo_date, bundle)
    options = ReportOptions(
        crop_to_face=args.crop_face, colormap=args.colormap, photo_label=Path(photo).name
    )
    write_report(args.out, image, result, card=bundle.card, options=options, case=case)
    _say(
        _("{out}: {summary} (score {score})").format(
            out=args.out, summary=result.summary, score=human_number(result.score)
        )
        + _note(bundle.provenance_note)
    )
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from wbs_desktop.gui.app import main as gui_main

    argv = [args.photo] if args.photo else []
    if args.model:
        argv += ["--model", args.model]
    if args.device:
        argv += ["--device", args.device]
    if args.screenshot:
        argv += ["--screenshot", args.screenshot]
    if args.language:
        argv += ["--language", args.language]
    return gui_main(argv)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "predict": cmd_predict,
    "align": cmd_align,
    "models": cmd_models,
    "selftest": cmd_selftest,
    "batch": cmd_batch,
    "report": cmd_report,
    "gui": cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    # The language first, so that --help and argparse's own words follow it too. The app
    # then picks its own default (the remembered choice) and tells the core.
    set_language(asked_language(argv) or system_language())
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"], namespace=argparse.Namespace(language=args.language))
    try:
        return int(HANDLERS[args.command](args))
    except ModelError as error:
        _say(_("Model problem: {error}").format(error=error), error=True)
    except WBSError as error:
        _say(str(error), error=True)
    except KeyboardInterrupt:
        _say(_("Interrupted."), error=True)
    except Exception as error:  # noqa: BLE001 - the CLI's last line of defence
        _say(
            _("Unexpected internal error ({kind}: {error}); please report it.").format(
                kind=type(error).__name__, error=error
            ),
            error=True,
        )
        return EXIT_INTERNAL
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
