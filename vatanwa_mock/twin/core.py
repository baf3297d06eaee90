"""The twin: the one home of the simulated service's rules.

:class:`Twin` holds what one running mock is (its settings, contract, store, chaos) and has one
method per state change of the service. Each method checks the rule, commits through the store
and wakes whoever waits: the dispatcher (:attr:`Twin.queue_changed`), the delivery worker
(:attr:`Twin.deliveries_changed`), requests long-polling ``/login/check``, and subscribers of
:attr:`Twin.changes`. Handlers, the dispatcher, the delivery worker and the control API all go
through it; nothing else writes to the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vatanwa_mock import logins, sending
from vatanwa_mock.chaos import Chaos, ChaosRegistry
from vatanwa_mock.config import ConfigError, Credentials, Settings, validate_callback_url
from vatanwa_mock.numbers import failure_reason
from vatanwa_mock.spec import Contract
from vatanwa_mock.store import (
    Attachment,
    ClaimedAttempt,
    Delivery,
    FinishedAttempt,
    MessageFilter,
    MessageStatus,
    OutboxStatus,
    Registration,
    Store,
    StoredMessage,
)
from vatanwa_mock.store import Conflict as StoreConflict
from vatanwa_mock.store import NotFound as StoreNotFound
from vatanwa_mock.tenants import Tenants
from vatanwa_mock.twin.changes import Changes
from vatanwa_mock.twin.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LoginNotDetected,
    NotConnected,
    NotFound,
    TooManyRecipients,
)

#: A send is written in slices of this many messages, yielding to the event loop in between.
QUEUE_SLICE = 2000

#: Where the app's lifespan puts the twin: ``scope["state"]["twin"]`` of every request.
STATE_KEY = "twin"

_NOT_CONNECTED_REASONS = {
    "pending": "its login is still pending",
    "expired": "its login expired before it paired",
    "logged_out": "it was logged out",
}


class Signal:
    """A wake-up for one background task: set by the twin, awaited by the task."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        """Wake the task."""
        self._event.set()

    def is_set(self) -> bool:
        """Whether a wake-up is pending."""
        return self._event.is_set()

    def clear(self) -> None:
        """Forget earlier wake-ups (the task is about to look at the state again)."""
        self._event.clear()

    async def wait(self) -> None:
        """Return once :meth:`set` is called (or was since :meth:`clear`)."""
        await self._event.wait()

    async def wait_for(self, seconds: float) -> None:
        """Return once set, or after ``seconds``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):  # no task per wait, unlike wait_for
                await self._event.wait()


class _LoginWatch:
    """Wakes the requests long-polling ``/login/check`` when a login changes on demand."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}

    async def wait(self, reg_id: str, seconds: float) -> None:
        event = asyncio.Event()
        self._waiters.setdefault(reg_id, set()).add(event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=max(seconds, 0.0))
        finally:
            waiters = self._waiters.get(reg_id, set())
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(reg_id, None)

    def notify(self, reg_id: str) -> None:
        for event in self._waiters.get(reg_id, ()):
            event.set()

    def notify_all(self) -> None:
        for reg_id in list(self._waiters):
            self.notify(reg_id)


@dataclass(frozen=True)
class NewAttachment:
    """A file sent with messages, checked by the handler against the contract's rules."""

    filename: str
    content_type: str
    data: bytes


class Twin:
    """One running mock: built by :func:`vatanwa_mock.app.create_app`."""

    def __init__(
        self,
        settings: Settings,
        contract: Contract,
        store: Store,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.contract = contract
        self.store = store
        self.clock = clock
        #: Per-tenant change notifications (for live views).
        self.changes = Changes()
        #: Set when messages are queued: the dispatcher looks at the queue again.
        self.queue_changed = Signal()
        #: Set when delivery reports may have become due: the worker looks at the outbox again.
        self.deliveries_changed = Signal()
        #: Every tenant, configured or created at run time.
        self.tenants = Tenants(settings.credentials, store)
        #: Requests answered by the last-resort handler: an exception nothing else mapped. A
        #: defect whenever it is not 0 (the malformed-input tests assert it stays 0).
        self.unexpected_errors = 0
        self._logins = _LoginWatch()
        self._chaos = ChaosRegistry()

    # Tenants

    def authenticate(self, client_id: str | None, client_secret: str | None) -> str | None:
        """The tenant whose pair matches both headers, or None (compared in constant time)."""
        return self.tenants.authenticate(client_id, client_secret)

    def create_tenant(self, created_by: str) -> Credentials:
        """A new, empty tenant with fresh random credentials; only a configured tenant may."""
        if not self.tenants.is_configured(created_by):
            raise Forbidden(
                "Only a tenant configured at start (--client-id/--client-secret) may create "
                "tenants."
            )
        return self.tenants.create(created_by=created_by)

    def reset(self, tenant: str) -> None:
        """Forget the tenant's devices, messages, reports, settings and chaos."""
        self.store.reset(tenant)
        self._chaos.set(tenant, None)
        # Long-polls of the removed logins answer 404 now rather than at their timeout.
        self._logins.notify_all()
        self.changes.publish(tenant, "reset")

    def chaos(self, tenant: str) -> Chaos | None:
        """The tenant's chaos, if any is set."""
        return self._chaos.get(tenant)

    def set_chaos(self, tenant: str, values: Mapping[str, Any] | None) -> Chaos | None:
        """Set the tenant's chaos from the control API's fields; empty or all-zero clears it."""
        chaos = Chaos(**values) if values else None
        if chaos is not None and not (
            chaos.latency_ms or chaos.error_rate or chaos.rate_limit_rate
        ):
            chaos = None
        if chaos is not None and chaos.error_rate + chaos.rate_limit_rate > 1:
            raise Invalid("error_rate + rate_limit_rate must not exceed 1")
        self._chaos.set(tenant, chaos)
        self.changes.publish(tenant, "settings")
        return chaos

    # Logins

    def start_login(self, tenant: str, method: str, phone: str | None) -> Registration:
        """A pending login by ``phone`` (pairing code) or by QR (``phone`` None)."""
        now = self.clock()
        delay = self.settings.effective_login_delay
        registration = self.store.create_registration(
            tenant,
            method=method,
            phone=phone,
            code=logins.pairing_code() if method == "phone" else None,
            qr=logins.qr_payload() if method == "qr" else None,
            created_at=now,
            expires_at=now + self.settings.login_timeout,
            pairs_at=now + delay if delay > 0 else None,
            device=logins.device_for(phone if phone is not None else logins.random_number()),
        )
        self.changes.publish(tenant, "logins")
        # A login that pairs by itself wakes the dispatcher of nothing; its waiters wake by time.
        return registration

    def registration(self, tenant: str, reg_id: str) -> Registration:
        """The tenant's login ``reg_id``, or :class:`NotFound`."""
        found = self.store.registration(tenant, reg_id)
        if found is None:
            raise NotFound(f"No device with reg_id {reg_id} in this account.")
        return found

    def connected_device(self, tenant: str, reg_id: str) -> Registration:
        """The tenant's device ``reg_id`` if it is connected now, else why not."""
        registration = self.registration(tenant, reg_id)
        now = self.clock()
        if registration.state(now) != "connected":
            raise _not_connected(registration, now)
        return registration

    def devices(self, tenant: str) -> list[Registration]:
        """The tenant's connected devices, oldest pairing first."""
        return self.store.connected(tenant, now=self.clock())

    def device_by_picture(self, token: str) -> Registration:
        """The connected device whose profile picture has this token (a device logged out, or
        whose login expired, no longer shows its picture)."""
        found = self.store.registration_by_picture(token)
        if found is None or found.state(self.clock()) != "connected":
            raise NotFound("No such picture.")
        return found

    async def await_login(self, tenant: str, reg_id: str) -> Registration:
        """Wait until the login pairs (returned) or cannot any more (raised); at most the
        login window."""
        registration = self.registration(tenant, reg_id)
        timeout = self.settings.login_timeout
        deadline = time.monotonic() + timeout
        while True:
            now = self.clock()
            state = registration.state(now)
            if state == "connected":
                return registration
            change = registration.next_change(now)
            remaining = deadline - time.monotonic()
            if state != "pending" or change is None or remaining <= 0:
                if state == "logged_out":
                    raise _not_connected(registration, now)
                raise LoginNotDetected(f"No login was detected within {timeout:g} seconds.")
            await self._logins.wait(reg_id, min(change - now, remaining))
            registration = self.registration(tenant, reg_id)  # a reset may have removed it

    def pair(
        self,
        tenant: str,
        reg_id: str,
        *,
        device_number: str | None = None,
        platform: str | None = None,
        user_name: str | None = None,
    ) -> Registration:
        """Pair a pending login now, as the phone would, optionally as another device."""
        found = self.store.registration(tenant, reg_id)
        if found is None:
            raise NotFound(f"No login with reg_id {reg_id} in this account.")
        device = None
        if device_number or platform or user_name:
            device = logins.device_for(
                device_number or found.device.device_number,
                platform or found.device.platform,
                user_name or found.device.user_name,
            )
        try:
            registration = self.store.pair(tenant, reg_id, at=self.clock(), device=device)
        except StoreConflict as exc:
            raise Conflict(f"Cannot pair {reg_id}: {exc}.") from None
        self._logins.notify(reg_id)
        self.changes.publish(tenant, "logins")
        return registration

    def expire(self, tenant: str, reg_id: str) -> Registration:
        """End a pending login's window now, as if nobody scanned in time."""
        self.registration(tenant, reg_id)
        try:
            registration = self.store.expire(tenant, reg_id, at=self.clock())
        except StoreConflict as exc:
            raise Conflict(f"Cannot expire {reg_id}: {exc}.") from None
        self._logins.notify(reg_id)
        self.changes.publish(tenant, "logins")
        return registration

    def logout(self, tenant: str, reg_id: str) -> Registration:
        """Log a connected device out; afterwards its ``reg_id`` is refused."""
        registration = self.connected_device(tenant, reg_id)
        try:
            registration = self.store.logout(tenant, registration.reg_id, at=self.clock())
        except StoreConflict:  # it changed state in between
            raise _not_connected(self.registration(tenant, reg_id), self.clock()) from None
        self._logins.notify(reg_id)
        self.changes.publish(tenant, "logins")
        return registration

    # Messages

    def check_recipients(self, count: int) -> None:
        """Refuse a send of more than ``--max-recipients`` recipients."""
        limit = self.settings.max_recipients
        if count > limit:
            raise TooManyRecipients(
                f"Too many recipients: {count} in one request; at most {limit} are accepted "
                "(--max-recipients). Split the send into several requests."
            )

    async def queue_messages(
        self,
        tenant: str,
        reg_id: str,
        items: Sequence[tuple[str, str]],
        *,
        send_speed: int,
        report_id: str | None,
        attachment: NewAttachment | None = None,
    ) -> list[int]:
        """Queue one message per ``(recipient, text)`` from the connected device ``reg_id``.

        Each distinct text is stored once. The messages are written in slices of
        :data:`QUEUE_SLICE`, yielding to the event loop after each, so one large send never
        keeps other requests waiting; the dispatcher starts on the first slice at once.
        """
        self.check_recipients(len(items))
        registration = self.connected_device(tenant, reg_id)
        now = self.clock()
        attachment_id = None
        if attachment is not None:
            attachment_id = self.store.add_attachment(
                tenant,
                filename=attachment.filename,
                content_type=attachment.content_type,
                data=attachment.data,
                created_at=now,
            ).id
        interval = sending.interval(send_speed, self.settings.speed_factor)
        texts: dict[str, int] = {}
        ids: list[int] = []
        for start in range(0, len(items), QUEUE_SLICE):
            if start:
                await asyncio.sleep(0)
            ids += self.store.enqueue(
                tenant,
                registration.reg_id,
                items=items[start : start + QUEUE_SLICE],
                send_speed=send_speed,
                report_id=report_id,
                attachment_id=attachment_id,
                now=now,
                interval=interval,
                texts=texts,
            )
            self.queue_changed.set()
        self.changes.publish(tenant, "messages")
        return ids

    def messages(
        self,
        tenant: str,
        filters: MessageFilter | None = None,
        *,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[StoredMessage]:
        """The tenant's messages matching ``filters``, oldest first (a page of them: those
        after the id ``after``, at most ``limit``)."""
        return self.store.messages(tenant, filters, after=after, limit=limit)

    def attachment(self, token: str) -> tuple[Attachment, bytes]:
        """A stored attachment and its bytes."""
        found = self.store.attachment_content(token)
        if found is None:
            raise NotFound("No such attachment.")
        return found

    def outcome(self, message: StoredMessage, now: float) -> tuple[MessageStatus, str | None]:
        """Whether ``message`` is sent or fails at ``now``, and why it fails."""
        registration = self.store.registration(message.tenant, message.reg_id)
        if registration is None or registration.state(now) != "connected":
            return "failed", "The device is not connected any more."
        reason = failure_reason(message.recipient)
        return ("failed", reason) if reason else ("sent", None)

    def finish_due_messages(self, limit: int) -> int:
        """Finish up to ``limit`` queued messages that are due, first due first, in one write;
        how many were due."""
        now = self.clock()
        due = self.store.due_messages(now, limit)
        self._finish(due, now)
        return len(due)

    def next_message_due(self) -> float | None:
        """Seconds until the queued message due first is due (None: nothing is queued)."""
        message = self.store.next_queued()
        return None if message is None else message.due_at - self.clock()

    def finish_message(self, message: StoredMessage, now: float) -> StoredMessage | None:
        """Move a queued message to sent or failed (with its report, if it asked for one)."""
        finished = self._finish([message], now)
        return finished[0] if finished else None

    def _finish(self, messages: Sequence[StoredMessage], now: float) -> list[StoredMessage]:
        """Finish ``messages`` as :meth:`outcome` says, in one write, and tell who waits."""
        if not messages:
            return []
        finished = self.store.finish_messages(
            [(message, *self.outcome(message, now)) for message in messages], at=now
        )
        for tenant in {message.tenant for message in finished}:
            self.changes.publish(tenant, "messages")
        reported = {message.tenant for message in finished if message.report_id is not None}
        if reported:
            self.deliveries_changed.set()
            for tenant in reported:
                self.changes.publish(tenant, "deliveries")
        return finished

    # Delivery reports

    def callback_url(self, tenant: str) -> str | None:
        """Where the tenant's reports go: the URL set through the control API, else
        ``--callback-url``, else nowhere yet."""
        stored = self.store.callback_url(tenant)
        return stored if stored is not None else self.settings.callback_url

    def callback_urls(self) -> dict[str, str]:
        """Every tenant that has a delivery-report URL, with it (one read of the store)."""
        stored = self.store.callback_urls()
        default = self.settings.callback_url
        return {
            tenant: url for tenant in self.tenants.names() if (url := stored.get(tenant, default))
        }

    def set_callback_url(self, tenant: str, url: str | None) -> str | None:
        """Set (or clear) the tenant's delivery-report URL; returns the URL now in effect."""
        if url is not None:
            try:
                validate_callback_url(
                    url, allow_unsafe_targets=self.settings.allow_unsafe_callback_targets
                )
            except ConfigError as exc:
                raise Invalid(f"url: {exc}") from None
        self.store.set_callback_url(tenant, url)
        self.deliveries_changed.set()
        self.changes.publish(tenant, "settings")
        return self.callback_url(tenant)

    def deliveries(
        self,
        tenant: str,
        *,
        status: OutboxStatus | None = None,
        report_id: str | None = None,
        after: int | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """The tenant's reports matching the filters, oldest first, with their attempts (a
        page of them: those after the id ``after``, at most ``limit``)."""
        return self.store.outbox.deliveries(
            tenant, status=status, report_id=report_id, after=after, limit=limit
        )

    def replay(self, tenant: str, delivery_id: int) -> Delivery:
        """Make a dead or delivered report pending again, due now."""
        try:
            delivery = self.store.outbox.replay(tenant, delivery_id, now=self.clock())
        except StoreNotFound:
            raise NotFound(f"No delivery report with id {delivery_id} in this account.") from None
        except StoreConflict:
            raise Conflict(
                f"The delivery report {delivery_id} is still pending; it is being delivered."
            ) from None
        self.deliveries_changed.set()
        self.changes.publish(tenant, "deliveries")
        return delivery

    def next_report_due(self, tenants: Collection[str]) -> float | None:
        """When the next pending report of ``tenants`` can be claimed."""
        return self.store.outbox.next_due(tenants)

    def start_reports(
        self, urls: Mapping[str, str], *, limit: int, lease: float
    ) -> list[ClaimedAttempt]:
        """Claim due reports of the tenants in ``urls`` for the delivery worker and log an
        attempt of each to its tenant's URL (as the attempt log shows it), in one write."""
        started = self.store.outbox.start(urls, now=self.clock(), limit=limit, lease=lease)
        for tenant in {claimed.delivery.tenant for claimed in started}:
            self.changes.publish(tenant, "deliveries")
        return started

    def finish_attempts(self, finished: Sequence[FinishedAttempt]) -> list[bool]:
        """Complete attempts and move their reports on, in one write; for each, whether its
        claim still held."""
        kept = self.store.outbox.finish(finished)
        for tenant in {done.delivery.tenant for done in finished}:
            self.changes.publish(tenant, "deliveries")
        return kept

    def release_claims(self, claims: Collection[tuple[int, str]]) -> None:
        """Give the worker's claims back at once (it is stopping)."""
        self.store.outbox.release(claims, at=self.clock())


def _not_connected(registration: Registration, now: float) -> NotConnected:
    state = registration.state(now)
    reason = _NOT_CONNECTED_REASONS.get(state, state)
    return NotConnected(
        f"The device {registration.reg_id} is not connected ({reason}); log in again."
    )


def twin_of(scope: Mapping[str, Any]) -> Twin:
    """The twin of the app serving the request of ``scope`` (from its lifespan state)."""
    twin = scope.get("state", {}).get(STATE_KEY)
    if not isinstance(twin, Twin):
        raise LookupError("the server did not run the app's lifespan, which provides the twin")
    return twin
