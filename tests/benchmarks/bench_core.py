"""Benchmark of the core pipeline on the CPU (or, with ``--device cuda``, the networks on a
GPU), for the README's performance section.

For each architecture a bundle can hold, in one process and with two torch threads:

1. the bare torchvision forward pass (``weights=None``, two classes, eval, ``no_grad``) on a
   ``[1,3,224,224]`` input;
2. ``analyze`` on a decoded ~1-megapixel JPEG (1152x864, made from scikit-image's
   astronaut) with a one-network bundle of that architecture, and its per-stage split;
3. our Grad-CAM against pytorch-grad-cam's ``GradCAM`` on the same input and weights, and
   the Pearson correlation of their maps;

then, in a child process, the peak resident memory of one VGG19 analysis (and the child's
resident memory after its imports, before the analysis).

Every figure is the median of ``--repeats`` runs after warm-up; the runs of the four
measurements are interleaved, so that load from other processes hits them alike. This is a
benchmark, not a test: it prints PASS/FAIL beside each target but always exits with 0.

    .venv/bin/python tests/benchmarks/bench_core.py [--archs vgg19 resnet34] [--repeats 7]
                                                     [--json OUT]
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn as nn
import torchvision

from wbs_desktop.core.model.architectures import ARCHITECTURES, build_network, target_layer
from wbs_desktop.core.model.bundle import load_model, save_bundle
from wbs_desktop.core.model.card import IMAGENET_MEAN, IMAGENET_STD, default_card
from wbs_desktop.core.pipeline import landmarks
from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.analysis import analyze
from wbs_desktop.core.pipeline.gradcam import grad_cam
from wbs_desktop.core.pipeline.imaging import load_image

THREADS = 2
INPUT_SIZE = 224
PHOTO_SIZE = (1152, 864)  # width, height: ~1 MP, 4:3
STAGES = ("landmarks", "alignment", "quality", "preprocess", "networks", "heatmap", "regions",
          "total")  # fmt: skip
ANALYZE_TARGET = 1.25  # analyze / bare forward, for vgg19 and resnet34
ANALYZE_TARGET_ARCHS = ("vgg19", "resnet34")
SPEEDUP_TARGET = 2.5  # pytorch-grad-cam / ours, every architecture
PEAK_TARGET_MB = 2000.0  # vgg19 analysis peak RSS, decimal MB (10^6 bytes)
CHILD_FLAG = "--child-peak-vgg19"
CPU = torch.device("cpu")


# ------------------------------------------------------------------------------ helpers


def _median_ms(seconds: Sequence[float]) -> float:
    return 1000.0 * statistics.median(seconds)


def _timed(fn: Callable[[], object], device: torch.device = CPU) -> float:
    """Seconds ``fn`` takes, its GPU work included (a GPU runs behind the Python)."""
    synchronise(device)
    start = time.perf_counter()
    fn()
    synchronise(device)
    return time.perf_counter() - start


def synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _minmax(a: np.ndarray) -> np.ndarray:
    a = a.astype(np.float64)
    span = float(a.max() - a.min())
    return (a - a.min()) / span if span > 0 else np.zeros_like(a)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel(), b.ravel()
    if a.std() == 0 or b.std() == 0:
        return float("nan")  # a constant map has no correlation to speak of
    return float(np.corrcoef(a, b)[0, 1])


def _kib_to_mb(kib: float) -> float:
    return kib * 1024 / 1e6


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _status_kib(field: str) -> int:
    """A ``VmRSS``/``VmHWM``-style field of /proc/self/status, in KiB (0 if absent)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM, and so ru_maxrss) to its current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def calibrate_batch_norm(network: nn.Module, crop: np.ndarray, batches: int = 2) -> None:
    """Give batch norm running statistics from (noisy copies of) the face crop.

    With torchvision's initial statistics (mean 0, variance 1) a random MobileNet-V2's
    activations die out, so its logits are 0 and its Grad-CAM is blank: nothing to compare
    and possibly denormal arithmetic. The crop's own statistics keep activations alive.
    """
    norms = [m for m in network.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    base = torch.from_numpy(crop).permute(2, 0, 1).float().unsqueeze(0) / 255
    base = (base - mean) / std
    generator = torch.Generator().manual_seed(0)
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    network.train()
    with torch.no_grad():
        for _ in range(batches):
            batch = base.repeat(8, 1, 1, 1)
            batch[4:] = batch[4:].flip(-1)
            network(batch + 0.3 * torch.randn(batch.shape, generator=generator))
    network.eval()
    for m, momentum in zip(norms, momenta, strict=True):
        m.momentum = momentum


def make_photo(folder: Path) -> Path:
    """Write a 1152x864 JPEG of the astronaut (face in the upper middle) and return its path."""
    from skimage import data  # only the parent needs scikit-image

    width, height = PHOTO_SIZE
    square = cv2.resize(data.astronaut(), (width, width), interpolation=cv2.INTER_CUBIC)
    photo = np.ascontiguousarray(square[:height])
    path = folder / "astronaut_1152x864.jpg"
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92]
    )
    if not ok:
        raise RuntimeError("could not encode the benchmark photo")
    path.write_bytes(encoded.tobytes())
    return path


# ---------------------------------------------------------------------------- one arch


def bench_arch(
    arch: str,
    photo: np.ndarray,
    crop: np.ndarray,
    folder: Path,
    repeats: int,
    warmup: int,
    device: torch.device,
) -> dict[str, Any]:
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    torch.manual_seed(0)
    bare: nn.Module = getattr(torchvision.models, arch)(weights=None, num_classes=2).eval()
    calibrate_batch_norm(bare, crop)
    bare.to(device)
    path = folder / f"{arch}.safetensors"
    # The bundle holds the bare network's weights, so both measure the same computation.
    save_bundle(path, [bare], default_card(arch, f"bench-{arch}", flip_tta=False))
    bundle = load_model(path).to(device)
    positive = bundle.positive_index

    x = bundle.preprocess(crop).to(device)  # [1,3,224,224]: the crop analyze scores

    # pytorch-grad-cam back-propagates into parameters, so it needs them trainable; ours
    # freezes them for the call. Both get this same copy of the bundle's network.
    cam_net = copy.deepcopy(bundle.networks[0]).requires_grad_(True).eval()
    layer = target_layer(cam_net, arch)
    theirs = GradCAM(model=cam_net, target_layers=[layer])
    targets = [ClassifierOutputTarget(positive)]

    def run_bare() -> None:
        with torch.no_grad():
            bare(x)

    stage_samples: dict[str, list[float]] = {stage: [] for stage in STAGES}

    def run_analyze() -> None:
        result = analyze(photo, bundle, device=device)
        for stage in STAGES:
            stage_samples[stage].append(result.timings.get(stage, float("nan")))

    def run_ours() -> None:
        grad_cam(cam_net, layer, x, positive)

    def run_theirs() -> None:
        theirs(input_tensor=x, targets=targets)

    runs: dict[str, Callable[[], None]] = {
        "forward": run_bare,
        "analyze": run_analyze,
        "ours": run_ours,
        "theirs": run_theirs,
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(warmup + repeats):
        for name, fn in runs.items():
            samples[name].append(_timed(fn, device))
    samples = {name: values[warmup:] for name, values in samples.items()}
    stage_samples = {stage: values[warmup:] for stage, values in stage_samples.items()}

    _, our_cam = grad_cam(cam_net, layer, x, positive)
    our_map = cv2.resize(
        our_cam.cpu().numpy().astype(np.float32),
        (INPUT_SIZE, INPUT_SIZE),
        interpolation=cv2.INTER_LINEAR,
    )
    their_map = theirs(input_tensor=x, targets=targets)[0]
    pearson = _pearson(_minmax(our_map), _minmax(their_map))
    theirs.activations_and_grads.release()

    med = {name: _median_ms(values) for name, values in samples.items()}
    stages_ms = {stage: _median_ms(values) for stage, values in stage_samples.items()}
    return {
        "forward_ms": med["forward"],
        "analyze_ms": med["analyze"],
        "analyze_over_forward": med["analyze"] / med["forward"],
        "networks_over_forward": stages_ms["networks"] / med["forward"],
        "gradcam_ours_ms": med["ours"],
        "gradcam_theirs_ms": med["theirs"],
        "gradcam_speedup": med["theirs"] / med["ours"],
        # The most any Grad-CAM costing at least one forward pass could gain over theirs.
        "gradcam_bound": med["theirs"] / med["forward"],
        "pearson_r": pearson,
        "cam_size": list(our_cam.shape),
        "stages_ms": stages_ms,
        "samples_s": samples,
        "stage_samples_s": stage_samples,
    }


# ------------------------------------------------------------------------- peak memory


def child_peak(bundle_path: Path, photo_path: Path) -> dict[str, Any]:
    """Run in the child: RSS after imports and after loading, and the peaks of each phase.

    ``peak_mb`` (ru_maxrss at the end, across the reset) covers the whole child: imports,
    loading and one analysis. The peak is then reset after loading, so that
    ``analysis_peak_mb`` shows the analysis alone.
    """
    torch.set_num_threads(THREADS)
    baseline_rss, baseline_peak = _status_kib("VmRSS"), _peak_rss_kib()
    bundle = load_model(bundle_path)
    photo = load_image(photo_path)
    loaded_rss, load_peak = _status_kib("VmRSS"), _peak_rss_kib()
    load_hwm = _status_kib("VmHWM")
    reset = _reset_peak()
    result = analyze(photo, bundle, device="cpu")
    analysis_peak = _peak_rss_kib()
    return {
        "baseline_rss_mb": _kib_to_mb(baseline_rss),
        "baseline_peak_mb": _kib_to_mb(baseline_peak),
        "loaded_rss_mb": _kib_to_mb(loaded_rss),
        "load_peak_mb": _kib_to_mb(load_peak),
        "load_vmhwm_mb": _kib_to_mb(load_hwm),
        "peak_reset": reset,
        "analysis_peak_mb": _kib_to_mb(analysis_peak),
        "final_rss_mb": _kib_to_mb(_status_kib("VmRSS")),
        "peak_mb": _kib_to_mb(max(load_peak, analysis_peak)),
        "analyze_s": result.timings["total"],
        "score": result.score,
    }


def measure_peak(folder: Path, photo_path: Path) -> dict[str, Any]:
    bundle_path = folder / "vgg19.safetensors"
    if not bundle_path.is_file():
        save_bundle(
            bundle_path,
            [build_network("vgg19", 2).eval()],
            default_card("vgg19", "bench-vgg19", flip_tta=False),
        )
    # Linux carries ru_maxrss across exec from the process that spawned it, so a direct
    # child would start with this (large) process's peak. A shell that forks the child, not
    # exec's it (hence the "; exit"), gives it a fresh count.
    command = [
        "/bin/sh",
        "-c",
        '"$0" "$@"; exit $?',
        sys.executable,
        str(Path(__file__).resolve()),
        CHILD_FLAG,
        "--bundle",
        str(bundle_path),
        "--photo",
        str(photo_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"child exited with {done.returncode}: {done.stderr.strip()[-2000:]}"}
    return json.loads(lines[-1])


# ------------------------------------------------------------------------------ report


def _fmt(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"  # NaN -> n/a


def render(
    results: dict[str, dict[str, Any]], peak: dict[str, Any] | None, targets: list[dict[str, Any]]
) -> str:
    out = [
        "| architecture | bare forward (ms) | analyze (ms) | analyze / forward | "
        "our Grad-CAM (ms) | pytorch-grad-cam (ms) | speed-up | bound (theirs / forward) "
        "| Pearson r |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for arch, r in results.items():
        out.append(
            f"| {arch} | {_fmt(r['forward_ms'])} | {_fmt(r['analyze_ms'])} | "
            f"{_fmt(r['analyze_over_forward'], 2)}x | {_fmt(r['gradcam_ours_ms'])} | "
            f"{_fmt(r['gradcam_theirs_ms'])} | {_fmt(r['gradcam_speedup'], 2)}x | "
            f"{_fmt(r['gradcam_bound'], 2)}x | {_fmt(r['pearson_r'], 4)} |"
        )
    out += [
        "",
        "Stage split of `analyze` (median ms per stage; the medians need not add up to the "
        "median total):",
        "",
        "| architecture | " + " | ".join(STAGES) + " | networks / forward |",
        "|---|" + "---:|" * (len(STAGES) + 1),
    ]
    for arch, r in results.items():
        cells = " | ".join(_fmt(r["stages_ms"][stage]) for stage in STAGES)
        out.append(f"| {arch} | {cells} | {_fmt(r['networks_over_forward'], 2)}x |")
    out.append("")
    if peak is None:
        out.append("Peak memory: not measured.")
    elif "error" in peak:
        out.append(f"Peak memory of a vgg19 analysis: child failed ({peak['error']})")
    else:
        out.append(
            f"Peak memory of a vgg19 analysis (child process that loads the bundle and analyses "
            f"one photo; ru_maxrss, MB = 10^6 bytes): **{_fmt(peak['peak_mb'], 0)} MB**. "
            f"RSS after imports {_fmt(peak['baseline_rss_mb'], 0)} MB; peak while loading "
            f"{_fmt(peak['load_peak_mb'], 0)} MB, RSS once loaded "
            f"{_fmt(peak['loaded_rss_mb'], 0)} MB; peak during `analyze` "
            + (
                f"{_fmt(peak['analysis_peak_mb'], 0)} MB (+"
                f"{_fmt(peak['analysis_peak_mb'] - peak['loaded_rss_mb'], 0)} MB over loaded)."
                if peak["peak_reset"]
                else "not separable (could not reset the peak)."
            )
        )
    out += ["", "Targets:", ""]
    for t in targets:
        out.append(f"- {t['verdict']}  {t['target']}: measured {t['measured']}")
    return "\n".join(out)


def check_targets(
    results: dict[str, dict[str, Any]], peak: dict[str, Any] | None, device: torch.device
) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []
    # On a GPU, analyze is MediaPipe's time on the CPU: its target is the CPU's.
    for arch in ANALYZE_TARGET_ARCHS if device.type == "cpu" else ():
        if arch in results:
            ratio = results[arch]["analyze_over_forward"]
            targets.append(
                {
                    "target": f"{arch} analyze <= {ANALYZE_TARGET}x bare forward",
                    "measured": f"{ratio:.2f}x",
                    "value": ratio,
                    "verdict": _verdict(ratio <= ANALYZE_TARGET),
                }
            )
    for arch, r in results.items():
        speedup = r["gradcam_speedup"]
        targets.append(
            {
                "target": f"{arch} Grad-CAM speed-up >= {SPEEDUP_TARGET}x over pytorch-grad-cam",
                "measured": f"{speedup:.2f}x",
                "value": speedup,
                "verdict": _verdict(speedup >= SPEEDUP_TARGET),
            }
        )
    if peak is not None:
        value = peak.get("peak_mb", float("nan"))
        targets.append(
            {
                "target": f"vgg19 analysis peak memory < {PEAK_TARGET_MB / 1000:g} GB",
                "measured": f"{_fmt(value, 0)} MB",
                "value": value,
                "verdict": _verdict(value < PEAK_TARGET_MB),  # NaN (child failed) -> FAIL
            }
        )
    return targets


# -------------------------------------------------------------------------------- main


def _parse_archs(values: Sequence[str]) -> list[str]:
    archs = [a.strip() for value in values for a in value.split(",") if a.strip()]
    unknown = [a for a in archs if a not in ARCHITECTURES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown architecture(s) {', '.join(unknown)}; choose from {', '.join(ARCHITECTURES)}"
        )
    return archs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--archs",
        nargs="+",
        default=list(ARCHITECTURES),
        help="architectures to measure (space or comma separated)",
    )
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--no-peak", action="store_true", help="skip the peak-memory child")
    parser.add_argument(
        "--device", default="cpu", help="cpu or cuda (on cuda: no peak-memory child)"
    )
    parser.add_argument(CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_peak_vgg19:
        print(json.dumps(child_peak(args.bundle, args.photo)))
        return 0
    try:
        archs = _parse_archs(args.archs)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be at least 1 and --warmup at least 0")

    device = torch.device(args.device)
    torch.set_num_threads(THREADS)
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="wbs-bench-") as tmp:
        folder = Path(tmp)
        photo_path = make_photo(folder)
        decode_s = [_timed(lambda: load_image(photo_path)) for _ in range(5)]
        photo = load_image(photo_path)
        landmarks.warm_up()
        crop = align_face(photo, landmarks.detect_faces(photo)[0], INPUT_SIZE).image
        for arch in archs:
            print(f"measuring {arch} ...", file=sys.stderr, flush=True)
            results[arch] = bench_arch(arch, photo, crop, folder, args.repeats, args.warmup, device)
            gc.collect()
        peak = None
        if not args.no_peak and device.type == "cpu":
            print("measuring vgg19 peak memory in a child process ...", file=sys.stderr, flush=True)
            peak = measure_peak(folder, photo_path)
    load_after = os.getloadavg()
    targets = check_targets(results, peak, device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU only"

    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads, "
        f"torchvision {torchvision.__version__}; networks on {where}; "
        f"photo {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEG "
        f"(decode {_median_ms(decode_s):.1f} ms, not counted in analyze); "
        f"median of {args.repeats} runs after {args.warmup} warm-up; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"({time.perf_counter() - started:.0f} s)."
    )
    print()
    print(render(results, peak, targets))

    if args.json is not None:
        report = {
            "meta": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "torchvision": torchvision.__version__,
                "threads": torch.get_num_threads(),
                "device": where,
                "cpu_count": os.cpu_count(),
                "machine": platform.machine(),
                "repeats": args.repeats,
                "warmup": args.warmup,
                "photo_size": list(PHOTO_SIZE),
                "decode_ms": _median_ms(decode_s),
                "loadavg_before": list(load_before),
                "loadavg_after": list(load_after),
                "wall_s": time.perf_counter() - started,
            },
            "architectures": results,
            "peak_memory_vgg19": peak,
            "targets": targets,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
