"""Fixtures of the contract tests: the mock over real HTTP, and clients of it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from vatanwa_client import Client

from tests.contract import budget, mock
from tests.support.servers import MockServer, run_mock

#: pytest-timeout's limit for one test (pyproject.toml), which holds the default budget.
BASE_TIMEOUT = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A larger budget (`make fuzz`) gets a proportionally larger time limit per test."""
    if budget.SCALE <= 1:
        return
    for item in items:
        if item.get_closest_marker("timeout") is None and "tests/contract" in item.nodeid:
            item.add_marker(pytest.mark.timeout(round(BASE_TIMEOUT * budget.SCALE)))


@pytest.fixture(scope="module")
def http_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    """``python -m vatanwa_mock`` on a free loopback port, with the contract runs' settings."""
    with run_mock(*mock.ARGS, tmp_path=tmp_path_factory.mktemp("mock")) as server:
        yield server
        # Whatever the tests sent, the server is still up and never answered 5xx by crashing.
        assert server.process.poll() is None, server.log()


@pytest.fixture
def api(http_mock: MockServer) -> Iterator[Client]:
    """The generated client, authenticated as the mock's tenant."""
    client = Client(
        base_url=http_mock.base_url,
        headers=dict(mock.HEADERS),
        timeout=httpx.Timeout(10.0),
        raise_on_unexpected_status=True,
    )
    with client:
        yield client
