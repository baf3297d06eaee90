"""The one background task that moves queued messages to ``sent`` or ``failed``.

It takes the queued message due first (of any tenant), sleeps until it is due or until new
messages are queued, and finishes it through :meth:`Store.finish_message`. Because the queue
lives in the store, messages queued before a restart with ``--db`` are picked up again.
A message fails when its recipient is a test number (:mod:`vatanwa_mock.numbers`) or when its
device is no longer connected at the time it is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from vatanwa_mock.numbers import failure_reason
from vatanwa_mock.runtime import Runtime
from vatanwa_mock.store import Message, MessageStatus

logger = logging.getLogger("vatanwa_mock.dispatcher")


def outcome(runtime: Runtime, message: Message, now: float) -> tuple[MessageStatus, str | None]:
    """Whether ``message`` is sent or fails at ``now``, and why it fails."""
    registration = runtime.store.registration(message.tenant, message.reg_id)
    if registration is None or registration.state(now) != "connected":
        return "failed", "The device is not connected any more."
    reason = failure_reason(message.recipient)
    return ("failed", reason) if reason else ("sent", None)


async def run(runtime: Runtime) -> None:
    """Dispatch forever (until cancelled)."""
    while True:
        runtime.queue_changed.clear()
        message = runtime.store.next_queued()
        now = time.time()
        if message is None or message.due_at > now:
            delay = runtime.settings.dispatcher_idle if message is None else message.due_at - now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(runtime.queue_changed.wait(), timeout=delay)
            continue
        status, error = outcome(runtime, message, now)
        try:
            runtime.store.finish_message(message.id, status=status, error=error, at=now)
            runtime.deliveries_changed.set()
        except Exception:  # keep dispatching; the message stays queued and is retried
            logger.exception("could not finish message %s", message.id)
            await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def running(runtime: Runtime) -> AsyncIterator[None]:
    """Run the dispatcher for the duration of the ``async with`` block."""
    task = asyncio.create_task(run(runtime), name="vatanwa-dispatcher")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
