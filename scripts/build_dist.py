"""Build the distributions of ``vatanwa`` into ``dist/`` (``make dist``).

``python -m scripts.build_dist`` builds the sdist from the tree, then the wheel from that sdist
(as pip would from an index), with the pinned pdm-backend of the development environment, and
prints both paths. The wheel holds ``vatanwa``, ``vatanwa_client`` and ``vatanwa_mock`` with its
OpenAPI documents (see ``pdm_build.py``); ``pip install 'vatanwa[mock]'`` adds the mock's
dependencies. A file left out of the sdist fails the wheel's build or its test
(``tests/packaging/``), not a user's install.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"

_BUILD = "import sys, pdm.backend as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"


def _backend(hook: str, source: Path, out: Path) -> Path:
    """Run pdm-backend's PEP 517 ``hook`` on the project at ``source``; the artefact built."""
    built = subprocess.run(
        [sys.executable, "-c", _BUILD, hook, str(out)],
        cwd=source,
        check=True,
        capture_output=True,
        text=True,
    )
    return out / built.stdout.strip().splitlines()[-1]


def build(out: Path = DIST) -> tuple[Path, Path]:
    """Build the sdist and, from it, the wheel into ``out`` (emptied first); both paths."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sdist = _backend("build_sdist", ROOT, out)
    with tempfile.TemporaryDirectory(prefix="vatanwa-sdist-") as unpacked:
        with tarfile.open(sdist) as archive:
            archive.extractall(unpacked, filter="data")
        (tree,) = Path(unpacked).iterdir()
        wheel = _backend("build_wheel", tree, out)
    return sdist, wheel


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_dist", description=__doc__)
    parser.add_argument("--out", type=Path, default=DIST, help="folder to build into (dist/)")
    out = parser.parse_args(argv).out.resolve()
    for artefact in build(out):
        print(artefact)
    return 0


if __name__ == "__main__":
    sys.exit(main())
