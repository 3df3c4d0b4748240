"""Run as on Windows, where there is no fcntl: installed by conftest.py when DOCSANTE_TEST_HIDE_FCNTL is
set (.ci/run's second pass). Any module but Whoosh's lock then fails to import fcntl, as it does on Windows;
Whoosh's own lock, which takes msvcrt on Windows, keeps it. filelock then falls back to its soft lock."""

from __future__ import annotations

import importlib.abc
import os
import sys

VARIABLE = "DOCSANTE_TEST_HIDE_FCNTL"


class _HideFcntl(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "fcntl":
            return None
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "") if frame is not None else ""
        if importer.startswith("whoosh."):
            return None
        raise ImportError(f"fcntl is hidden, as on Windows (imported by {importer})")


def install() -> None:
    if os.environ.get(VARIABLE) and not any(isinstance(f, _HideFcntl) for f in sys.meta_path):
        sys.modules.pop("fcntl", None)
        sys.meta_path.insert(0, _HideFcntl())
