"""Per-tenant change notifications: what a live view (an event stream) subscribes to.

Every state change of the twin publishes one :class:`Change` for its tenant, with a version
that grows by one per change. A subscriber gets the changes published after it subscribed, in
order; one that falls :data:`BACKLOG` changes behind gets a single ``resync`` change instead
of the ones it missed, so a slow reader never holds memory or slows the twin down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Literal

Topic = Literal["logins", "messages", "deliveries", "settings", "reset", "resync"]
#: How many unread changes a subscriber may have before it is told to resync.
BACKLOG = 256


@dataclass(frozen=True)
class Change:
    """Something of ``tenant`` changed (``topic``); ``version`` orders the tenant's changes."""

    tenant: str
    version: int
    topic: Topic


class Subscription:
    """The changes of one tenant since :meth:`Changes.subscribe`; iterate to receive them."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self._queue: asyncio.Queue[Change] = asyncio.Queue(BACKLOG)
        self._overflowed: Change | None = None

    def _offer(self, change: Change) -> None:
        try:
            self._queue.put_nowait(change)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(Change(change.tenant, change.version, "resync"))

    def pending(self) -> int:
        """How many changes wait to be read."""
        return self._queue.qsize()

    async def get(self) -> Change:
        """The next change (waits for one)."""
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[Change]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Change]:
        while True:
            yield await self.get()


class Changes:
    """The publisher: versions per tenant and the live subscriptions."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._subscribers: dict[str, set[Subscription]] = {}

    def version(self, tenant: str) -> int:
        """How many changes ``tenant`` has seen since the twin started."""
        return self._versions.get(tenant, 0)

    def publish(self, tenant: str, topic: Topic) -> Change:
        """Record a change of ``tenant`` and hand it to its subscribers."""
        version = self._versions.get(tenant, 0) + 1
        self._versions[tenant] = version
        change = Change(tenant, version, topic)
        for subscription in self._subscribers.get(tenant, ()):
            subscription._offer(change)
        return change

    @contextlib.contextmanager
    def subscribe(self, tenant: str) -> Iterator[Subscription]:
        """Receive ``tenant``'s changes for the duration of the ``with`` block."""
        subscription = Subscription(tenant)
        self._subscribers.setdefault(tenant, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(tenant, set())
            subscribers.discard(subscription)
            if not subscribers:
                self._subscribers.pop(tenant, None)
