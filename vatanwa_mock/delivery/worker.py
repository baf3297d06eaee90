"""The delivery worker: posts the outbox's reports to each tenant's callback URL, at least once.

One asyncio task per app, with ``--delivery-concurrency`` lanes. It claims due reports of the
tenants that have a callback URL (``PUT /_mock/callback``, else ``--callback-url``), one per
free lane, and each lane posts its report's body with the tenant's ``client-id`` and
``client-secret`` headers over a kept-alive connection. Every attempt is logged (start, end,
HTTP status, latency, error text); the starts of the reports claimed together are written in
one transaction, and so are the ends of the attempts that ended since the last write. Only
a 2xx answer delivers a report; a connection error, a timeout (the whole attempt may take at
most ``--delivery-timeout`` seconds) or any other status is retried on the schedule of
:class:`~vatanwa_mock.delivery.policy.DeliverySchedule` until the report is dead. Every read
and write of the outbox goes through the twin.

A report of a tenant without a callback URL waits, unclaimed, and is delivered once a URL is
set. Reports are claimed for the attempt's timeout plus a margin: if the process dies, the
next one to open the same ``--db`` claims them again once that lease has run out, so a report
whose answer was lost with the process, or not yet written when it stopped, is posted again
(a duplicate, by design).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import AsyncIterator, Sequence

import httpx

from vatanwa_mock.config import Credentials
from vatanwa_mock.delivery.policy import DeliverySchedule
from vatanwa_mock.delivery.targets import UnsafeTarget, check_connect
from vatanwa_mock.redact import read_window, redact_url, scrub, scrubbed_snippet, url_secrets
from vatanwa_mock.store import AttemptOutcome, ClaimedAttempt, FinishedAttempt
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


#: A tenant's URL is posted to many times: parsed, and masked for the logs, once (for the last
#: few URLs seen).
_parsed = functools.lru_cache(maxsize=64)(httpx.URL)
_shown = functools.lru_cache(maxsize=64)(redact_url)


class DeliveryWorker:
    """Delivers the twin's outbox until cancelled: one lane per transport, each posting one
    report at a time over its own kept-alive connection."""

    def __init__(
        self,
        twin: Twin,
        transports: Sequence[httpx.AsyncBaseTransport],
        rng: random.Random | None = None,
    ) -> None:
        self.twin = twin
        self.transports = tuple(transports)
        settings = twin.settings
        self.policy = DeliverySchedule.from_settings(settings)
        self.timeout = settings.delivery_timeout
        self.lease = self.timeout + LEASE_MARGIN
        self.concurrency = len(self.transports)
        self.idle = settings.delivery_idle
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        #: Reports claimed and not yet finished in the outbox: claim token by report id.
        self._held: dict[int, str] = {}
        self._jobs: asyncio.Queue[tuple[ClaimedAttempt, str]] = asyncio.Queue()
        #: Attempts that ended, written to the outbox together on the next pass.
        self._finished: list[FinishedAttempt] = []
        self._timeouts = {"timeout": httpx.Timeout(self.timeout).as_dict()}

    async def run(self) -> None:
        """Claim, post and record, forever; on cancellation record what ended and give the
        other claims back.

        One pass writes every attempt that ended since the last one and claims as many due
        reports as lanes are free, each batch in one transaction; then it waits for a wake-up
        (a report, a replay, a callback URL, a lane done) or for the next report to fall due.
        """
        lanes = [
            asyncio.create_task(self._lane(transport), name=f"vatanwa-delivery-{number}")
            for number, transport in enumerate(self.transports, start=1)
        ]
        wake = self.twin.deliveries_changed
        try:
            while True:
                wake.clear()
                try:
                    timeout = self._pass()
                except Exception:
                    logger.exception("could not read or write the outbox")
                    timeout = FAILURE_PAUSE
                await wake.wait_for(timeout)
        finally:
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            with contextlib.suppress(Exception):
                self._record()
            if self._held:
                with contextlib.suppress(Exception):
                    self.twin.release_claims(list(self._held.items()))

    def _record(self) -> None:
        """Write the attempts that ended (a failed write leaves their claims to lapse: the
        reports are posted again after the lease)."""
        if not self._finished:
            return
        finished, self._finished = self._finished, []
        for done in finished:
            self._let_go(done.delivery.id, done.claim)
        self.twin.finish_attempts(finished)

    def _let_go(self, delivery_id: int, claim: str) -> None:
        # Only this claim: one that lapsed (a name that took long to resolve) may have been
        # followed by a newer claim of the same report, which is still held.
        if self._held.get(delivery_id) == claim:
            del self._held[delivery_id]

    def _pass(self) -> float:
        """Record what ended and start what is due; return how long to wait at most."""
        self._record()
        urls = self._urls()
        free = self.concurrency - len(self._held)
        if free > 0 and urls:
            shown = {tenant: _shown(url) for tenant, url in urls.items()}
            started = self.twin.start_reports(shown, limit=free, lease=self.lease)
            for claimed in started:
                self._held[claimed.delivery.id] = claimed.claim
                self._jobs.put_nowait((claimed, urls[claimed.delivery.tenant]))
            if len(started) == free:
                return self.idle  # every lane busy: a lane done wakes the loop
        elif free <= 0:
            return self.idle
        due = self.twin.next_report_due(urls)
        return self.idle if due is None else min(self.idle, max(0.0, due - self.twin.clock()))

    def _urls(self) -> dict[str, str]:
        # Reports of a tenant the twin no longer knows (a --db file kept across a change of
        # --client-id) wait: there is no secret to sign them with.
        return self.twin.callback_urls()

    async def _lane(self, transport: httpx.AsyncBaseTransport) -> None:
        """Post the reports handed to this lane, one after the other."""
        while True:
            claimed, url = await self._jobs.get()
            try:
                done = await self._attempt(claimed, url, transport)
            except Exception:
                # A defect: the claim lapses and the report is tried again after the lease.
                self._let_go(claimed.delivery.id, claimed.claim)
                logger.exception("a delivery attempt failed unexpectedly")
            else:
                self._finished.append(done)
            self.twin.deliveries_changed.set()

    async def _attempt(
        self, claimed: ClaimedAttempt, url: str, transport: httpx.AsyncBaseTransport
    ) -> FinishedAttempt:
        """Post one report and judge the answer."""
        delivery, attempt = claimed.delivery, claimed.attempt
        credentials = self.twin.tenants.credentials(delivery.tenant)
        if credentials is None:
            raise LookupError(f"no credentials for tenant {delivery.tenant!r}")
        # The event loop's clock, which times the attempt out: uvloop's is read once per
        # iteration, so time.monotonic() could show a timed-out attempt as shorter than its timeout.
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, error = await self._post(transport, url, delivery.body, credentials)
        latency_ms = (loop.time() - started) * 1000.0
        finished = self.twin.clock()
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
        log = logger.warning if outcome == "dead" else logger.info
        log(
            "delivery report %s (report_id %s) attempt %s to %s: %s%s",
            delivery.id,
            delivery.report_id,
            attempt.number,
            _shown(url),
            outcome,
            f" ({error})" if error else "",
        )
        return FinishedAttempt(
            delivery=delivery,
            claim=claimed.claim,
            attempt=attempt,
            at=finished,
            http_status=status,
            latency_ms=latency_ms,
            error=error,
            outcome=outcome,
            next_at=next_at,
        )

    async def _post(
        self, transport: httpx.AsyncBaseTransport, url: str, body: str, credentials: Credentials
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
                    _parsed(url),
                    content=body.encode("utf-8"),
                    headers=headers,
                    extensions=self._timeouts,
                )
                response = await transport.handle_async_request(request)
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
            text = (str(exc) or "no details").replace(url, _shown(url))
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
    """Run the delivery worker, with its HTTP transports, for the ``async with`` block.

    Each of the ``--delivery-concurrency`` lanes has a transport of its own (httpx's connection
    pool, holding one kept-alive connection): a pool shared by all lanes looks at each of its
    idle connections on every request. The worker posts through the transport rather than a
    client: an attempt needs none of a client's per-request machinery (cookies, redirects,
    auth, event hooks), and a report is one POST. Proxies from the environment are never used:
    receivers are usually on loopback.
    """
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        transports = [
            await stack.enter_async_context(httpx.AsyncHTTPTransport(limits=limits))
            for _ in range(twin.settings.delivery_concurrency)
        ]
        worker = DeliveryWorker(twin, transports)
        task = asyncio.create_task(worker.run(), name="vatanwa-delivery")
        try:
            yield worker
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
