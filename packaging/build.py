"""Build Xcelsior Desktop's standalone bundle and installers; every OS runs it the same way.

    python packaging/build.py                  # one-folder bundle in dist/xcelsior-desktop/ (+ .app on macOS;
                                               # dist/windows/xcelsior-desktop/ on Windows)
    python packaging/build.py --self-test      # ... then run the bundle's --self-test
    python packaging/build.py --deb --tar      # Linux: .deb and .tar.gz in dist/
    python packaging/build.py --installer      # this OS's installer: .deb + .tar.gz, Inno Setup .exe, or .dmg
    python packaging/build.py --no-bundle --deb   # reuse dist/xcelsior-desktop/ from an earlier run
    python packaging/build.py --current-env    # build with this environment's packages instead of the lock
    python packaging/build.py --wine           # Linux: the Windows bundle and installer, built and tested under Wine
    python packaging/build.py --inno --install-check   # Windows: installer, then install/upgrade/uninstall it

The bundle is built from the lock (packaging/requirements-lock.txt, written by packaging/lock.py): a virtual
environment in build/lock-venv/ holds exactly its pinned, hash-checked packages and the app, and the rest of this
script runs there, so an installer is reproducible, its versions are known, and its --self-test tests the lock.
The environment is made again when the lock changes. Needs only Python and the package index;
``--current-env`` uses PyInstaller and the packages of the running Python (``pip install -e ".[packaging]"``). Linux packages need dpkg-deb (dpkg), and dpkg-shlibdeps
(dpkg-dev) to compute the .deb's Depends; Windows needs Inno Setup's ISCC.exe on PATH (or in its default
folder); macOS needs hdiutil (built in). ``--wine`` (packaging/wine.py) needs Wine and MinGW from Debian and
npm, and says which packages are missing. Signing and notarisation on macOS run only when their environment
variables are set (see packaging/macos/sign_and_notarize.sh). Outputs go to build/ and dist/ (both gitignored).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import locale
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("xcelsior_appmeta", HERE / "appmeta.py")
assert _spec and _spec.loader
meta = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(meta)

ROOT: Path = meta.ROOT
DIST = ROOT / "dist"
BUILD = ROOT / "build"
IS_WIN, IS_MAC = sys.platform == "win32", sys.platform == "darwin"
IS_LINUX = not (IS_WIN or IS_MAC)
# Windows' bundle has a folder of its own, so a Linux machine can hold both (build.py --wine builds it under Wine);
# installers all go straight into dist/.
BUNDLE = DIST / "windows" / meta.EXE_NAME if IS_WIN else DIST / meta.EXE_NAME
PYINSTALLER_WORK = BUILD / "windows" / "pyinstaller" if IS_WIN else BUILD / "pyinstaller"
RESOURCES = ROOT / "resources"
LOCK = HERE / "requirements-lock.txt"
LOCK_VENV = BUILD / "lock-venv"
DESKTOP_FILE = RESOURCES / f"{meta.APP_ID}.desktop"
METAINFO_FILE = RESOURCES / f"{meta.APP_ID}.metainfo.xml"
SELF_TEST_PASSED = "self-test: passed"
ICON_NAME = "xcelsior-desktop"  # Icon= in the .desktop entry, file name in the hicolor theme
# Fallback Depends when dpkg-shlibdeps is not available: what the Qt xcb platform plugin and QtGui load.
FALLBACK_DEPENDS = (
    "libc6, libstdc++6, zlib1g, libglib2.0-0, libdbus-1-3, libfontconfig1, libfreetype6, libx11-6, libx11-xcb1, "
    "libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, "
    "libxcb-render0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-xfixes0, libxcb-xkb1, libxkbcommon0, "
    "libxkbcommon-x11-0, libegl1, libgl1, libopengl0"
)


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def, type-arg]
    log("+ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kwargs)


def du_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink()) / 1e6


def bundle_executable() -> Path:
    return BUNDLE / (f"{meta.EXE_NAME}.exe" if IS_WIN else meta.EXE_NAME)


# -- the locked build environment --------------------------------------------------------------------------------


def lock_python() -> Path:
    return LOCK_VENV / ("Scripts/python.exe" if IS_WIN else "bin/python")


def ensure_lock_env() -> Path:
    """build/lock-venv with exactly the lock's packages (hash-checked) and the app; made again when the lock
    changes. Returns its Python."""
    if not LOCK.exists():
        raise SystemExit(f"build: {LOCK.relative_to(ROOT)} is missing: write it with python3 packaging/lock.py")
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = LOCK_VENV / "lock.sha256"
    python = lock_python()
    if python.exists() and stamp.exists() and stamp.read_text(encoding="ascii").strip() == digest:
        log(f"reusing {LOCK_VENV.relative_to(ROOT)} (the lock has not changed)")
        return python
    import venv  # here, not at the top: Windows' embeddable Python (build.py --wine) has no venv module

    shutil.rmtree(LOCK_VENV, ignore_errors=True)
    log(f"making {LOCK_VENV.relative_to(ROOT)} from {LOCK.relative_to(ROOT)}")
    venv.create(LOCK_VENV, with_pip=True, clear=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "install", "-q", "--require-hashes", "--only-binary=:all:", "-r", str(LOCK)])
    # The app itself (not in the lock: it is this checkout), with nothing more than the lock holds
    run([*pip, "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(ROOT)])
    run([*pip, "check"])
    stamp.write_text(digest + "\n", encoding="ascii")
    return python


def in_lock_env() -> bool:
    try:
        return Path(sys.prefix).resolve() == LOCK_VENV.resolve()
    except OSError:
        return False


# -- the one-folder bundle ---------------------------------------------------------------------------------------


def ensure_icons() -> None:
    sys.path.insert(0, str(HERE))
    try:
        import icons  # packaging/icons.py
    finally:
        sys.path.pop(0)
    if icons.stale():
        log("icons are missing or older than their SVG: regenerating")
        icons.generate()


def build_bundle() -> None:
    try:
        metadata.version("xcelsior-desktop")
    except metadata.PackageNotFoundError:
        raise SystemExit("build: install the app first: python -m pip install -e '.[packaging]'") from None
    ensure_icons()
    started = time.monotonic()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(BUNDLE.parent), "--workpath", str(PYINSTALLER_WORK), str(HERE / "xcelsior-desktop.spec")],
        cwd=ROOT)
    copy_third_party_licences(BUNDLE / "_internal" / "licenses" / "third-party")
    remove_dangling_symlinks(BUNDLE)
    app_bundle = DIST / f"{meta.APP_NAME}.app"
    if IS_MAC and app_bundle.exists():
        copy_third_party_licences(app_bundle / "Contents" / "Resources" / "licenses" / "third-party")
        remove_dangling_symlinks(app_bundle)  # framework links whose binaries the spec dropped
        run(["codesign", "--force", "--deep", "--sign", "-", str(app_bundle)])  # renew the ad-hoc seal after edits
    check_libraries_resolve(BUNDLE)
    log(f"bundle {BUNDLE} ({du_mb(BUNDLE):.1f} MB) in {time.monotonic() - started:.0f} s")


def check_libraries_resolve(folder: Path) -> None:
    """Linux: every library the bundle links against is in the bundle or on this system (ldd finds it).

    The self-test runs offscreen, so this is what proves the xcb platform plugin's libraries are all there.
    """
    if not IS_LINUX or shutil.which("ldd") is None:
        return
    elves = _elf_files(folder)
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(sorted({str(p.parent) for p in elves}))}
    missing: dict[str, set[str]] = {}
    for elf in elves:
        out = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env).stdout
        for name in re.findall(r"^\s*(\S+) => not found", out, re.MULTILINE):
            missing.setdefault(name, set()).add(str(elf.relative_to(folder)))
    if missing:
        details = "; ".join(f"{lib} (needed by {', '.join(sorted(users)[:3])})" for lib, users in sorted(missing.items()))
        raise SystemExit(f"build: libraries missing on this system: {details}: install them (see .ci/apt-packages.txt)")
    log(f"all {len(elves)} binaries resolve their libraries")


def remove_dangling_symlinks(folder: Path) -> None:
    """PyInstaller links some Qt libraries into the top folder; the spec drops a few of their targets."""
    for path in folder.rglob("*"):
        if path.is_symlink() and not path.exists():
            path.unlink()
            log(f"removed dangling link {path.relative_to(folder)}")


def _runtime_distributions() -> list[str]:
    """xcelsior-desktop's run-time dependencies, recursively (the distributions the bundle ships)."""
    seen: set[str] = set()
    todo = ["xcelsior-desktop"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # a dependency for another OS (e.g. pywin32-ctypes on Linux)
        seen.add(key)
        for requirement in requirements:
            if "extra ==" in requirement:
                continue
            # platform markers are not evaluated: a dependency for another OS is simply not installed here
            todo.append(re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0])
    return sorted(seen - {"xcelsior-desktop"})


def copy_third_party_licences(target: Path) -> None:
    """Each bundled distribution's own licence files, plus Python's, into the bundle."""
    target.mkdir(parents=True, exist_ok=True)
    python_licence = Path(sys.base_prefix) / ("LICENSE.txt" if IS_WIN else f"lib/python{sys.version_info.major}.{sys.version_info.minor}/LICENSE.txt")
    if python_licence.exists():
        (target / "python").mkdir(exist_ok=True)
        shutil.copy2(python_licence, target / "python" / "LICENSE.txt")
    for name in _runtime_distributions():
        dist = metadata.distribution(name)
        files = [f for f in (dist.files or []) if re.search(r"(?i)(licen[cs]e|copying|notice|authors)", f.name)]
        if not files:
            continue
        folder = target / dist.metadata["Name"]
        folder.mkdir(exist_ok=True)
        for file in files:
            source = Path(str(file.locate()))
            if source.is_file():
                shutil.copy2(source, folder / source.name)


def load_sibling(name: str):  # type: ignore[no-untyped-def]
    """A helper module of packaging/ by path (the folder is no package: see appmeta.py)."""
    spec = importlib.util.spec_from_file_location(f"xcelsior_{name.replace('/', '_')}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def print_versions() -> None:
    """One line: the versions the bundle is built from (the lock's, in the locked environment)."""
    sys.path.insert(0, str(HERE))
    try:
        import versions  # packaging/versions.py
    finally:
        sys.path.pop(0)
    log(versions.line(extras=("packaging",)))


def check_self_test(executable: Path, what: str = "the bundle") -> float:
    """Run ``executable --self-test``; its seconds, or SystemExit when it did not print that it passed.

    The exit status alone is not trusted: under Wine a windowed program that crashed can report 0, so the
    self-test's own last line must be there too.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    # The frozen program writes to a pipe in the system's code page on Windows, whatever mode this Python is in
    encoding = locale.getencoding() if IS_WIN else None
    # Pipes, not the inherited console: a windowed (GUI-subsystem) Windows build gets valid std handles this way.
    try:
        result = subprocess.run([str(executable), "--self-test"], env=env, timeout=300, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding=encoding,
                                errors="replace")
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"build: {what}'s --self-test did not finish in {exc.timeout:.0f} s") from None
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        raise SystemExit(f"build: {what}'s --self-test failed (exit status {result.returncode}: the step number)")
    if not any(line.startswith(SELF_TEST_PASSED) for line in result.stdout.splitlines()):
        raise SystemExit(f"build: {what}'s --self-test exited 0 without printing '{SELF_TEST_PASSED}'")
    return time.monotonic() - started


def self_test() -> None:
    executable = bundle_executable()
    if IS_MAC and (DIST / f"{meta.APP_NAME}.app").exists():
        executable = DIST / f"{meta.APP_NAME}.app" / "Contents" / "MacOS" / meta.EXE_NAME
    log(f"self-test passed in {check_self_test(executable):.1f} s")


# -- Linux: .tar.gz and .deb -------------------------------------------------------------------------------------


def linux_arch() -> str:
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        platform.machine().lower(), platform.machine().lower())


def install_desktop_files(root: Path, share: str) -> None:
    """The .desktop entry, AppStream metainfo and hicolor icons under ``root/share``."""
    share_dir = root / share
    (share_dir / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy2(DESKTOP_FILE, share_dir / "applications" / DESKTOP_FILE.name)
    (share_dir / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy2(METAINFO_FILE, share_dir / "metainfo" / METAINFO_FILE.name)
    for png in sorted((RESOURCES / "icons").glob("xcelsior-desktop-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        folder = share_dir / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, folder / f"{ICON_NAME}.png")
    scalable = share_dir / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy2(RESOURCES / "xcelsior-desktop.svg", scalable / f"{ICON_NAME}.svg")


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_tar(version: str) -> Path:
    """A relocatable tarball: the bundle plus share/ files a user can copy to ~/.local/share."""
    name = f"{meta.EXE_NAME}-{version}-linux-{linux_arch()}"
    staging = BUILD / "tar" / name
    shutil.rmtree(staging.parent, ignore_errors=True)
    shutil.copytree(BUNDLE, staging, symlinks=True)
    install_desktop_files(staging, "share")
    (staging / "INSTALL.txt").write_text(
        f"{meta.APP_NAME} {version}\n\n"
        f"Run it from here:  ./{meta.EXE_NAME}   (or try it with no meter:  ./{meta.EXE_NAME} demo)\n"
        f"Check the bundle:  ./{meta.EXE_NAME} --self-test\n\n"
        "It uses the desktop's own X11/xcb, font and D-Bus libraries; on Debian or Ubuntu:\n"
        f"  sudo apt install {' '.join(d.strip() for d in FALLBACK_DEPENDS.split(','))}\n\n"
        "Add it to your applications menu (per user):\n"
        "  cp -r share/* ~/.local/share/\n"
        f"  ln -s \"$PWD/{meta.EXE_NAME}\" ~/.local/bin/{meta.EXE_NAME}\n",
        encoding="utf-8",
    )
    out = DIST / f"{name}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as archive:
        archive.add(staging, arcname=name, filter=_tar_filter)
    log(f"tarball {out.name} ({du_mb(out):.1f} MB)")
    return out


def _elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def deb_depends(opt_dir: Path) -> str:
    """The Debian packages providing the system libraries the bundle links against (dpkg-shlibdeps)."""
    if shutil.which("dpkg-shlibdeps") is None:
        log("dpkg-shlibdeps not found (Debian package dpkg-dev): using the fixed Depends list")
        return FALLBACK_DEPENDS
    elves = _elf_files(opt_dir)
    private_dirs = sorted({str(p.parent) for p in elves})
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "debian").mkdir()
        (Path(tmp) / "debian" / "control").write_text(
            f"Source: {meta.EXE_NAME}\n\nPackage: {meta.EXE_NAME}\nArchitecture: any\n", encoding="utf-8")
        cmd = ["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0",
               *(f"-l{d}" for d in private_dirs), *map(str, elves)]
        result = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    if result.returncode != 0:
        log(f"dpkg-shlibdeps failed ({result.stderr.strip().splitlines()[-1:]}): using the fixed Depends list")
        return FALLBACK_DEPENDS
    match = re.search(r"^shlibs:Depends=(.*)$", result.stdout, re.MULTILINE)
    if not match:
        return FALLBACK_DEPENDS
    depends = [d.strip() for d in match.group(1).split(",") if d.strip()]
    # The xcb plugin dlopen()s nothing we can see statically; make sure the classic Qt 6 xcb needs are named.
    for needed in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1", "libdbus-1-3"):
        if not any(d.split()[0] == needed for d in depends):
            depends.append(needed)
    return ", ".join(depends)


def build_deb(version: str) -> Path:
    """A .deb with dpkg-deb: /opt/xcelsior-desktop, /usr/bin launcher symlink, menu entry, icons, metainfo."""
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("build: dpkg-deb not found (Debian package dpkg)")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    root = BUILD / "deb" / "root"
    shutil.rmtree(root.parent, ignore_errors=True)
    opt = root / "opt" / meta.EXE_NAME
    shutil.copytree(BUNDLE, opt, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink(f"/opt/{meta.EXE_NAME}/{meta.EXE_NAME}", root / "usr" / "bin" / meta.EXE_NAME)
    install_desktop_files(root, "usr/share")
    doc = root / "usr" / "share" / "doc" / meta.EXE_NAME
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {meta.EXE_NAME}\nSource: {meta.HOMEPAGE}\n\n"
        "Files: *\nCopyright: Xcelsior Desktop developers\nLicense: Apache-2.0\n"
        " On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.\n"
        f" Bundled third-party components and their licences: /opt/{meta.EXE_NAME}/_internal/licenses/\n",
        encoding="utf-8",
    )
    for path in root.rglob("*"):  # dpkg wants 0755 directories and no group/world-writable files
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(0o755 if path.is_dir() or mode & 0o111 else 0o644)
    installed_kb = int(sum(p.lstat().st_size for p in root.rglob("*")) / 1024) + 1
    depends = deb_depends(opt)
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        f"Package: {meta.EXE_NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {meta.MAINTAINER}\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {depends}\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"Homepage: {meta.HOMEPAGE}\n"
        f"Description: {meta.SUMMARY}\n"
        " Xcelsior Desktop shows the power your home draws right now in the system tray,\n"
        " read directly from an Xcel Energy Itron Gen5 Riva smart meter over its local\n"
        " IEEE 2030.5 API (mutual TLS). Nothing goes through the cloud.\n"
        " .\n"
        " This package ships a self-contained build (Python and Qt included) in /opt.\n",
        encoding="utf-8",
    )
    out = DIST / f"{meta.EXE_NAME}_{version}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(out)], stdout=subprocess.DEVNULL)
    log(f"deb {out.name} ({du_mb(out):.1f} MB), Depends: {depends}")
    return out


def verify_deb(deb: Path, run_self_test: bool) -> None:
    """Check the package's control fields and file list; optionally unpack it and run the unpacked --self-test."""
    fields = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    for key in ("Package", "Version", "Architecture", "Depends", "Installed-Size", "Description"):
        if not re.search(rf"^{key}: \S", fields, re.MULTILINE):
            raise SystemExit(f"build: {deb.name} has no {key} field")
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    expected = [
        f"./opt/{meta.EXE_NAME}/{meta.EXE_NAME}",
        f"./usr/bin/{meta.EXE_NAME} -> /opt/{meta.EXE_NAME}/{meta.EXE_NAME}",
        f"./usr/share/applications/{DESKTOP_FILE.name}",
        f"./usr/share/metainfo/{METAINFO_FILE.name}",
        f"./usr/share/icons/hicolor/256x256/apps/{ICON_NAME}.png",
        f"./usr/share/icons/hicolor/scalable/apps/{ICON_NAME}.svg",
        f"./usr/share/doc/{meta.EXE_NAME}/copyright",
    ]
    missing = [path for path in expected if path not in listing]
    if missing:
        raise SystemExit(f"build: {deb.name} lacks {missing}")
    if " root/root " not in listing or re.search(r"^\S+ (?!root/root)\S+/\S+ ", listing, re.MULTILINE):
        raise SystemExit(f"build: {deb.name} has files not owned by root")
    log(f"deb contents and control fields ok ({len(listing.splitlines())} entries)")
    if run_self_test:
        with tempfile.TemporaryDirectory() as tmp:
            run(["dpkg-deb", "--extract", str(deb), tmp])
            executable = Path(tmp) / "opt" / meta.EXE_NAME / meta.EXE_NAME
            check_self_test(executable, "the unpacked .deb")
        log("unpacked .deb passes --self-test")


def build_appimage() -> None:
    raise SystemExit(
        "build: no AppImage: appimagetool and the AppImage runtime are not packaged in Debian, PyPI or npm (the "
        "PyPI/npm tools download them from GitHub at build time); ship the .deb and the .tar.gz instead")


# -- Windows and macOS installers ------------------------------------------------------------------------------


def find_iscc() -> str:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    for candidate in (r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe", r"C:\Program Files\Inno Setup 6\ISCC.exe"):
        if not iscc and Path(candidate).exists():
            iscc = candidate
    if not iscc:
        raise SystemExit("build: Inno Setup's ISCC.exe not found (install Inno Setup 6, e.g. `choco install innosetup`)")
    return iscc


def build_inno(version: str, output_dir: Path = DIST, compression: str | None = None) -> Path:
    """The per-user Inno Setup installer of the bundle; ``compression`` only for throwaway test installers."""
    started = time.monotonic()
    extra = [f"/DCompression={compression}"] if compression else []
    run([find_iscc(), "/Q", f"/DAppVersion={version}", f"/DSourceDir={BUNDLE}", f"/DOutputDir={output_dir}",
         f"/DRepoRoot={ROOT}", *extra, str(HERE / "windows" / "xcelsior-desktop.iss")])
    out = output_dir / f"{meta.EXE_NAME}-{version}-setup.exe"
    if not out.is_file():
        raise SystemExit(f"build: ISCC finished but {out} is not there")
    log(f"installer {out.name} ({du_mb(out):.1f} MB) in {time.monotonic() - started:.0f} s")
    return out


def build_dmg(version: str) -> Path:
    app = DIST / f"{meta.APP_NAME}.app"
    run(["bash", str(HERE / "macos" / "sign_and_notarize.sh"), "app", str(app)])
    out = DIST / f"{meta.EXE_NAME}-{version}-macos-{platform.machine()}.dmg"
    run(["bash", str(HERE / "macos" / "make_dmg.sh"), str(app), str(out), f"{meta.APP_NAME} {version}"])
    run(["bash", str(HERE / "macos" / "sign_and_notarize.sh"), "dmg", str(out)])
    log(f"disk image {out.name} ({du_mb(out):.1f} MB)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the standalone bundle and installers.")
    parser.add_argument("--no-bundle", action="store_true", help="reuse dist/xcelsior-desktop from an earlier build")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's --self-test after building")
    parser.add_argument("--deb", action="store_true", help="Linux: build the .deb")
    parser.add_argument("--tar", action="store_true", help="Linux: build the .tar.gz")
    parser.add_argument("--appimage", action="store_true", help="Linux: explain why there is no AppImage")
    parser.add_argument("--inno", action="store_true", help="Windows: build the Inno Setup installer")
    parser.add_argument("--install-check", action="store_true",
                        help="Windows: install the installer silently (also over an older version), self-test the "
                             "installed program, uninstall it and check that nothing is left")
    parser.add_argument("--wine", action="store_true",
                        help="Linux: build, self-test, install and uninstall the Windows program under Wine "
                             "(packaging/wine.py); bundle in dist/windows/, installer in dist/")
    parser.add_argument("--dmg", action="store_true", help="macOS: build (and sign/notarise if configured) the .dmg")
    parser.add_argument("--installer", action="store_true", help="this OS's installers (deb+tar / Inno / dmg)")
    parser.add_argument("--current-env", action="store_true",
                        help="build with the running Python's packages instead of the lock")
    args = parser.parse_args(argv)
    if args.wine:
        if IS_WIN:
            raise SystemExit("build: --wine is for Linux; on Windows run build.py --self-test --inno --install-check")
        return load_sibling("wine").main(forwarded=["--self-test", "--inno", "--install-check"])
    if not args.current_env and not in_lock_env():
        python = ensure_lock_env()
        forwarded = list(sys.argv[1:] if argv is None else argv)
        return subprocess.run([str(python), str(Path(__file__).resolve()), *forwarded], check=False).returncode
    print_versions()
    version = meta.read_version()
    if args.installer:
        args.deb = args.tar = args.deb or args.tar or IS_LINUX
        args.inno = args.inno or IS_WIN
        args.dmg = args.dmg or IS_MAC
    if args.appimage:
        build_appimage()
    for flag, ok in (("deb", IS_LINUX), ("tar", IS_LINUX), ("inno", IS_WIN), ("install_check", IS_WIN),
                     ("dmg", IS_MAC)):
        if getattr(args, flag) and not ok:
            where = "Linux" if flag in ("deb", "tar") else "macOS" if flag == "dmg" else "Windows (or --wine)"
            raise SystemExit(f"build: --{flag.replace('_', '-')} runs on {where} only")
    DIST.mkdir(exist_ok=True)
    if not args.no_bundle:
        build_bundle()
    elif not bundle_executable().exists():
        raise SystemExit(f"build: --no-bundle but {bundle_executable()} does not exist")
    if args.self_test:
        self_test()
    if args.tar:
        build_tar(version)
    if args.deb:
        verify_deb(build_deb(version), run_self_test=args.self_test)
    if args.inno or args.install_check:
        installer = build_inno(version)
        if args.install_check:
            load_sibling("windows/installcheck").check(
                installer, version, BUILD / "windows" / "install-check", build_inno, check_self_test)
    if args.dmg:
        build_dmg(version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
