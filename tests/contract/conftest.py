"""Fixtures of the contract tests: the mock over real HTTP, and clients of it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from vatanwa_client import Client

from tests.contract import mock
from tests.support.servers import MockServer, run_mock


@pytest.fixture(scope="module")
def http_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    """``python -m mock_server`` on a free loopback port, with the contract runs' settings."""
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
