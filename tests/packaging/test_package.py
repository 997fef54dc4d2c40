"""The PyInstaller bundle: built once per session into a temporary folder, then run the way
a machine without Python runs it (packaging/smoke_test.py).

The build takes ~2-3 minutes on 2 cores and ~4.7 GB of disk (torch's CUDA libraries), which
is removed at the end of the session. ``WBS_FROZEN_APP=dist/wbs-screen`` checks an existing
build instead of building one.
"""

from __future__ import annotations

import configparser
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from wbs_desktop import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGING = REPO_ROOT / "packaging"
BUILD_TIMEOUT_S = 1500


def _load(name: str) -> ModuleType:
    # packaging/ is not an importable package (the name belongs to the PyPI library).
    spec = importlib.util.spec_from_file_location(f"wbs_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load("build")
smoke = _load("smoke_test")


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    prebuilt = os.environ.get("WBS_FROZEN_APP")
    if prebuilt:
        yield Path(prebuilt).resolve()
        return
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed: pip install -e '.[package]'")
    base = tmp_path_factory.mktemp("package")
    started = time.perf_counter()
    folder = build.run_pyinstaller(base / "dist", base / "work", log=base / "pyinstaller.log")
    minutes = (time.perf_counter() - started) / 60
    print(f"\nPyInstaller build into {folder}: {minutes:.1f} min")
    shutil.rmtree(base / "work", ignore_errors=True)
    yield folder
    shutil.rmtree(base / "dist", ignore_errors=True)  # ~4.7 GB


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("frozen-runs")


@pytest.fixture(scope="session")
def other_photo() -> Path:
    """A frontal portrait that is not inside the bundle (matplotlib's Grace Hopper)."""
    from matplotlib import cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


# --- the built folder ----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_folder_holds_app_models_resources_and_nothing_unused(frozen_app: Path) -> None:
    internal = frozen_app / "_internal"
    for name in ("wbs-screen", "wbs-desktop"):
        assert os.access(frozen_app / name, os.X_OK), name
    if sys.platform.startswith("linux"):  # one executable, the app a link to it
        assert os.readlink(frozen_app / "wbs-screen") == "wbs-desktop"
    index = json.loads((internal / "models" / "index.json").read_text(encoding="utf-8"))
    defaults = [name for name, info in index["bundles"].items() if info.get("default")]
    assert defaults, "the shipped index names no default model"
    for name in index["bundles"]:
        assert (internal / "models" / name).is_file(), name
        assert (internal / "models" / f"{name}.sha256").is_file(), name
    for rel in (
        "resources/sample_face.jpg",
        "resources/intended_use.md",
        "resources/icons/wbs-screen.png",
        "resources/icons/wbs-screen.svg",
        "torchvision/_C_stable.so",
        "torchvision/image_stable.so",
        "mediapipe/modules/face_landmark/face_landmark_with_attention.tflite",
        "mediapipe/modules/face_landmark/face_landmark_front_cpu.binarypb",
        "mediapipe/modules/face_detection/face_detection_full_range_cpu.binarypb",
        "mediapipe/modules/face_detection/face_detection_short_range_cpu.binarypb",
    ):
        assert (internal / rel).is_file(), rel
    # Excluded: not collected at all.
    for rel in (
        "jax",
        "jaxlib",
        "triton",
        "scipy",
        "sklearn",
        "skimage",
        "PyQt5",
        "PyQt6",
        "PySide2",
        "training",
        "pytest",
        "tkinter",
        "rich",
        "pygments",
        "jinja2",
        "fsspec",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PIL/_imagingft.cpython-311-x86_64-linux-gnu.so",
        "matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf",
        "mediapipe/modules/pose_landmark",
        "mediapipe/modules/hand_landmark",
        "cv2/qt",
    ):
        assert not (internal / rel).exists(), f"{rel} should not be in the bundle"
    # Qt's own texts only for the app's other language (its standard dialogs' buttons).
    qt_texts = sorted(p.name for p in internal.glob("PySide6/Qt/translations/*"))
    assert qt_texts == ["qtbase_zh_CN.qm"]
    # One OpenCV, headless: no second Qt (OpenCV's Qt 5) beside PySide6's.
    assert not list(internal.rglob("libQt5*")), "a Qt 5 library is bundled"
    assert not list(internal.glob("opencv_contrib_python*")), "opencv-contrib-python is bundled"
    assert not list(internal.glob("PySide6/Qt/lib/libQt6Web*")), "QtWebEngine is bundled"
    assert not list(internal.glob("PySide6/Qt/lib/libQt6Quick*")), "QtQuick is bundled"
    assert not list(internal.glob("lib*tk8*")), "Tk is bundled"
    # Test tools' metadata (torch.testing names hypothesis's), Python's OpenSSL, SQLite.
    for pattern in ("pytest*", "hypothesis*", "_pytest*", "libssl.so*", "libcrypto.so*"):
        assert not list(internal.glob(pattern)), f"{pattern} is bundled"
    assert not list(internal.rglob("_ssl.*")) and not list(internal.rglob("_sqlite3.*"))
    # The GTK3 theme's libraries are not collected, nor left behind.
    for name in ("libgtk-3", "libgdk-3", "libatk-1.0", "libcairo", "libpango", "libgdk_pixbuf"):
        assert not list(internal.glob(f"{name}*")), f"{name} is bundled"
    dangling = [path for path in frozen_app.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling, f"links to files that were left out: {dangling[:5]}"
    # What the report draws with is still there.
    assert (internal / "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf").is_file()
    assert (internal / "matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf").is_file()
    # The Linux desktop entry and its installer travel with the folder.
    assert (frozen_app / "wbs-screen.desktop").is_file()
    assert os.access(frozen_app / "install-desktop-entry.sh", os.X_OK)


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries")
def test_libraries_outside_torch_are_stripped(frozen_app: Path) -> None:
    assert build.unstripped_libraries(frozen_app) == []


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_size_split_accounts_for_every_byte(frozen_app: Path) -> None:
    sizes = build.size_split(frozen_app)
    groups = sizes["groups"]
    on_disk = sum(
        p.stat().st_size for p in frozen_app.rglob("*") if p.is_file() and not p.is_symlink()
    )
    assert sizes["total_bytes"] == on_disk == sum(groups.values())
    assert groups[build.TORCH] > 100e6  # even a CPU-only torch carries ~0.3 GB of libraries
    assert groups[build.OTHER] <= build.OTHER_TARGET, build.format_sizes(sizes)
    print("\n" + build.format_sizes(sizes))


# --- the three checks, with no Python on PATH ----------------------------------------------
def test_frozen_env_has_no_python(tmp_path: Path) -> None:
    env = smoke.frozen_env(tmp_path)
    for name in ("python", "python3", "python3.11"):
        assert shutil.which(name, path=env["PATH"]) is None
    for name in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "LD_LIBRARY_PATH"):
        assert name not in env


def _run_frozen(
    frozen_app: Path, program: str, argument: str, home: Path
) -> subprocess.CompletedProcess[str]:
    """One short run of a frozen program, in the clean environment the smoke test uses."""
    return subprocess.run(
        [str(frozen_app / program), argument],
        env=smoke.frozen_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_frozen_version_and_selftest(frozen_app: Path, scratch: Path) -> None:
    done = _run_frozen(frozen_app, "wbs-desktop", "--version", scratch / "version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["wbs-desktop", __version__]
    check = smoke.check_selftest(frozen_app, scratch / "selftest")
    assert check.ok, check.explain()


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_the_name_started_picks_the_program(frozen_app: Path, scratch: Path) -> None:
    """``wbs-screen`` (on Linux a link to ``wbs-desktop``) is the app, ``wbs-desktop`` the
    command line: each prints its own usage."""
    for name in ("wbs-screen", "wbs-desktop"):
        done = _run_frozen(frozen_app, name, "--help", scratch / "help")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"usage: {name} "), done.stdout[:200]


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_frozen_predict_prints_json_with_a_score(
    frozen_app: Path, scratch: Path, other_photo: Path
) -> None:
    check = smoke.check_predict(frozen_app, other_photo, scratch / "predict")
    assert check.ok, check.explain()
    result = check.details["result"]
    assert result["photo"] == str(other_photo)
    assert set(result["regions"]) >= {"forehead", "nose", "mouth"}
    assert result["model"]["sha256"]


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_frozen_report_writes_a_pdf(frozen_app: Path, scratch: Path, other_photo: Path) -> None:
    check = smoke.check_report(frozen_app, other_photo, scratch / "report")
    assert check.ok, check.explain()
    from pypdf import PdfReader

    text = PdfReader(check.details["pdf"]).pages[0].extract_text()
    assert "forehead" in text


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_frozen_app_switches_to_chinese(frozen_app: Path, scratch: Path, other_photo: Path) -> None:
    """The bundle carries the compiled catalogues and the CJK font's licence beside it."""
    check = smoke.check_chinese(frozen_app, other_photo, scratch / "chinese")
    assert check.ok, check.explain()
    fonts = next(frozen_app.rglob("resources/fonts"))
    assert (fonts / "DroidSansFallbackFull.ttf").is_file()
    assert (fonts / "LICENSE-DroidSansFallback.txt").is_file()


@pytest.mark.slow
@pytest.mark.timeout(BUILD_TIMEOUT_S)
def test_frozen_gui_opens_under_xvfb_and_shows_a_result(
    frozen_app: Path, scratch: Path, other_photo: Path
) -> None:
    reason = smoke.gui_skip_reason()
    if reason:
        pytest.skip(reason)
    shot = scratch / "gui.png"
    check = smoke.check_gui(frozen_app, other_photo, scratch / "gui", shot)
    assert check.ok, check.explain()
    print(f"\nfrozen GUI: {check.message}")
    with Image.open(shot) as image:
        assert image.width >= 800 and image.height >= 500
        colours = image.convert("RGB").resize((64, 64)).getcolors(64 * 64)
    assert colours is not None and len(colours) > 50, "the screenshot is nearly blank"


# --- archive, stripping, desktop entry, icons (no build needed) -----------------------------
def _elf(*section_types: int) -> bytes:
    """A 64-bit little-endian ELF header and a table of sections of these types (no data)."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x28, len(header))  # the section table follows
    struct.pack_into("<HH", header, 0x3A, 64, len(section_types))
    return bytes(header) + b"".join(struct.pack("<II56x", 0, kind) for kind in section_types)


def test_unstripped_libraries_are_found_outside_torch_and_nvidia(tmp_path: Path) -> None:
    symtab, dynsym, strtab = 2, 11, 3
    files = {
        "_internal/libfoo.so.1": _elf(0, dynsym, symtab),
        "_internal/PIL/_imaging.so": _elf(0, dynsym, strtab, symtab),
        "_internal/libbar.so": _elf(0, dynsym, strtab),  # stripped already
        "_internal/notes.so.txt": b"not a library",
        "_internal/torch/lib/libc10.so": _elf(0, symtab),
        "_internal/nvidia/cu13/lib/libcublas.so.13": _elf(0, symtab),
        "_internal/torchvision.libs/libcudart.faf08d9a.so.13": _elf(0, symtab),
        "wbs-desktop": _elf(0, symtab),  # the executable carries the Python modules
    }
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "_internal" / "libfoo.so").symlink_to("libfoo.so.1")
    found = [path.relative_to(tmp_path).as_posix() for path in build.unstripped_libraries(tmp_path)]
    assert found == ["_internal/PIL/_imaging.so", "_internal/libfoo.so.1"]


def test_archive_keeps_the_folder_and_its_checksum_verifies(tmp_path: Path) -> None:
    folder = tmp_path / "wbs-screen"
    (folder / "_internal").mkdir(parents=True)
    (folder / "wbs-screen").write_bytes(b"\x7fELF fake")
    (folder / "wbs-screen").chmod(0o755)
    (folder / "_internal" / "libfoo.so.1").write_bytes(os.urandom(4096))
    (folder / "_internal" / "libfoo.so").symlink_to("libfoo.so.1")
    archive, checksum = build.write_archive(folder, tmp_path / "out" / build.archive_name("9.9"))
    assert archive.name.startswith("wbs-screen-9.9-") and archive.name.endswith(".tar.gz")
    digest, name = checksum.read_text(encoding="utf-8").split()
    assert name == archive.name
    assert digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    if shutil.which("sha256sum"):
        subprocess.run(
            ["sha256sum", "--check", "--quiet", checksum.name], cwd=archive.parent, check=True
        )
    with tarfile.open(archive) as tar:
        members = {member.name: member for member in tar.getmembers()}
    assert members["wbs-screen/wbs-screen"].mode & 0o111
    assert members["wbs-screen/_internal/libfoo.so"].issym()
    assert not list(archive.parent.glob("*.part"))


def test_desktop_entry_is_complete() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "wbs-screen.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "WBS Screen"
    assert entry["Exec"].split()[0] == "wbs-screen"
    assert entry["Icon"] == "wbs-screen"
    assert entry["Terminal"] == "false"
    assert "image/jpeg" in entry["MimeType"].split(";")
    assert entry["Categories"].endswith(";")


def test_icons_are_ours_and_well_formed() -> None:
    icons = REPO_ROOT / "resources" / "icons"
    with Image.open(icons / "wbs-screen.png") as png:
        assert png.size == (512, 512) and png.mode == "RGBA"
        assert png.getpixel((0, 0))[3] == 0  # transparent corner: rounded tile
    root = ET.parse(icons / "wbs-screen.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 512 512"
    with Image.open(icons / "wbs-screen.ico") as ico:
        assert (256, 256) in ico.info["sizes"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop entry")
def test_installer_script_writes_an_absolute_menu_entry(tmp_path: Path) -> None:
    folder = tmp_path / "unpacked folder"  # a space, as in a real home folder
    (folder / "_internal" / "resources").mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "resources" / "icons", folder / "_internal" / "resources" / "icons")
    for name in build.LINUX_EXTRAS:
        shutil.copy2(PACKAGING / name, folder / name)
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    subprocess.run(
        [str(folder / "install-desktop-entry.sh")], env=env, check=True, capture_output=True
    )
    text = (data / "applications" / "wbs-screen.desktop").read_text(encoding="utf-8")
    assert f'Exec="{folder}/wbs-screen" %f' in text
    assert (data / "icons" / "hicolor" / "512x512" / "apps" / "wbs-screen.png").is_file()
    subprocess.run(
        [str(folder / "install-desktop-entry.sh"), "--uninstall"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert not (data / "applications" / "wbs-screen.desktop").exists()
