"""The delivery worker: posts the outbox's reports to each tenant's callback URL, at least once.

One asyncio task per app. It claims due reports of the tenants that have a callback URL
(``PUT /_mock/callback``, else ``--callback-url``), at most ``--delivery-concurrency`` at a
time, and posts each report's stored body with the tenant's ``client-id`` and
``client-secret`` headers. Every attempt is logged (start, end, HTTP status, latency, error
text). Only a 2xx answer delivers a report; a connection error, a timeout (the whole attempt
may take at most ``--delivery-timeout`` seconds) or any other status is retried on the
schedule of :class:`~vatanwa_mock.delivery.policy.DeliverySchedule` until the report is dead.
Every read and write of the outbox goes through the twin.

A report of a tenant without a callback URL waits, unclaimed, and is delivered once a URL is
set. Reports are claimed for the attempt's timeout plus a margin: if the process dies, the
next one to open the same ``--db`` claims them again once that lease has run out, so a report
whose answer was lost with the process is posted again (a duplicate, by design).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator

import httpx

from vatanwa_mock.config import Credentials
from vatanwa_mock.delivery.policy import DeliverySchedule
from vatanwa_mock.delivery.targets import UnsafeTarget, check_connect
from vatanwa_mock.redact import read_window, redact_url, scrub, scrubbed_snippet, url_secrets
from vatanwa_mock.store import AttemptOutcome, Delivery
from vatanwa_mock.twin import Twin

logger = logging.getLogger("vatanwa_mock.delivery")

#: A claim lasts the attempt's timeout plus this many seconds (recording the outcome).
LEASE_MARGIN = 2.0
#: Pause after an unexpected failure of the loop itself (the database, say).
FAILURE_PAUSE = 1.0
#: How much of a refusing receiver's answer the attempt log keeps.
SNIPPET_BYTES = 200
#: An accepting receiver's answer is read, up to this many bytes and for at most this many
#: seconds, so that its connection carries the next report; a longer or slower answer closes the
#: connection instead (the report counts as delivered either way).
KEEP_ALIVE_READ = 64 * 1024
KEEP_ALIVE_READ_SECONDS = 1.0
USER_AGENT = "vatanwa-mock delivery reports"


class DeliveryWorker:
    """Delivers the twin's outbox with ``client`` until cancelled."""

    def __init__(
        self, twin: Twin, transport: httpx.AsyncBaseTransport, rng: random.Random | None = None
    ) -> None:
        self.twin = twin
        self.transport = transport
        settings = twin.settings
        self.policy = DeliverySchedule.from_settings(settings)
        self.timeout = settings.delivery_timeout
        self.lease = self.timeout + LEASE_MARGIN
        self.concurrency = settings.delivery_concurrency
        self.idle = settings.delivery_idle
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._in_flight: dict[asyncio.Task[None], tuple[int, str]] = {}
        self._timeouts = {"timeout": httpx.Timeout(self.timeout).as_dict()}
        self._parsed: dict[str, httpx.URL] = {}

    def _url(self, url: str) -> httpx.URL:
        """``url`` parsed once (a tenant's URL is posted to many times)."""
        parsed = self._parsed.get(url)
        if parsed is None:
            if len(self._parsed) >= 64:
                self._parsed.clear()
            parsed = self._parsed[url] = httpx.URL(url)
        return parsed

    def _urls(self) -> dict[str, str]:
        # Reports of a tenant the twin no longer knows (a --db file kept across a change of
        # --client-id) wait: there is no secret to sign them with.
        return self.twin.callback_urls()

    async def run(self) -> None:
        """Claim, post and wait, forever; on cancellation give the running claims back."""
        wake = self.twin.deliveries_changed
        try:
            while True:
                wake.clear()
                try:
                    timeout = self._dispatch()
                except Exception:
                    logger.exception("could not read the outbox")
                    timeout = FAILURE_PAUSE
                waiter = asyncio.ensure_future(wake.wait())
                try:
                    await asyncio.wait(
                        {waiter, *self._in_flight},
                        timeout=timeout,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    waiter.cancel()
        finally:
            await self._stop()

    def _dispatch(self) -> float:
        """Start attempts for what is due; return how long to wait before looking again."""
        urls = self._urls()
        free = self.concurrency - len(self._in_flight)
        for delivery, claim in self.twin.claim_reports(urls, limit=free, lease=self.lease):
            task = asyncio.create_task(
                self._deliver(delivery, claim, urls[delivery.tenant]),
                name=f"vatanwa-delivery-{delivery.id}",
            )
            self._in_flight[task] = (delivery.id, claim)
            task.add_done_callback(self._done)
        if len(self._in_flight) >= self.concurrency:
            return self.idle
        due = self.twin.next_report_due(urls)
        return self.idle if due is None else min(self.idle, max(0.0, due - time.time()))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        if not task.cancelled() and (error := task.exception()) is not None:
            # The claim lapses and the report is tried again after the lease.
            logger.error("a delivery attempt failed unexpectedly", exc_info=error)

    async def _stop(self) -> None:
        tasks = dict(self._in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if tasks:
            with contextlib.suppress(Exception):
                self.twin.release_claims(tasks.values())

    async def _deliver(self, delivery: Delivery, claim: str, url: str) -> None:
        attempt = self.twin.start_attempt(delivery, claim, redact_url(url))
        if attempt is None:
            return
        credentials = self.twin.tenants.credentials(delivery.tenant)
        if credentials is None:
            raise LookupError(f"no credentials for tenant {delivery.tenant!r}")
        # The event loop's clock, which times the attempt out: uvloop's is read once per
        # iteration, so time.monotonic() could show a timed-out attempt as shorter than its timeout.
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, error = await self._post(url, delivery.body, credentials)
        latency_ms = (loop.time() - started) * 1000.0
        finished = time.time()
        outcome: AttemptOutcome
        next_at = None
        if status is not None and 200 <= status < 300:
            outcome = "delivered"
        elif self.policy.gives_up(attempt.attempts, attempt.window_started_at, finished):
            outcome = "dead"
        else:
            outcome = "retry"
            next_at = self.policy.next_attempt_at(
                attempt.attempts, attempt.window_started_at, finished, self._rng
            )
        self.twin.finish_attempt(
            delivery,
            claim,
            attempt,
            http_status=status,
            latency_ms=latency_ms,
            error=error,
            outcome=outcome,
            next_at=next_at,
        )
        log = logger.warning if outcome == "dead" else logger.info
        log(
            "delivery report %s (report_id %s) attempt %s to %s: %s%s",
            delivery.id,
            delivery.report_id,
            attempt.number,
            redact_url(url),
            outcome,
            f" ({error})" if error else "",
        )

    async def _post(
        self, url: str, body: str, credentials: Credentials
    ) -> tuple[int | None, str | None]:
        """POST ``body``; return the HTTP status (None without one) and what went wrong."""
        headers = {
            "user-agent": USER_AGENT,
            "content-type": "application/json",
            "client-id": credentials.client_id,
            "client-secret": credentials.client_secret,
        }
        secrets = [credentials.client_secret, *url_secrets(url)]
        if not self.twin.settings.allow_unsafe_callback_targets:
            try:
                await check_connect(url)
            except UnsafeTarget as exc:
                return None, f"refused: {exc}"
        try:
            async with asyncio.timeout(self.timeout):
                request = httpx.Request(
                    "POST",
                    self._url(url),
                    content=body.encode("utf-8"),
                    headers=headers,
                    extensions=self._timeouts,
                )
                response = await self.transport.handle_async_request(request)
                try:
                    status = response.status_code
                    if 200 <= status < 300:
                        with contextlib.suppress(httpx.HTTPError, TimeoutError):
                            async with asyncio.timeout(KEEP_ALIVE_READ_SECONDS):
                                await _read_off(response)
                        return status, None
                    snippet = await _snippet(response, secrets)
                finally:
                    await response.aclose()
                error = f"HTTP {status} {response.reason_phrase}".rstrip()
                return status, scrub(f"{error}: {snippet}" if snippet else error, secrets)
        except TimeoutError:
            return None, f"timed out after {self.timeout:g} s"
        except httpx.TimeoutException as exc:
            return None, f"timed out ({type(exc).__name__})"
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            text = (str(exc) or "no details").replace(url, redact_url(url))
            return None, scrub(f"{type(exc).__name__}: {text}", secrets)


async def _read_off(response: httpx.Response) -> None:
    """Read an accepted report's answer (up to :data:`KEEP_ALIVE_READ`): a connection whose
    answer is left unread cannot be reused, and each report would open a new one."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > KEEP_ALIVE_READ:
            break


async def _snippet(response: httpx.Response, secrets: list[str]) -> str:
    """The start of a refusing receiver's answer, scrubbed of ``secrets`` before it is cut."""
    window = read_window(SNIPPET_BYTES, secrets)
    data = bytearray()
    complete = True
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > window:
            complete = False
            break
    return scrubbed_snippet(
        bytes(data[:window]), limit=SNIPPET_BYTES, complete=complete, secrets=secrets
    )


@contextlib.asynccontextmanager
async def running(twin: Twin) -> AsyncIterator[DeliveryWorker]:
    """Run the delivery worker, with its one HTTP transport, for the ``async with`` block.

    The worker posts through the transport (httpx's connection pool) rather than a client: an
    attempt needs none of a client's per-request machinery (cookies, redirects, auth, event
    hooks), and a report is one POST. Proxies from the environment are never used: receivers
    are usually on loopback.
    """
    settings = twin.settings
    async with httpx.AsyncHTTPTransport(
        limits=httpx.Limits(
            max_connections=settings.delivery_concurrency,
            max_keepalive_connections=settings.delivery_concurrency,
        ),
    ) as transport:
        worker = DeliveryWorker(twin, transport)
        task = asyncio.create_task(worker.run(), name="vatanwa-delivery")
        try:
            yield worker
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
