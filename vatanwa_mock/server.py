"""The HTTP server of ``python -m vatanwa_mock``: uvicorn, with its settings chosen on purpose.

uvicorn on its own bounds neither a request's head nor the time a client takes to send it:
with ``httptools`` a header grows for as long as the client sends it, a connection that sends
nothing (or half a head) stays open forever, and the keep-alive timer only starts after a
response. :class:`GuardedHttpToolsProtocol` adds the three missing limits to uvicorn's
``httptools`` protocol:

- a request's head (request line and headers) larger than ``--max-header-bytes`` is answered
  with 431 and the connection closed, before more of it is buffered;
- a head not complete ``--header-timeout`` seconds after the connection opened (or after its
  previous response ended) closes the connection: idle and slowloris connections go away;
- a body not complete ``--body-timeout`` seconds after its head closes the connection (the
  application sees a disconnect).

Why ``httptools`` and not ``h11``: h11 bounds a head by its ``max_incomplete_event_size``, but it
has no timeouts either, so a subclass would be needed anyway, and ``httptools`` parses several
times faster (the twin is benchmarked against Prism).

Other choices: ``limit_concurrency`` stays unset, because uvicorn counts open connections
against it and would answer 503 to ``/_mock/health`` while many idle clients are connected; the
timeouts above close those instead. ``timeout_keep_alive`` stays at uvicorn's 5 s. The process
raises its soft limit of open files to the hard limit at start (:func:`raise_open_files_limit`),
so that the timeouts, not the descriptor limit, decide how many slow clients it outlives.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vatanwa_mock.config import Settings
from vatanwa_mock.errors import envelope
from vatanwa_mock.spec import dumps

logger = logging.getLogger("vatanwa_mock.server")

#: uvicorn's idle time between two requests of one connection (its default, stated).
KEEP_ALIVE_SECONDS = 5
_HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"connection: close\r\n"
)


class CoalescingWriter:
    """The transport as a response's cycle sees it: its first write (the status line and
    headers) is held until the next write (the body) or the end of the event loop's turn, and
    the two go out as one.

    uvicorn writes a response's head and body separately; on a kept-alive connection each
    write is a ``send`` that wakes the client, so a small answer costs two wake-ups instead of
    one. A head whose body is not sent in the same turn (a stream that starts later) still
    leaves at the end of the turn.
    """

    __slots__ = ("_held", "_holding", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._holding = True

    def write(self, data: bytes) -> None:
        if self._transport.is_closing():  # nobody left to read it
            self._held = None
            return
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held + data)
        elif self._holding:
            self._holding = False
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Write what is held, if anything, unless the connection has closed meanwhile (the
        client went away: the end of the turn comes after uvicorn's own check)."""
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's ``httptools`` protocol with a bounded head and timeouts for head and body.

    The limits come from class attributes, set by :func:`guarded_protocol` from the settings.
    """

    max_head_bytes = 32 * 1024
    head_timeout = 10.0
    body_timeout = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True
        self._head_bytes = 0
        self._boundaries = 0
        self._timer: asyncio.TimerHandle | None = None

    # The connection's states: waiting for (the rest of) a head, reading a body, or serving.

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        boundaries = self._boundaries
        super().data_received(data)
        # Only a read within one head counts: one that ended a head or a message also holds body
        # bytes. So the parser buffers at most one read more than the limit.
        if (
            boundaries == self._boundaries
            and self._reading_head
            and not self.transport.is_closing()
        ):
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse_head()

    def on_headers_complete(self) -> None:
        self._boundaries += 1
        self._reading_head = False
        self._head_bytes = 0
        self._arm(self.body_timeout, self._body_timed_out)
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = CoalescingWriter(self.transport, self.loop)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self._boundaries += 1
        self._disarm()
        self._reading_head = True
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._reading_head:
            self._arm(self.head_timeout, self._head_timed_out)

    def _serving(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _head_timed_out(self) -> None:
        self._timer = None
        # A request being served (a long poll, say) is the application's business.
        if self._reading_head and not self._serving() and not self.transport.is_closing():
            self.transport.close()

    def _body_timed_out(self) -> None:
        self._timer = None
        if not self._reading_head and not self.transport.is_closing():
            logger.info("closed a connection whose request body did not arrive in time")
            self.transport.close()

    def _refuse_head(self) -> None:
        self._disarm()
        description = f"The request's headers are larger than {self.max_head_bytes} bytes."
        body = dumps(envelope(431, description))
        self.transport.write(_HEAD_TOO_LARGE + b"content-length: %d\r\n\r\n" % len(body) + body)
        self.transport.close()
        self._reading_head = False


def guarded_protocol(settings: Settings) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with the limits of ``settings``."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {
            "max_head_bytes": settings.max_header_bytes,
            "head_timeout": settings.header_timeout,
            "body_timeout": settings.body_timeout,
        },
    )


def raise_open_files_limit() -> tuple[int, int]:
    """Raise the soft limit of open descriptors to the hard limit; return (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:  # some systems cap it below an infinite hard limit
            logger.warning("could not raise the open-files limit from %s: %s", soft, exc)
    return soft, hard


def serve(app: Any, settings: Settings) -> None:
    """Serve ``app`` with uvicorn until stopped, with the limits of ``settings``."""
    raise_open_files_limit()
    # The contract, the app and connexion's operations (about 100,000 objects) live as long as
    # the process; frozen, the collector no longer walks them in every full collection, which
    # otherwise shows as pauses of tens of milliseconds in the tail latency under load. Only
    # here, in the server's own process: an app embedded in another process leaves its
    # collector alone.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=settings.access_log,
        http=guarded_protocol(settings),
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=1,
        # A proxy passes on the upstream's own Date and Server headers, not a second pair.
        server_header=settings.mode != "proxy",
        date_header=settings.mode != "proxy",
    )
