"""The installed version of the package, read from its metadata (pyproject.toml is its home)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vatanwa")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
