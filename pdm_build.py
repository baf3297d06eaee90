"""Build hook of pdm-backend: what the wheel of ``vatanwa`` holds beyond ``vatanwa/``.

The source tree keeps each file in one place: the generated client in
``generated_client/vatanwa_client`` (``make client`` writes it) and the two OpenAPI documents in
``openapi/``. The wheel needs them elsewhere: ``vatanwa_client`` at the top of site-packages, and
the documents as package data of the mock, ``vatanwa_mock/openapi/``, where
``vatanwa_mock.spec`` finds them. The sdist keeps the source layout (``source-includes`` in
pyproject.toml), so a wheel built from it is the same as one built from the tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pdm.backend.hooks import Context

#: The files of the tree copied into the wheel, by the folder they go to inside it.
CLIENT = Path("generated_client") / "vatanwa_client"
DOCUMENTS = (Path("openapi") / "vatanwa.yaml", Path("openapi") / "mock-control.yaml")
SKIPPED = {"__pycache__", ".mypy_cache", ".ruff_cache"}


def pdm_build_update_files(context: Context, files: dict[str, Path]) -> None:
    """Add the generated client and the mock's documents to the wheel."""
    if context.target != "wheel":
        return
    root = context.root
    for path in sorted((root / CLIENT).rglob("*")):
        relative = path.relative_to(root / CLIENT.parent)
        if path.is_file() and not SKIPPED.intersection(relative.parts):
            files[relative.as_posix()] = path
    for document in DOCUMENTS:
        files[f"vatanwa_mock/openapi/{document.name}"] = root / document
