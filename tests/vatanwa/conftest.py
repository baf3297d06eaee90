from __future__ import annotations

from collections.abc import Iterator

import pytest

from vatanwa import RetryPolicy, Vatanwa

from .scripted import ScriptedServer, scripted_server

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
# Retries in tests wait milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as running:
        yield running


@pytest.fixture
def api(server: ScriptedServer) -> Iterator[Vatanwa]:
    server.answers.clear()
    server.requests.clear()
    with Vatanwa(CLIENT_ID, CLIENT_SECRET, base_url=server.base_url, retry=FAST_RETRY) as client:
        yield client
