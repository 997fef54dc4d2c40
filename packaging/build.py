"""Build the one-folder WBS Screen bundle (``make package``).

    .venv/bin/python packaging/build.py [--dist DIR] [--work DIR] [--no-archive] [--clean]

Runs PyInstaller with packaging/wbs_screen.spec into DIST/wbs-screen, adds the Linux desktop
entry and its installer script, writes DIST/wbs-screen-VERSION-SYSTEM-MACHINE.tar.gz with a
``.sha256`` file beside it (``sha256sum -c`` reads it), and prints the build time and the
folder's size split into torch + NVIDIA libraries and everything else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "wbs_screen.spec"
APP_NAME = "wbs-screen"
EXECUTABLES = ("wbs-screen", "wbs-desktop")
LINUX_EXTRAS = ("wbs-screen.desktop", "install-desktop-entry.sh")
MB = 1e6

TORCH = "torch + NVIDIA libraries"
OTHER = "everything else"
OTHER_TARGET = 400 * MB  # issue 15: everything else, the demo model included
# Python packages (folders and archived modules) that are torch or NVIDIA's CUDA.
TORCH_PACKAGES = {"torch", "torchgen", "functorch", "triton", "nvidia", "cuda"}
# NVIDIA's CUDA libraries, wherever a wheel put them (torchvision.libs has its own cudart).
NVIDIA_LIBRARY = re.compile(r"^lib(cu|nv|nccl)[a-z0-9_]*[.-]", re.IGNORECASE)
SHT_SYMTAB = 2  # ELF section type of a symbol table


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from wbs_desktop import __version__

    return __version__


def archive_name(app_version: str) -> str:
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(
        sys.platform, sys.platform
    )
    return f"{APP_NAME}-{app_version}-{system}-{platform.machine().lower()}.tar.gz"


def run_pyinstaller(
    dist: Path, work: Path, *, clean: bool = False, log: Path | None = None
) -> Path:
    """Run PyInstaller on the spec; returns the built folder. Raises on failure."""
    # The compiled catalogues are not in git: build them so the bundle's resources/ has them.
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "translations.py"), "compile"],
        cwd=ROOT,
        check=True,
    )
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    env = {**os.environ, "PYTHONNOUSERSITE": "1"}
    if log is None:
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    else:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w", encoding="utf-8") as handle:
            done = subprocess.run(
                command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
            )
        if done.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"PyInstaller failed (exit {done.returncode}); log {log}:\n{tail}")
    folder = dist / APP_NAME
    if sys.platform.startswith("linux"):
        stripped, saved = strip_libraries(folder)
        print(f"Stripped {stripped} libraries (not torch's or NVIDIA's): {saved / MB:,.1f} MB less")
        for name in LINUX_EXTRAS:
            shutil.copy2(ROOT / "packaging" / name, folder / name)
    return folder


def write_archive(folder: Path, archive: Path, *, compresslevel: int = 6) -> tuple[Path, Path]:
    """``folder`` as a .tar.gz (symbolic links kept as links) plus ``archive.sha256``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=compresslevel) as tar:
        tar.add(folder, arcname=folder.name)
    partial.replace(archive)
    digest = hashlib.sha256()
    with archive.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{digest.hexdigest()}  {archive.name}\n", encoding="utf-8")
    return archive, checksum


def _component(rel: Path) -> str:
    """A readable owner for a file inside the folder (for the size table)."""
    parts = rel.parts
    if len(parts) == 1:
        return parts[0]
    if parts[0] != "_internal":
        return parts[0]
    if len(parts) == 2:
        return "system and Python libraries (_internal/*.so*)"
    name = parts[1]
    for suffix in (".libs", ".dist-info"):
        if name.endswith(suffix):
            name = name[: -len(suffix)].split("-")[0]
    return {
        "opencv_python_headless": "cv2",
        "pillow": "PIL",
        "python3.11": "python stdlib",
        "cuda_bindings": "cuda",
    }.get(name, name)


def _owner(rel: Path) -> tuple[str, bool]:
    """The component a file in the folder belongs to, and whether it is torch or NVIDIA's."""
    component = _component(rel)
    if component in ("nvidia", "cuda"):
        component = "NVIDIA libraries (nvidia/, cuda/)"
    elif NVIDIA_LIBRARY.match(rel.name) and component != "torch":
        component = f"NVIDIA libraries shipped by {component}"
    is_torch = (
        component == "torch"
        or component.startswith("NVIDIA libraries")
        or component in TORCH_PACKAGES
    )
    return component, is_torch


def has_symbol_table(path: Path) -> bool:
    """Whether ``path`` is an ELF file that still has a symbol table (``strip`` removes it
    together with the debugging sections)."""
    with path.open("rb") as handle:
        header = handle.read(64)
        if len(header) < 52 or header[:4] != b"\x7fELF":
            return False
        order = "<" if header[5] == 1 else ">"
        if header[4] == 2:  # 64-bit
            (table_offset,) = struct.unpack_from(order + "Q", header, 0x28)
            entry_size, entries = struct.unpack_from(order + "HH", header, 0x3A)
        else:
            (table_offset,) = struct.unpack_from(order + "I", header, 0x20)
            entry_size, entries = struct.unpack_from(order + "HH", header, 0x2E)
        handle.seek(table_offset)
        table = handle.read(entry_size * entries)
    types = (
        struct.unpack_from(order + "I", table, index * entry_size + 4)[0]
        for index in range(len(table) // entry_size if entry_size else 0)
    )
    return SHT_SYMTAB in types


def unstripped_libraries(folder: Path) -> list[Path]:
    """The shared libraries outside torch and NVIDIA's that still carry symbol tables."""
    internal = folder / "_internal"
    return sorted(
        path
        for path in internal.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not _owner(path.relative_to(folder))[1]
        and has_symbol_table(path)
    )


def strip_libraries(folder: Path) -> tuple[int, int]:
    """``strip --strip-unneeded`` the libraries :func:`unstripped_libraries` finds, in place.

    Symbol tables and debugging information are never loaded at run time; the wheels of
    libpython, MediaPipe, kiwisolver, fontTools and others ship them. torch's and NVIDIA's
    libraries are left as they come: they are not part of the size target, and their CUDA
    builds cannot be checked on a machine without an NVIDIA GPU. The executables are not
    touched either (the Python modules are appended to the bootloader). Returns (libraries
    stripped, bytes saved).
    """
    libraries = unstripped_libraries(folder)
    if not libraries:
        return 0, 0
    if shutil.which("strip") is None:
        raise RuntimeError("strip is not installed (Debian/Ubuntu: apt-get install binutils)")
    before = sum(path.stat().st_size for path in libraries)
    done = subprocess.run(
        ["strip", "--strip-unneeded", *map(str, libraries)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"strip failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return len(libraries), before - sum(path.stat().st_size for path in libraries)


def _pyz_modules(executable: Path) -> Counter[str]:
    """Compressed bytes per top-level package in the PYZ archive inside an executable."""
    from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader

    sizes: Counter[str] = Counter()
    reader = CArchiveReader(str(executable))
    if "PYZ.pyz" not in reader.toc:
        return sizes
    with tempfile.TemporaryDirectory() as scratch:
        pyz = Path(scratch) / "PYZ.pyz"
        pyz.write_bytes(reader.extract("PYZ.pyz"))
        for name, (_typecode, _offset, length) in ZlibArchiveReader(str(pyz)).toc.items():
            sizes[name.split(".")[0]] += length
    return sizes


def size_split(folder: Path) -> dict[str, object]:
    """Bytes in the folder: torch + NVIDIA libraries vs everything else, and by component.

    Sizes are apparent file sizes (what the archive and a download carry); symbolic links
    count as nothing. Each executable carries the Python modules in a compressed archive:
    its torch share is counted with torch.
    """
    groups: Counter[str] = Counter()
    components: Counter[str] = Counter()
    files = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        files += 1
        size = path.stat().st_size
        rel = path.relative_to(folder)
        if rel.parts[0] in EXECUTABLES and len(rel.parts) == 1:
            modules = _pyz_modules(path)
            for module, length in modules.items():
                group = TORCH if module in TORCH_PACKAGES else OTHER
                groups[group] += length
                components[
                    f"{module} (in executables)"
                    if group == TORCH
                    else "Python modules in executables"
                ] += length
            rest = size - sum(modules.values())
            groups[OTHER] += rest
            components["executables (bootloader)"] += rest
            continue
        component, is_torch = _owner(rel)
        groups[TORCH if is_torch else OTHER] += size
        components[component] += size
    return {
        "total_bytes": sum(groups.values()),
        "files": files,
        "groups": dict(groups),
        "components": dict(components.most_common()),
    }


def format_sizes(sizes: dict[str, object], top: int = 14) -> str:
    groups = sizes["groups"]
    lines = [
        f"Folder: {sizes['total_bytes'] / MB:,.0f} MB in {sizes['files']:,} files",
        f"  {TORCH}: {groups.get(TORCH, 0) / MB:,.0f} MB",
        f"  {OTHER}: {groups.get(OTHER, 0) / MB:,.0f} MB "
        f"(target: {OTHER_TARGET / MB:,.0f} MB at most)",
        "  largest parts:",
    ]
    for name, size in list(sizes["components"].items())[:top]:
        lines.append(f"    {size / MB:8,.1f} MB  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the WBS Screen one-folder bundle.")
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder (default: build/pyinstaller)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    parser.add_argument(
        "--compresslevel",
        type=int,
        default=6,
        choices=range(1, 10),
        metavar="1-9",
        help="gzip level of the archive (default 6)",
    )
    parser.add_argument("--sizes-json", type=Path, help="also write the size split as JSON")
    args = parser.parse_args(argv)

    dist, work = args.dist.resolve(), args.work.resolve()
    app_version = version()
    print(
        f"Building WBS Screen {app_version} into {dist / APP_NAME} "
        f"(PyInstaller work folder {work})",
        flush=True,
    )
    started = time.perf_counter()
    folder = run_pyinstaller(dist, work, clean=args.clean)
    build_s = time.perf_counter() - started
    print(f"\nPyInstaller build: {build_s / 60:.1f} min ({build_s:.0f} s)")

    sizes = size_split(folder)
    print(format_sizes(sizes))
    if args.sizes_json:
        args.sizes_json.write_text(
            json.dumps({"build_s": build_s, **sizes}, indent=2) + "\n", encoding="utf-8"
        )
    if not args.no_archive:
        started = time.perf_counter()
        archive, checksum = write_archive(
            folder, dist / archive_name(app_version), compresslevel=args.compresslevel
        )
        print(
            f"Archive: {archive} ({archive.stat().st_size / MB:,.0f} MB, "
            f"{time.perf_counter() - started:.0f} s); checksum {checksum.name}"
        )
    print(f"Run it: {folder / 'wbs-screen'}  (command line: {folder / 'wbs-desktop'} --help)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
