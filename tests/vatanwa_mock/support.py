"""Helpers of the mock's tests: clients of a running mock that check every response."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from vatanwa_client import Client

from tests.support.polling import eventually
from tests.support.servers import MockServer
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET, headers
from tests.vatanwa_mock import conformance

#: Fast simulated time: a message at send_speed 1 takes 10 ms.
FAST = ("--speed-factor", "0.01", "--validate-responses")


@contextmanager
def api_client(
    server: MockServer, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> Iterator[Client]:
    """The generated client of ``server``, as a tenant, checking every response."""
    client = Client(
        base_url=server.base_url,
        headers=headers(client_id, client_secret),
        timeout=httpx.Timeout(30.0),
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": conformance.event_hooks()},
    )
    with client:
        yield client


@contextmanager
def control_client(
    server: MockServer, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> Iterator[httpx.Client]:
    """An httpx client of the control API, as a tenant, checking every response."""
    with httpx.Client(
        base_url=server.root_url + "/_mock",
        headers=headers(client_id, client_secret),
        timeout=30.0,
        event_hooks=conformance.event_hooks(),
    ) as client:
        yield client


@contextmanager
def raw_client(server: MockServer) -> Iterator[httpx.Client]:
    """An httpx client of the mocked API (no credentials), checking every response."""
    with httpx.Client(
        base_url=server.base_url, timeout=30.0, event_hooks=conformance.event_hooks()
    ) as client:
        yield client


def finished_messages(control: httpx.Client, count: int, **filters: Any) -> list[dict[str, Any]]:
    """Wait until ``count`` messages matching ``filters`` are no longer queued."""

    def probe() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = control.get("/messages", params=filters).json()
        done = [m for m in found if m["status"] != "queued"]
        return found if len(found) >= count and len(done) == len(found) else None

    return eventually(probe)
