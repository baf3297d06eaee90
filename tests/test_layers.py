"""The direction of imports: the mock never imports the SDK it exists to test, the SDK never
imports the mock, and the mock's store imports nothing above it."""

from __future__ import annotations

import ast

import pytest

from tests.support.servers import ROOT


def imported(package: str) -> dict[str, set[str]]:
    """Every module each source file of ``package`` imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        path: sorted(n for n in names if n.split(".")[0] in forbidden or n in forbidden)
        for path, names in imported(package).items()
        if any(n.split(".")[0] in forbidden or n in forbidden for n in names)
    }


def test_the_mock_imports_neither_the_sdk_nor_its_generated_client() -> None:
    assert offenders("vatanwa_mock", ("vatanwa", "vatanwa_client")) == {}


def test_the_sdk_imports_nothing_of_the_mock() -> None:
    # The command line (vatanwa/cli/) is a layer above both: `vatanwa mock serve` starts the
    # twin. Everything else under vatanwa/ is the SDK.
    found = offenders("vatanwa", ("vatanwa_mock",))
    assert {path: names for path, names in found.items() if "/cli/" not in path} == {}


@pytest.mark.parametrize("layer", ["vatanwa_mock/store"])
def test_the_store_imports_nothing_above_it(layer: str) -> None:
    above = ("connexion", "starlette", "httpx", "uvicorn")
    assert offenders(layer, above) == {}
    upward = {
        path: sorted(
            n
            for n in names
            if n.startswith("vatanwa_mock.")
            and not n.startswith("vatanwa_mock.store")
            and n != "vatanwa_mock.reports"
        )
        for path, names in imported(layer).items()
    }
    assert {p: n for p, n in upward.items() if n} == {}


def test_the_scan_sees_imports() -> None:
    # A scan that found nothing would pass the tests above vacuously.
    assert "vatanwa_mock.store" in imported("vatanwa_mock")["vatanwa_mock/twin/core.py"]
    assert any("vatanwa_client" in n for names in imported("vatanwa").values() for n in names)


#: The store's methods that change state; only the twin may call them.
STORE_WRITES = frozenset(
    {
        "create_registration",
        "pair",
        "expire",
        "logout",
        "add_attachment",
        "enqueue",
        "finish_message",
        "finish_messages",
        "reset",
        "set_callback_url",
        "start",
        "finish",
        "release",
        "replay",
    }
)


def test_only_the_twin_writes_to_the_store() -> None:
    callers: dict[str, set[str]] = {}
    for path in sorted((ROOT / "vatanwa_mock").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative.startswith(("vatanwa_mock/twin/", "vatanwa_mock/store/")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in STORE_WRITES
                and "store" in ast.unparse(node.func.value)
            ):
                callers.setdefault(relative, set()).add(ast.unparse(node.func))
    assert callers == {}
