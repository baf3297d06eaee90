"""What the installed ``vatanwa`` distribution says about the mock: its version, and whether
the dependencies of its ``mock`` extra are installed.

Both are read from the distribution's metadata, which pyproject.toml writes: the version and the
extra are declared there and nowhere else. The wheel of ``vatanwa`` carries the SDK and the mock
alike, but only ``pip install 'vatanwa[mock]'`` brings the mock's server stack; whatever starts
the mock (``vatanwa-mock``, the pytest plugin) calls :func:`require_mock_dependencies` first, so
that an SDK-only install gets one line saying what to install instead of a traceback.
"""

from __future__ import annotations

import re
from importlib import metadata

DISTRIBUTION = "vatanwa"
EXTRA = "mock"
INSTALL_COMMAND = f"pip install '{DISTRIBUTION}[{EXTRA}]'"
#: The version of a source tree that was never installed (no metadata to read).
UNKNOWN_VERSION = "0+unknown"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_OF_EXTRA = re.compile(rf"""extra\s*==\s*['"]{EXTRA}['"]""")


class MissingDependencyError(ImportError):
    """The mock cannot start: a dependency of ``vatanwa[mock]`` is not installed."""


def version() -> str:
    """The installed version of ``vatanwa``."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


def missing_dependencies() -> list[str]:
    """The projects the ``mock`` extra requires that are not installed, in declared order."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:  # a source tree: its environment is checked on import
        return []
    missing = []
    for requirement in requirements:
        spec, _, marker = requirement.partition(";")
        name = _NAME.match(spec.strip())
        if name is None or not _OF_EXTRA.search(marker):
            continue
        try:
            metadata.distribution(name.group(0))
        except metadata.PackageNotFoundError:
            missing.append(name.group(0))
    return missing


def missing_message(missing: str) -> str:
    """One line naming what is missing and the command that installs it."""
    return f"the vatanwa mock needs {missing}, which is not installed: {INSTALL_COMMAND}"


def require_mock_dependencies() -> None:
    """Raise :class:`MissingDependencyError` when a dependency of the extra is missing."""
    if missing := missing_dependencies():
        raise MissingDependencyError(missing_message(", ".join(missing)))
