"""What one running mock holds: its settings, contract, store and the live coordination.

The app puts its :class:`Runtime` into every request's ASGI scope, so that handlers and the
security check reach it without globals (tests run several apps in one process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vatanwa_mock.chaos import ChaosRegistry
from vatanwa_mock.config import Settings
from vatanwa_mock.spec import Contract
from vatanwa_mock.store import Store
from vatanwa_mock.tenants import Tenants

SCOPE_KEY = "vatanwa.runtime"
TENANT_KEY = "vatanwa.tenant"


class LoginWatch:
    """Wakes the requests long-polling ``/login/check`` when a login pairs on demand."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}

    async def wait(self, reg_id: str, seconds: float) -> None:
        """Return after ``seconds``, or earlier when ``reg_id`` is notified."""
        event = asyncio.Event()
        self._waiters.setdefault(reg_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout=max(seconds, 0.0))
        except TimeoutError:
            pass
        finally:
            waiters = self._waiters.get(reg_id, set())
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(reg_id, None)

    def notify(self, reg_id: str) -> None:
        """Wake everything waiting on ``reg_id``."""
        for event in self._waiters.get(reg_id, ()):
            event.set()


@dataclass
class Runtime:
    """The state of one app: built by :func:`vatanwa_mock.app.create_app`."""

    settings: Settings
    contract: Contract
    store: Store
    chaos: ChaosRegistry = field(default_factory=ChaosRegistry)
    logins: LoginWatch = field(default_factory=LoginWatch)
    #: Set when messages are queued, so the dispatcher looks at the queue again.
    queue_changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: Set when delivery reports may have become due (written, replayed, a callback URL set),
    #: so the delivery worker looks at the outbox again.
    deliveries_changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: Every tenant, configured or created at run time (built from the settings and store).
    tenants: Tenants = field(init=False)
    #: Requests answered by the last-resort handler: an exception nothing else mapped. A defect
    #: whenever it is not 0 (the malformed-input tests assert it stays 0).
    unexpected_errors: int = 0

    def __post_init__(self) -> None:
        self.tenants = Tenants(self.settings.credentials, self.store)

    def authenticate(self, client_id: str | None, client_secret: str | None) -> str | None:
        """The tenant whose pair matches both headers, or None."""
        return self.tenants.authenticate(client_id, client_secret)


def runtime_of(scope: Mapping[str, Any]) -> Runtime:
    """The runtime of the app serving the request of ``scope``."""
    runtime = scope[SCOPE_KEY]
    if not isinstance(runtime, Runtime):
        raise LookupError("the request was not served by a vatanwa_mock app")
    return runtime
