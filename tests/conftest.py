"""What a bare ``pytest`` collects: everything but ``tests/contract/``, as ``make test`` runs it.

The contract tests are long and run in ``make contract`` (after the contract run over HTTP);
``pytest tests/contract`` (or a file or test in it) still collects them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parent / "contract"
#: ``pytester`` runs the plugin's sample projects (tests/plugin/); ``pytest_plugins`` is honoured
#: only in this top conftest.
pytest_plugins = ["pytester"]


def _names_contract(arg: str) -> bool:
    path = Path(arg.split("::")[0]).resolve()
    return path == CONTRACT or CONTRACT in path.parents


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave ``tests/contract/`` out unless the command line names it."""
    if collection_path != CONTRACT:
        return None
    return not any(_names_contract(arg) for arg in config.args)
