"""Background jobs: model loading, photo reading, analysis, batch screening, reports.

Each job is a small ``QThread`` subclass (labelme's pattern) with typed signals:
``progress(done, total, text)``, ``succeeded(value)`` and ``error(exception)``, emitted from
the worker thread and delivered to the GUI thread by Qt's queued connections. Workers never
touch widgets. ``requestInterruption()`` cancels where a job has steps to stop between.

``error`` carries the exception itself: a :class:`~wbs_desktop.core.errors.WBSError` is a
sentence for the window; anything else is a bug, which the GUI hands to ``crash.report``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from wbs_desktop.gui.qimage import heat_rgba, qimage_to_bytes, shrink

if TYPE_CHECKING:  # for annotations only: the GUI imports torch lazily, in ModelLoader
    from wbs_desktop.core.model.bundle import ModelBundle
    from wbs_desktop.core.model.registry import BundleEntry
    from wbs_desktop.core.outputs.batch import BatchRow
    from wbs_desktop.core.outputs.report import ReportOptions
    from wbs_desktop.core.outputs.report_frame import CaseDetails
    from wbs_desktop.core.pipeline.analysis import Result

# Grad-CAM hooks a network's layer for the length of one call, so one network must never
# run in two threads at once (the analysis worker and the batch worker share the bundle).
NETWORK_LOCK = threading.Lock()

PhotoSource = str | os.PathLike[str] | bytes | np.ndarray | QImage


class Worker(QThread):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    error = Signal(object)

    def work(self) -> object:
        raise NotImplementedError

    def run(self) -> None:
        try:
            value = self.work()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.error.emit(exc)
            return
        self.succeeded.emit(value)


# ------------------------------------------------------------------------------- models


@dataclass
class ModelReady:
    bundle: ModelBundle
    summary: dict[str, Any]  # analysis.model_summary: what every result says of the model
    devices: list[str]
    installed: list[BundleEntry]


def _limit_threads() -> None:
    """Leave one core to the GUI thread, so the window stays responsive while a network
    runs (most of this app's users have laptops with few cores)."""
    import torch

    cores = os.cpu_count() or 1
    if cores > 1 and torch.get_num_threads() >= cores:
        torch.set_num_threads(cores - 1)


class ModelLoader(Worker):
    """Imports torch and MediaPipe, then verifies and loads one bundle.

    ``path`` None means the default installed bundle.
    """

    def __init__(
        self, path: str | None, expected_sha256: str | None = None, device: str = "auto"
    ) -> None:
        super().__init__()
        self.path = path
        self.expected_sha256 = expected_sha256 or None
        self.device = device

    def work(self) -> ModelReady:
        self.progress.emit(0, 3, self.tr("Loading PyTorch…"))
        _limit_threads()
        from wbs_desktop.core.model.bundle import load_model
        from wbs_desktop.core.model.devices import available_devices, resolve_device
        from wbs_desktop.core.model.registry import default_model_path, installed_bundles
        from wbs_desktop.core.pipeline.analysis import model_summary

        self.progress.emit(1, 3, self.tr("Loading the face finder…"))
        from wbs_desktop.core.pipeline import landmarks

        landmarks.warm_up()
        self.progress.emit(2, 3, self.tr("Checking the model…"))
        path = Path(self.path) if self.path else default_model_path()
        bundle = load_model(path, expected_sha256=self.expected_sha256)
        devices = available_devices()
        device = self.device if self.device in devices else "auto"
        bundle.to(resolve_device(device))
        try:
            installed = installed_bundles()
        except Exception:  # noqa: BLE001 - a damaged index must not hide a loaded model
            installed = []
        return ModelReady(bundle, model_summary(bundle), devices, installed)


class HashWorker(Worker):
    """For a model file the user adds: None when it has a checksum of its own (an index
    entry or a ``.sha256`` sidecar, which loading checks), else its SHA-256 for the user to
    confirm (large bundles take a second to hash)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def work(self) -> str | None:
        from wbs_desktop.core.errors import ModelError
        from wbs_desktop.core.files import file_sha256
        from wbs_desktop.core.model.checksums import has_own_checksum

        path = Path(self.path)
        if not path.is_file():
            raise ModelError(self.tr("The model file {path} was not found.").format(path=path))
        if has_own_checksum(path):  # a damaged index counts as none: the user is asked
            return None
        try:
            return file_sha256(path)
        except OSError as exc:
            raise ModelError(
                self.tr("The model file {name} could not be read ({exc}).").format(
                    name=path.name, exc=exc.strerror or exc
                )
            ) from exc


# ------------------------------------------------------------------------------- photos


@dataclass
class LoadedPhoto:
    """A decoded photo (memory only) and the shrunken copy the views draw."""

    image: np.ndarray
    name: str
    path: str | None
    preview: np.ndarray
    preview_scale: float
    taken: date | None = None  # the EXIF date of a file or of encoded bytes


class PhotoReader(Worker):
    """File, encoded bytes, clipboard QImage or camera frame -> :class:`LoadedPhoto`."""

    def __init__(self, source: PhotoSource, name: str) -> None:
        super().__init__()
        self.source = source
        self.name = name

    def work(self) -> LoadedPhoto:
        from wbs_desktop.core.case.capture_date import capture_date
        from wbs_desktop.core.pipeline.imaging import load_image

        source = self.source
        path: str | None = None
        taken = None
        if isinstance(source, np.ndarray):
            image = np.ascontiguousarray(source, dtype=np.uint8)  # our own camera frame
        elif isinstance(source, QImage):
            image = load_image(qimage_to_bytes(source))
        elif isinstance(source, bytes):
            image = load_image(source)
            taken = capture_date(source)
        else:
            path = os.fspath(source)
            image = load_image(path)  # checks the file's size before reading it
            taken = capture_date(Path(path).read_bytes())
        preview, scale = shrink(image)
        return LoadedPhoto(image, self.name, path, preview, scale, taken)


@dataclass
class Analysis:
    """A result with what the views need to draw it, prepared off the GUI thread."""

    photo: LoadedPhoto
    result: Result
    bundle: ModelBundle
    photo_heat: np.ndarray  # heat on the preview, (h, w) in [0, 1]
    colormap: str
    layers: dict[str, np.ndarray] = field(default_factory=dict)  # RGBA heat layers


class Analyser(Worker):
    def __init__(self, photo: LoadedPhoto, bundle: ModelBundle, device: str, colormap: str) -> None:
        super().__init__()
        self.photo = photo
        self.bundle = bundle
        self.device = device
        self.colormap = colormap

    def work(self) -> Analysis:
        import cv2

        from wbs_desktop.core.pipeline.analysis import analyze

        self.progress.emit(0, 1, self.tr("Analysing…"))
        with NETWORK_LOCK:
            result = analyze(self.photo.image, self.bundle, self.device)
        height, width = self.photo.preview.shape[:2]
        photo_heat = cv2.resize(
            result.heatmap_on_photo, (width, height), interpolation=cv2.INTER_AREA
        )
        layers = {
            "photo": heat_rgba(photo_heat, self.colormap),
            "face": heat_rgba(result.heatmap, self.colormap),
        }
        return Analysis(self.photo, result, self.bundle, photo_heat, self.colormap, layers)


# -------------------------------------------------------------------------------- batch


@dataclass
class BatchOutcome:
    rows: list[BatchRow]
    cancelled: bool
    total: int


class BatchScreener(Worker):
    """Screens a folder (``batch_pipeline``: photos prepared in worker processes, networks
    in mini-batches); ``row`` delivers each row in the folder's order, a mini-batch of rows
    at a time. ``progress`` names the photo whose row comes next."""

    row = Signal(object)

    def __init__(self, folder: str, bundle: ModelBundle, device: str) -> None:
        super().__init__()
        self.folder = folder
        self.bundle = bundle
        self.device = device

    def work(self) -> BatchOutcome:
        from wbs_desktop.core.outputs.batch import find_photos
        from wbs_desktop.core.outputs.batch_pipeline import screen_photos

        photos = find_photos(self.folder)
        rows: list[BatchRow] = []
        if photos:
            self.progress.emit(0, len(photos), photos[0].name)
        for row in screen_photos(
            photos,
            self.bundle,
            self.device,
            should_stop=self.isInterruptionRequested,
            network_lock=NETWORK_LOCK,
        ):
            rows.append(row)
            self.row.emit(row)
            if len(rows) < len(photos) and not self.isInterruptionRequested():
                self.progress.emit(len(rows), len(photos), photos[len(rows)].name)
        if len(rows) < len(photos):
            return BatchOutcome(rows, True, len(photos))
        self.progress.emit(len(photos), len(photos), "")
        return BatchOutcome(rows, False, len(photos))


class CsvWriter(Worker):
    def __init__(self, path: str, rows: list[BatchRow]) -> None:
        super().__init__()
        self.path = path
        self.rows = rows

    def work(self) -> Path:
        from wbs_desktop.core.outputs.batch import write_csv

        return write_csv(self.path, self.rows)


# ------------------------------------------------------------------------------- report


class ReportWriter(Worker):
    def __init__(
        self,
        path: str,
        analysis: Analysis,
        options: ReportOptions,
        fmt: str | None = None,
        case: CaseDetails | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.analysis = analysis
        self.options = options
        self.fmt = fmt
        self.case = case

    def work(self) -> Path:
        from wbs_desktop.core.outputs.report import write_report

        return write_report(
            self.path,
            self.analysis.photo.image,
            self.analysis.result,
            card=self.analysis.bundle.card,
            options=self.options,
            fmt=self.fmt,
            case=self.case,
        )
