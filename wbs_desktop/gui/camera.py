"""Live frames from a camera (or a video file) with ``cv2.VideoCapture``, in a worker.

PySide6-Essentials has no QtMultimedia, and OpenCV reads cameras and video files alike,
which is also how tests drive the capture dialog without a camera.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QCoreApplication, QThread, Signal

CameraSource = int | str
_MAX_FPS = 30.0
_CAMERA_FAILURES = 15  # consecutive failed reads (~0.75 s) before a camera counts as gone


def _file_size(path: CameraSource) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def describe(source: CameraSource) -> str:
    if isinstance(source, int):
        return QCoreApplication.translate("camera", "camera {number}").format(number=source)
    return os.path.basename(source)


class CameraWorker(QThread):
    """Reads frames until interrupted; ``frame`` carries RGB uint8 arrays.

    A video file loops; a camera that stops delivering frames, or a file that can no
    longer be read, ends the worker with ``error``.
    """

    opened = Signal(str)
    frame = Signal(object)
    error = Signal(str)

    def __init__(self, source: CameraSource) -> None:
        super().__init__()
        self.source = source

    def run(self) -> None:
        try:
            self._capture()
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the thread silently
            from wbs_desktop.gui import crash

            crash.report_exception(exc)
            self.error.emit(
                self.tr("The camera preview stopped because of an unexpected error; press Retry.")
            )

    def _capture(self) -> None:
        import cv2  # deferred: the GUI module must import fast

        is_file = isinstance(self.source, str)
        capture = cv2.VideoCapture(self.source)
        try:
            if not capture.isOpened():
                self.error.emit(self._not_opened_message())
                return
            fps = capture.get(cv2.CAP_PROP_FPS) or _MAX_FPS
            interval = 1.0 / min(max(fps, 1.0), _MAX_FPS)
            self.opened.emit(describe(self.source))
            size = _file_size(self.source) if is_file else None
            failures = 0
            rewound = False
            while not self.isInterruptionRequested():
                started = time.monotonic()
                ok, bgr = capture.read()
                if not ok or bgr is None:
                    if is_file and _file_size(self.source) != size:
                        self.error.emit(self._gone_message())  # deleted or rewritten
                        return
                    if is_file and not rewound:
                        rewound = True  # end of the video: loop once more from the start
                        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                        continue
                    failures += 1
                    if is_file or failures >= _CAMERA_FAILURES:
                        self.error.emit(self._gone_message())
                        return
                    self.msleep(50)
                    continue
                failures = 0
                rewound = False
                self.frame.emit(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                remaining = interval - (time.monotonic() - started)
                if remaining > 0:
                    self.msleep(int(remaining * 1000))
        finally:
            capture.release()

    def _not_opened_message(self) -> str:
        if isinstance(self.source, int):
            return self.tr(
                "No camera was found at number {source}. Check that it is plugged in "
                "and not in use by another program, or choose another camera."
            ).format(source=self.source)
        return self.tr(
            "The video file '{source}' could not be opened; choose another file or a camera."
        ).format(source=describe(self.source))

    def _gone_message(self) -> str:
        if isinstance(self.source, int):
            return self.tr(
                "Camera {source} stopped sending pictures: it may have been unplugged. "
                "Check it and press Retry."
            ).format(source=self.source)
        return self.tr(
            "The video '{source}' can no longer be read: it may have been moved or damaged."
        ).format(source=describe(self.source))
