"""Benchmark of batch screening: photos per second of the pipelined batch over a folder.

For each architecture, a seeded one-network bundle (the default card: flip views on) is
written to a temporary folder, and a folder of ``--photos`` real photos is made by
re-encoding, at a few sizes, ``../shared/faces`` and ``../shared/faces-extra`` when present,
else the photos that ship with the app and its test dependencies. Measured in the same run:

1. the sequential loop, what ``batch`` did before the pipeline: ``batch.screen_photo``
   (decode + ``analyze``, with its Grad-CAM) photo after photo, MediaPipe warmed up first;
2. each stage alone: the prepare stage (decode, faces, alignment, quality) over the same
   pool of worker processes, and the networks alone on those crops in mini-batches; the
   slower of the two bounds what a pipeline of them can reach;
3. the pipeline, ``batch_pipeline.screen_photos``, worker start-up included.

One run of each, in that order, so the figures are as noisy as the machine: note the load
average printed with them. This is a benchmark, not a test: it prints PASS/FAIL beside the
target (the pipeline at least 1.3x the sequential loop on the CPU) and always exits with 0.

    .venv/bin/python tests/benchmarks/bench_batch.py [--arch resnet34 mobilenet_v2]
        [--photos 200] [--workers N] [--batch-size 8] [--device cpu|cuda] [--size 224]
        [--threads N] [--settings W:T [W:T ...]]

``--workers`` and ``--threads`` default to what the app chooses for the device
(``batch_pipeline.default_workers`` and ``network_threads``); ``--settings`` times several
such pairs in one run, against the same sequential loop and networks alone, which keep
torch's own thread count.

Worker processes are spawned and import this file again, so the heavy imports (torch) are
made inside the functions, never at the top.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
SCALES = (1.0, 0.7, 0.5, 0.85)  # each copy of a source photo at another size
TARGET = 1.3  # on a CPU: the pipeline against the sequential loop
GPU_TARGET = 0.8  # on a GPU: the pipeline against the prepare stage in one worker


def sources(folder: Path) -> list[Path]:
    """The real photos to copy: the shared folders, else those that ship with the app and
    its test dependencies (written to ``folder`` where they are arrays)."""
    shared = sorted(
        path
        for parent in (SHARED / "faces", SHARED / "faces-extra")
        if parent.is_dir()
        for path in parent.iterdir()
        if path.suffix.lower() in (".jpg", ".jpeg", ".png")
    )
    if shared:
        return shared
    import skimage.data
    from matplotlib import cbook
    from PIL import Image

    from wbs_desktop.core.paths import sample_photo_path

    astronaut = folder / "astronaut.png"
    Image.fromarray(skimage.data.astronaut()).save(astronaut)
    hopper = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return [sample_photo_path(), hopper, astronaut]


def make_folder(folder: Path, originals: list[Path], count: int) -> list[Path]:
    """``count`` photos, each an original re-encoded as a JPEG at one of :data:`SCALES`."""
    import cv2
    from PIL import Image

    from wbs_desktop.core.errors import ImageError
    from wbs_desktop.core.pipeline.imaging import load_image

    made: list[Path] = []
    for number in range(10 * count):  # an end even if most originals were refused
        if len(made) == count:
            break
        source = originals[number % len(originals)]
        scale = SCALES[(number // len(originals)) % len(SCALES)]
        try:
            image = load_image(source)
        except ImageError:
            continue  # an original the app refuses is no use to time
        height, width = image.shape[:2]
        size = (max(64, round(width * scale)), max(64, round(height * scale)))
        resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        path = folder / f"{number:04d}_{source.stem[:40]}.jpg"
        Image.fromarray(resized).save(path, quality=90)
        made.append(path)
    return sorted(made)


def _rate(count: int, run: Callable[..., object], *arguments: object) -> float:
    start = time.perf_counter()
    run(*arguments)
    return count / (time.perf_counter() - start)


def measure(
    arch: str, photos: list[Path], args: argparse.Namespace, folder: Path
) -> list[list[Any]]:
    """The rows of one architecture, one per ``(workers, threads)`` setting: the rates
    (photos per second) of the runs. The sequential loop and the networks alone are timed
    once and shared by the rows; the prepare stage and the pipeline are timed per setting."""
    from wbs_desktop.core.model.architectures import seeded_network
    from wbs_desktop.core.model.bundle import load_model, save_bundle
    from wbs_desktop.core.model.card import default_card
    from wbs_desktop.core.outputs.batch import screen_photo
    from wbs_desktop.core.outputs.batch_pipeline import network_log_odds, screen_photos
    from wbs_desktop.core.pipeline import landmarks
    from wbs_desktop.core.pipeline.prepare import Prepared
    from wbs_desktop.core.pipeline.prepare_pool import PreparedPhotos

    path = folder / f"{arch}.safetensors"
    save_bundle(path, [seeded_network(arch, 0)], default_card(arch, arch, input_size=args.size))
    bundle = load_model(path).to(args.device)
    landmarks.warm_up()
    screen_photo(photos[0], bundle, args.device)  # the networks' first run allocates

    count = len(photos)
    sequential = _rate(count, lambda: [screen_photo(p, bundle, args.device) for p in photos])
    crops: list[Any] = []

    def prepare_alone(workers: int) -> None:
        crops.clear()
        with PreparedPhotos(photos, args.size, mask_outside_face=False, workers=workers) as pool:
            crops.extend(p.seen for _, p, _ in pool if isinstance(p, Prepared))

    # On a GPU the target is set by the landmark (prepare) stage in one worker process.
    one_worker = _rate(count, prepare_alone, 1) if args.device != "cpu" else None

    def networks_alone() -> None:
        for start in range(0, len(crops), args.batch_size):
            network_log_odds(bundle, crops[start : start + args.batch_size], bundle.device)

    def pipeline(workers: int, threads: int) -> None:
        screened = screen_photos(
            photos,
            bundle,
            args.device,
            workers=workers,
            threads=threads,
            batch_size=args.batch_size,
        )
        list(screened)

    rows: list[list[Any]] = []
    network_rate = 0.0
    for workers, threads in args.settings:
        prepare_rate = _rate(count, prepare_alone, workers)
        if not network_rate:
            # Photos without a face cost the networks nothing: rate them per photo.
            network_rate = _rate(count, networks_alone)
        pipelined = _rate(count, pipeline, workers, threads)
        slowest = min(prepare_rate, network_rate)
        setting = f"{workers} + {threads if args.device == 'cpu' else '-'}"
        rows.append(
            [arch, setting, sequential, prepare_rate, network_rate, pipelined, slowest, one_worker]
        )
    return rows


def _table(rows: list[list[Any]], device: str) -> Iterator[str]:
    on_gpu = device != "cpu"
    yield (
        "| architecture | workers + threads | sequential loop | prepare stage alone "
        "| networks alone | pipeline | pipeline / sequential | pipeline / slowest stage |"
        + (" prepare stage, 1 worker | pipeline / that |" if on_gpu else "")
    )
    yield "|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if on_gpu else "")
    for arch, setting, sequential, prepare, networks, pipelined, slowest, one_worker in rows:
        verdict = " PASS" if pipelined >= TARGET * sequential else " FAIL"
        line = (
            f"| {arch} | {setting} | {sequential:.1f}/s | {prepare:.1f}/s | {networks:.1f}/s | "
            f"{pipelined:.1f}/s | {pipelined / sequential:.2f}x{'' if on_gpu else verdict} | "
            f"{pipelined / slowest:.2f}x |"
        )
        if on_gpu:
            gpu_verdict = " PASS" if pipelined >= GPU_TARGET * one_worker else " FAIL"
            line += f" {one_worker:.1f}/s | {pipelined / one_worker:.2f}x{gpu_verdict} |"
        yield line


def _setting(text: str) -> tuple[int, int | None]:
    """``"W:T"`` (or ``"W"``) of ``--settings``: worker processes and torch threads."""
    workers, _, threads = text.partition(":")
    return int(workers), int(threads) if threads else None


def main() -> None:
    import torch

    from wbs_desktop.core.outputs.batch_pipeline import default_workers, network_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["resnet34", "mobilenet_v2"])
    parser.add_argument("--photos", type=int, default=200, help="photos in the folder")
    parser.add_argument("--workers", type=int, help="prepare processes (default: the app's)")
    parser.add_argument(
        "--settings",
        nargs="+",
        type=_setting,
        help="several pipeline settings to time against the same baselines, each "
        "WORKERS:THREADS (e.g. 0:4 1:3); default: --workers and --threads",
    )
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--size", type=int, default=224, help="the bundle's input size")
    parser.add_argument(
        "--threads", type=int, help="the pipeline's torch threads on a CPU (default: the app's)"
    )
    args = parser.parse_args()
    if args.workers is None:
        args.workers = default_workers(torch.device(args.device))
    args.threads = args.threads or network_threads(args.workers)
    args.settings = [
        (workers, threads or network_threads(workers))
        for workers, threads in (args.settings or [(args.workers, args.threads)])
    ]
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as temporary:
        folder = Path(temporary)
        (folder / "photos").mkdir()
        originals = sources(folder)
        photos = make_folder(folder / "photos", originals, args.photos)
        print(
            f"{len(photos)} photos re-encoded from {len(originals)} originals in "
            f"{sorted({str(path.parent) for path in originals})}; device {args.device}; torch "
            f"{torch.__version__}, {torch.get_num_threads()} threads; pipeline settings "
            f"(workers + threads on a CPU): "
            f"{', '.join(f'{w} + {t}' for w, t in args.settings)}; "
            f"batch {args.batch_size}; {len(os.sched_getaffinity(0))} cores; load average "
            f"{os.getloadavg()[0]:.1f}\n"
        )
        rows = [row for arch in args.arch for row in measure(arch, photos, args, folder)]
    print("\n".join(_table(rows, args.device)))
    print(
        f"\nload average after: {os.getloadavg()[0]:.1f}. Targets: on a CPU, pipeline >= "
        f"{TARGET}x the sequential loop; on a GPU, >= {GPU_TARGET}x the prepare stage in one "
        "worker."
    )


if __name__ == "__main__":
    main()
