"""Copy the inspector's front-end libraries from node_modules/ into the mock's package.

The versions are the ones pinned in package.json (installed by ``npm ci``); each file is
copied with its licence, and ``VERSIONS.txt`` records what was copied, so the wheel carries
everything the UI loads and the browser fetches nothing from elsewhere.

    python -m scripts.vendor_ui            copy
    python -m scripts.vendor_ui --check    fail when the vendored files differ from node_modules
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "vatanwa_mock" / "ui" / "static" / "vendor"

#: npm package -> (file in the package, name in vendor/)
FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "htmx.org": (("dist/htmx.min.js", "htmx.min.js"), ("LICENSE", "LICENSE.htmx.org")),
    "htmx-ext-sse": (("dist/sse.min.js", "sse.min.js"), ("LICENSE", "LICENSE.htmx-ext-sse")),
}


def pinned(package: str) -> str:
    """The exact version package.json pins."""
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return str(manifest["devDependencies"][package])


def versions_text() -> str:
    """What ``VERSIONS.txt`` says: each package, its version and licence file."""
    lines = ["# Copied from npm by `make vendor-ui` (scripts/vendor_ui.py); do not edit."]
    for package, files in FILES.items():
        lines.append(f"{package}@{pinned(package)}: " + ", ".join(name for _, name in files))
    return "\n".join(lines) + "\n"


def expected() -> dict[Path, bytes]:
    """Every vendored file and the bytes it must hold."""
    found: dict[Path, bytes] = {VENDOR / "VERSIONS.txt": versions_text().encode()}
    for package, files in FILES.items():
        installed = json.loads((NODE_MODULES / package / "package.json").read_text())["version"]
        if installed != pinned(package):
            raise SystemExit(
                f"node_modules has {package} {installed}, package.json pins {pinned(package)}: "
                "run npm ci"
            )
        for source, name in files:
            found[VENDOR / name] = (NODE_MODULES / package / source).read_bytes()
    return found


def main(argv: list[str] | None = None) -> int:
    """Copy, or with ``--check`` compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of copying")
    args = parser.parse_args(argv)
    wanted = expected()
    if args.check:
        stale = [p for p, data in wanted.items() if not p.exists() or p.read_bytes() != data]
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from node_modules", file=sys.stderr)
        return 1 if stale else 0
    VENDOR.mkdir(parents=True, exist_ok=True)
    for path, data in wanted.items():
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
