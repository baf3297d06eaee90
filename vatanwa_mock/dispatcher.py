"""The one background task that moves queued messages to ``sent`` or ``failed``.

It asks the twin to finish the queued message due first (of any tenant), and sleeps until the
next one is due or until new messages are queued (:attr:`Twin.queue_changed`); idle, it looks
again after ``--dispatcher-idle``. Because the queue lives in the store, messages queued before
a restart with ``--db`` are picked up again. It yields to the event loop after every message,
so a backlog of due messages never keeps the server from answering. A message fails when its
recipient is a test number (:mod:`vatanwa_mock.numbers`) or when its device is no longer
connected at the time it is due (:meth:`Twin.outcome`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from vatanwa_mock.twin import Twin

logger = logging.getLogger("vatanwa_mock.dispatcher")

#: Pause after an unexpected failure (the database, say); the message stays queued.
FAILURE_PAUSE = 1.0


async def run(twin: Twin) -> None:
    """Dispatch forever (until cancelled)."""
    while True:
        twin.queue_changed.clear()
        try:
            wait = twin.finish_due_message()
        except Exception:  # keep dispatching; the message stays queued and is retried
            logger.exception("could not finish the message due first")
            await asyncio.sleep(FAILURE_PAUSE)
            continue
        if wait is None:
            await asyncio.sleep(0)  # a slice of the backlog done: let requests in
        else:
            await twin.queue_changed.wait_for(wait)


@contextlib.asynccontextmanager
async def running(twin: Twin) -> AsyncIterator[None]:
    """Run the dispatcher for the duration of the ``async with`` block."""
    task = asyncio.create_task(run(twin), name="vatanwa-dispatcher")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
