"""Check a built WBS Screen folder the way a clinic machine without Python would run it.

    .venv/bin/python packaging/smoke_test.py dist/wbs-screen [--photo P] [--out DIR]

Every frozen executable runs with an environment built from nothing: PATH holds one empty
folder (no python, no venv), PYTHONHOME / PYTHONPATH / VIRTUAL_ENV / LD_LIBRARY_PATH are not
set, and HOME / XDG folders point into a scratch folder (a first start: no saved settings,
no caches). Checks:

1. ``wbs-desktop selftest`` exits 0 (the bundled sample photo through the whole pipeline);
2. ``wbs-desktop predict --json PHOTO`` prints a JSON object whose score is in [0, 1];
3. the GUI ``wbs-screen PHOTO --screenshot F`` under ``xvfb-run`` shows a window, analyses
   the photo, saves the window and quits with 0; WBS_GUI_TIMINGS gives the times from
   launch to window and to first result.

``report`` (a PDF through matplotlib's trimmed backends) runs as well, and ``--language
zh_CN predict --json PHOTO`` must give a Chinese ``summary`` (the compiled catalogues are in
the bundle).

The functions are used by tests/packaging/test_package.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHOTO = ROOT / "resources" / "sample_face.jpg"
CLI, GUI = "wbs-desktop", "wbs-screen"
GUI_TIMEOUT_S = 300
SCREEN = "1280x900x24"


@dataclass
class Check:
    name: str
    ok: bool
    seconds: float
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""

    def explain(self) -> str:
        """What went wrong, with the end of the program's output."""
        return (
            f"{self.name}: {self.message}\n--- stdout (end) ---\n{self.stdout[-3000:]}"
            f"\n--- stderr (end) ---\n{self.stderr[-3000:]}"
        )


def frozen_env(scratch: Path, **extra: str) -> dict[str, str]:
    """An environment with no Python reachable: PATH is one empty folder."""
    empty_bin = scratch / "empty-bin"
    home = scratch / "home"
    for folder in (
        empty_bin,
        home / ".config",
        home / ".cache",
        home / ".local" / "share",
        scratch / "tmp",
    ):
        folder.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": str(empty_bin),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(scratch / "tmp"),
        "TMPDIR": str(scratch / "tmp"),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


def _run(
    command: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    return done, time.perf_counter() - started


def check_selftest(folder: Path, scratch: Path, timeout: float = 300) -> Check:
    done, seconds = _run([str(folder / CLI), "selftest"], frozen_env(scratch), timeout, scratch)
    ok = done.returncode == 0 and "Self-test passed" in done.stdout
    message = (
        (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        if ok
        else f"exit status {done.returncode}"
    )
    return Check(
        "selftest", ok, seconds, message, {"returncode": done.returncode}, done.stdout, done.stderr
    )


def check_predict(folder: Path, photo: Path, scratch: Path, timeout: float = 300) -> Check:
    done, seconds = _run(
        [str(folder / CLI), "predict", "--json", str(photo)], frozen_env(scratch), timeout, scratch
    )
    details: dict[str, Any] = {"returncode": done.returncode}
    result = None
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            try:
                result = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    if done.returncode != 0:
        return Check(
            "predict",
            False,
            seconds,
            f"exit status {done.returncode}",
            details,
            done.stdout,
            done.stderr,
        )
    if not isinstance(result, dict) or not isinstance(result.get("score"), (int, float)):
        return Check(
            "predict",
            False,
            seconds,
            "no JSON object with a score on stdout",
            details,
            done.stdout,
            done.stderr,
        )
    details["result"] = result
    ok = 0.0 <= result["score"] <= 1.0
    message = (
        f"score {result['score']:.3f} ({result.get('label')}), "
        f"model {result.get('model', {}).get('name')}"
    )
    return Check(
        "predict",
        ok,
        seconds,
        message if ok else f"score out of range: {message}",
        details,
        done.stdout,
        done.stderr,
    )


def check_chinese(folder: Path, photo: Path, scratch: Path, timeout: float = 300) -> Check:
    """``wbs-desktop --language zh_CN predict --json PHOTO``: the summary in Chinese, the
    JSON keys as in English."""
    done, seconds = _run(
        [str(folder / CLI), "--language", "zh_CN", "predict", "--json", str(photo)],
        frozen_env(scratch),
        timeout,
        scratch,
    )
    summary = ""
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            try:
                summary = str(json.loads(line).get("summary", ""))
            except json.JSONDecodeError:
                continue
            break
    chinese = any("\u4e00" <= char <= "\u9fff" for char in summary)
    ok = done.returncode == 0 and chinese
    message = f"summary {summary!r}" if ok else f"exit status {done.returncode}, {summary!r}"
    return Check("chinese", ok, seconds, message, {"summary": summary}, done.stdout, done.stderr)


def check_report(folder: Path, photo: Path, scratch: Path, timeout: float = 300) -> Check:
    """``wbs-desktop report PHOTO --out F.pdf``: matplotlib's Agg and PDF backends, fonts."""
    pdf = scratch / "report.pdf"
    env = frozen_env(scratch)
    pdf.unlink(missing_ok=True)
    done, seconds = _run(
        [str(folder / CLI), "report", str(photo), "--out", str(pdf)], env, timeout, scratch
    )
    ok = done.returncode == 0 and pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    message = (
        f"{pdf.stat().st_size // 1024} KiB PDF"
        if ok
        else f"exit status {done.returncode}, PDF written: {pdf.is_file()}"
    )
    return Check("report", ok, seconds, message, {"pdf": str(pdf)}, done.stdout, done.stderr)


def gui_skip_reason() -> str | None:
    """Why the GUI check cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "the GUI check uses xvfb-run (Linux only)"
    missing = [tool for tool in ("xvfb-run", "Xvfb", "xauth") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (Debian/Ubuntu: apt-get install xvfb xauth)"
    return None


def _timings(stderr: str) -> dict[str, float]:
    marks: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "wbs-timing":
            try:
                marks.setdefault(parts[1], float(parts[2]))
            except ValueError:
                continue
    return marks


def check_gui(
    folder: Path, photo: Path, scratch: Path, screenshot: Path, timeout: float = GUI_TIMEOUT_S
) -> Check:
    """Start the windowed app under Xvfb on ``photo``; it saves ``screenshot`` and quits."""
    reason = gui_skip_reason()
    if reason:
        return Check("gui", False, 0.0, f"skipped: {reason}", {"skipped": True})
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    app_env = frozen_env(scratch, WBS_GUI_TIMINGS="1")
    # xvfb-run is a shell script that needs the system PATH; the app itself gets app_env
    # through env -i (keeping only the DISPLAY and XAUTHORITY that xvfb-run sets). The launch
    # time is taken inside the X session, so Xvfb's own start-up is not counted.
    inner = (
        'printf "wbs-timing launch %s\\n" "$(date +%s.%N)" >&2; '
        'exec /usr/bin/env -i DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" "$@"'
    )
    command = [
        "xvfb-run",
        "-a",
        "-s",
        f"-screen 0 {SCREEN}",
        "/bin/sh",
        "-c",
        inner,
        "sh",
        *(f"{key}={value}" for key, value in app_env.items()),
        str(folder / GUI),
        str(photo),
        "--screenshot",
        str(screenshot),
    ]
    outer_env = {
        "PATH": "/usr/bin:/bin",
        "HOME": app_env["HOME"],
        "TMPDIR": app_env["TMPDIR"],
        "LANG": "C.UTF-8",
    }
    try:
        done, seconds = _run(command, outer_env, timeout, scratch)
    except subprocess.TimeoutExpired as error:
        return Check(
            "gui",
            False,
            timeout,
            f"no result within {timeout:.0f} s",
            {},
            str(error.stdout or ""),
            str(error.stderr or ""),
        )
    marks = _timings(done.stderr)
    details: dict[str, Any] = {"returncode": done.returncode, "marks": marks}
    if "launch" in marks and "window-shown" in marks:
        details["to_window_s"] = marks["window-shown"] - marks["launch"]
    if "launch" in marks and "first-result" in marks:
        details["to_first_result_s"] = marks["first-result"] - marks["launch"]
    problems = []
    if done.returncode != 0:
        problems.append(f"exit status {done.returncode}")
    if "to_window_s" not in details:
        problems.append("the window never reported itself shown")
    if "to_first_result_s" not in details:
        problems.append("no result was shown")
    if not screenshot.is_file() or screenshot.stat().st_size < 10_000:
        problems.append("no screenshot (or an almost empty one) was saved")
    else:
        details["screenshot"] = str(screenshot)
        details["screenshot_size"] = _png_size(screenshot)
    if problems:
        return Check("gui", False, seconds, "; ".join(problems), details, done.stdout, done.stderr)
    message = (
        f"window after {details['to_window_s']:.1f} s, first result after "
        f"{details['to_first_result_s']:.1f} s, screenshot {details['screenshot_size']}"
    )
    return Check("gui", True, seconds, message, details, done.stdout, done.stderr)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        return (0, 0)
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def run_all(folder: Path, photo: Path, out: Path) -> list[Check]:
    folder, photo, out = folder.resolve(), photo.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    checks = [
        check_selftest(folder, out / "selftest"),
        check_predict(folder, photo, out / "predict"),
        check_report(folder, photo, out / "report"),
        check_chinese(folder, photo, out / "chinese"),
    ]
    checks.append(check_gui(folder, photo, out / "gui-first", out / "gui-first.png"))
    if checks[-1].ok:  # a second start: caches and settings of the first start are there
        second = check_gui(folder, photo, out / "gui-first", out / "gui-second.png")
        second.name = "gui (second start)"
        checks.append(second)
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the built folder (dist/wbs-screen)")
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("smoke-test-out"),
        help="scratch folder for HOME, screenshots (default ./smoke-test-out)",
    )
    args = parser.parse_args(argv)
    for name in (CLI, GUI):
        if not os.access(args.folder / name, os.X_OK):
            parser.error(f"{args.folder / name} is not an executable: build first")
    failed = 0
    for check in run_all(args.folder, args.photo, args.out):
        skipped = check.details.get("skipped")
        state = "SKIP" if skipped else ("ok  " if check.ok else "FAIL")
        print(f"[{state}] {check.name:20s} {check.seconds:6.1f} s  {check.message}")
        if not check.ok and not skipped:
            failed += 1
            print(check.explain(), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
