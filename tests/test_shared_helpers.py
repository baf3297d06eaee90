"""The helpers every test directory needs are defined once, in tests/support/."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import polling, servers, tenants

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
SHARED = {
    "headers": tenants,
    "eventually": polling,
    "free_port": servers,
    "run_mock": servers,
    "serve_asgi": servers,
    "serve_wsgi": servers,
    "wait_until_healthy": servers,
}


def test_each_shared_helper_lives_in_tests_support() -> None:
    for name, module in SHARED.items():
        assert callable(getattr(module, name)), name


def test_no_test_module_defines_a_shared_helper_again() -> None:
    again = []
    for path in sorted(TESTS.rglob("*.py")):
        if SUPPORT in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in SHARED:
                again.append(f"{path.relative_to(TESTS)}:{node.lineno} {node.name}")
    assert not again, f"import these from tests/support instead: {again}"
