"""The PySide6 desktop app. It only calls the core; no analysis logic lives here.

Importing this package (or any module in it) must stay cheap: torch, MediaPipe, OpenCV and
matplotlib are imported inside worker threads, so the window appears before they load.
"""
