"""Loaded at start-up by the Windows Python that packaging/wine.py sets up to build the bundle under Wine only.

Why: Python 3.12+ copies files on Windows with ``_winapi.CopyFile2``, which Wine 8.0 leaves unimplemented: the
call ends the process ("Unimplemented function KERNEL32.dll.CopyFile2"), so ``shutil.copy2`` (setuptools, pip,
build.py) would kill the build. Without the attribute, ``shutil`` uses its portable copy (read, write, copystat).
Never part of the shipped bundle and never used on real Windows.
"""

import _winapi

if hasattr(_winapi, "CopyFile2"):
    del _winapi.CopyFile2
