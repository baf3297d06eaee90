"""The ``events`` tag of the control API: a server-sent event stream of a tenant's changes.

The stream forwards the twin's change notifications (:attr:`Twin.changes`). A login also
changes by the clock alone (it pairs by itself after ``--login-delay``, it expires), with no
write to announce it, so the stream wakes at the next such moment of the tenant's pending
logins and sends ``logins`` then.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse

from vatanwa_mock.store import browse
from vatanwa_mock.twin import Twin

#: The areas a client refreshes; ``reset`` and ``resync`` (the stream fell behind) mean all.
AREAS = ("logins", "messages", "deliveries", "settings")
#: A stream ends after this long (seconds) and the client reconnects (``retry``): a stream
#: never outlives a server that is stopping by more than this, whatever the server does.
LIFETIME = 60.0
#: A comment line after this long without an event (seconds), so that a gone client is noticed.
HEARTBEAT = 5.0
#: How long a burst of changes is gathered into one event per area (seconds).
GATHER = 0.2
#: What the client waits before it reconnects (milliseconds).
RETRY_MS = 250


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _next_login_change(twin: Twin, tenant: str) -> float | None:
    now = time.time()
    moments = [
        change
        for registration in browse.registrations(twin.store, tenant)
        if (change := registration.next_change(now)) is not None
    ]
    return min(moments, default=None)


async def event_stream(
    twin: Twin, tenant: str, *, lifetime: float = LIFETIME
) -> AsyncIterator[bytes]:
    """``text/event-stream`` bytes: one event per changed area (``logins``, ``messages``,
    ``deliveries``, ``settings``) with data ``{"area": ..., "at": <epoch seconds>}``, and a
    comment as a heartbeat while nothing changes."""
    ends = time.monotonic() + lifetime
    with twin.changes.subscribe(tenant) as subscription:
        yield f"retry: {RETRY_MS}\n".encode() + _event("ready", {"at": time.time()})
        login_change = _next_login_change(twin, tenant)
        while time.monotonic() < ends:
            wait = min(HEARTBEAT, ends - time.monotonic())
            if login_change is not None:
                wait = max(0.0, min(wait, login_change - time.time() + 0.05))
            try:
                change = await asyncio.wait_for(subscription.get(), timeout=wait)
            except TimeoutError:
                if login_change is not None and time.time() >= login_change:
                    yield _event("logins", {"area": "logins", "at": time.time()})
                    login_change = _next_login_change(twin, tenant)
                else:
                    yield b": heartbeat\n\n"
                continue
            # Changes come in bursts (a send of many recipients, a report per message): gather
            # them a moment and send each area once, so a client reloads a list a few times a
            # second at most.
            await asyncio.sleep(GATHER)
            topics = [change.topic]
            while subscription.pending():
                topics.append((await subscription.get()).topic)
            areas = tuple(
                dict.fromkeys(
                    area
                    for topic in topics
                    for area in (AREAS if topic in ("reset", "resync") else (topic,))
                )
            )
            for area in areas:
                yield _event(area, {"area": area, "at": time.time()})
            if "logins" in areas:
                login_change = _next_login_change(twin, tenant)


def event_response(twin: Twin, tenant: str) -> StreamingResponse:
    """The stream as a response that proxies and browsers do not buffer."""
    return StreamingResponse(
        event_stream(twin, tenant),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def stream_events(twin: Twin, tenant: str) -> StreamingResponse:
    """The tenant's changes as server-sent events."""
    return event_response(twin, tenant)
