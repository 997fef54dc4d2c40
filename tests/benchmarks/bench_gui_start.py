"""Start-up benchmark of the desktop app: launch -> window shown, launch -> first result.

Each figure is measured from the parent just before it starts a fresh process, so it
includes the interpreter's own start; the reference is ``python -c "import torch"`` run the
same way in the same session (runs interleaved, so other load hits both alike). The app is
started as ``python -m wbs_desktop gui resources/sample_face.jpg --screenshot F`` with
``WBS_GUI_TIMINGS=1`` (it prints wall-clock times when the window is shown and when the
first result arrives) on the offscreen platform, or a real X server with ``--xvfb``.

Target: the window within 1.5 s. A benchmark, not a test: it always exits with 0.

    .venv/bin/python tests/benchmarks/bench_gui_start.py [--repeats 5] [--xvfb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample_face.jpg"
WINDOW_TARGET_S = 1.5


def time_import_torch() -> float:
    started = time.time()
    subprocess.run([sys.executable, "-c", "import torch"], check=True, cwd=ROOT)
    return time.time() - started


def time_app(folder: Path, xvfb: bool) -> tuple[float, float, float]:
    """(window shown, first result, process exit), seconds after launch."""
    env = {
        **os.environ,
        "WBS_GUI_TIMINGS": "1",
        "WBS_SETTINGS_FILE": str(folder / "s.ini"),
        "WBS_LOG_DIR": str(folder),
    }
    command = [
        sys.executable,
        "-m",
        "wbs_desktop",
        "gui",
        str(SAMPLE),
        "--screenshot",
        str(folder / "shot.png"),
    ]
    if xvfb:
        env["QT_QPA_PLATFORM"] = "xcb"
        # Xvfb's own start is not the app's: time from inside the wrapper.
        command = [
            "xvfb-run",
            "-a",
            sys.executable,
            "-c",
            "import subprocess, sys, time; t = time.time(); "
            f"r = subprocess.run({command!r}); print(f'wbs-timing launch {{t:.4f}}', "
            "file=sys.stderr); sys.exit(r.returncode)",
        ]
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.time()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    ended = time.time()
    marks = {}
    for line in done.stderr.splitlines():
        if line.startswith("wbs-timing "):
            _, label, stamp = line.split()
            marks[label] = float(stamp)
    if done.returncode != 0 or "first-result" not in marks:
        raise RuntimeError(f"the app failed (exit {done.returncode}): {done.stderr[-1500:]}")
    launch = marks.get("launch", started)
    return (marks["window-shown"] - launch, marks["first-result"] - launch, ended - launch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--xvfb", action="store_true", help="a real X server (xvfb-run)")
    args = parser.parse_args()
    if args.xvfb and shutil.which("xvfb-run") is None:
        parser.error("xvfb-run is not installed")

    torch_times: list[float] = []
    windows: list[float] = []
    results: list[float] = []
    exits: list[float] = []
    time_import_torch()  # warm the file cache for both
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            torch_times.append(time_import_torch())
            window, result, ended = time_app(Path(tmp) / str(i), args.xvfb)
            windows.append(window)
            results.append(result)
            exits.append(ended)

    torch_s = statistics.median(torch_times)
    window_s = statistics.median(windows)
    result_s = statistics.median(results)
    platform = "xcb under Xvfb" if args.xvfb else "offscreen"
    print(f"GUI start-up, {args.repeats} runs each, medians ({platform}, {os.cpu_count()} CPUs)")
    print(f"  python -c 'import torch'        {torch_s:6.2f} s   (1.00x)")
    print(
        f"  launch -> window shown          {window_s:6.2f} s   ({window_s / torch_s:.2f}x)"
        f"   target <= {WINDOW_TARGET_S} s: "
        f"{'PASS' if window_s <= WINDOW_TARGET_S else 'FAIL'}"
    )
    print(f"  launch -> first result shown    {result_s:6.2f} s   ({result_s / torch_s:.2f}x)")
    print(f"  launch -> process exit          {statistics.median(exits):6.2f} s")
    print(
        f"  all runs: window {[round(w, 2) for w in windows]}, "
        f"result {[round(r, 2) for r in results]}, torch {[round(t, 2) for t in torch_times]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
