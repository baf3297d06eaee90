"""The one background task that moves queued messages to ``sent`` or ``failed``.

It asks the twin to finish the queued messages that are due (of any tenant, first due first),
and sleeps until the next one is due or until new messages are queued
(:attr:`Twin.queue_changed`); idle, it looks again after ``--dispatcher-idle``. Because the
queue lives in the store, messages queued before a restart with ``--db`` are picked up again.

A backlog is worked off in slices: each slice finishes a batch of due messages in one
transaction, sized so that a slice takes about :data:`SLICE_SECONDS`, and the dispatcher yields
to the event loop after each, so a backlog of due messages never keeps the server from
answering for longer than that. A message is never finished before it is due; one due within
:data:`MIN_PAUSE` of the last slice waits for the next slice, so a fast pace (a tiny
``--speed-factor``) is worked off in batches rather than one wake-up per message. A message
fails when its recipient is a test number (:mod:`vatanwa_mock.numbers`) or when its device is
no longer connected at the time it is finished (:meth:`Twin.outcome`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from vatanwa_mock.twin import Twin

logger = logging.getLogger("vatanwa_mock.dispatcher")

#: Pause after an unexpected failure (the database, say); the messages stay queued.
FAILURE_PAUSE = 1.0
#: How long one slice of work may keep the event loop, roughly.
SLICE_SECONDS = 0.001
#: The shortest sleep between slices when the next message is due soon.
MIN_PAUSE = 0.002
#: Bounds of a slice's batch of messages.
MIN_BATCH = 8
MAX_BATCH = 1000


def next_batch(batch: int, done: int, elapsed: float) -> int:
    """The size of the next batch, after ``done`` messages of a batch of ``batch`` took
    ``elapsed`` seconds: what fits in :data:`SLICE_SECONDS` at that rate, growing at most
    twofold a slice."""
    fits = int(done * SLICE_SECONDS / elapsed) if elapsed > 0 else MAX_BATCH
    return max(MIN_BATCH, min(MAX_BATCH, 2 * batch, fits))


async def run(twin: Twin) -> None:
    """Dispatch forever (until cancelled)."""
    batch = MIN_BATCH
    wake = twin.queue_changed
    while True:
        wake.clear()
        started = time.perf_counter()
        try:
            done = twin.finish_due_messages(batch)
            wait = None if done else twin.next_message_due()
        except Exception:  # keep dispatching; the messages stay queued and are retried
            logger.exception("could not finish the messages due")
            await asyncio.sleep(FAILURE_PAUSE)
            continue
        if done:
            batch = next_batch(batch, done, time.perf_counter() - started)
            await asyncio.sleep(0)  # a slice of the backlog done: let requests in
            continue
        await wake.wait_for(twin.settings.dispatcher_idle if wait is None else max(wait, MIN_PAUSE))


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
