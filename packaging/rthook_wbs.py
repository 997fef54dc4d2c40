# PyInstaller runtime hook: runs in the frozen app before any of its own code.
#
# MediaPipe's drawing_utils imports matplotlib.pyplot, and pyplot would otherwise pick an
# interactive backend (QtAgg, next to PySide6) that the bundle does not carry. The app only
# draws off-screen (Agg for PNG, the PDF backend for reports).
import os

os.environ.setdefault("MPLBACKEND", "Agg")
