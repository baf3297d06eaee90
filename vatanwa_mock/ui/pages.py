"""The inspector's pages: devices and logins, messages, delivery reports, settings."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from vatanwa_mock.chaos import Chaos
from vatanwa_mock.handlers import logins
from vatanwa_mock.handlers.events import event_response
from vatanwa_mock.numbers import normalize
from vatanwa_mock.redact import redact_url
from vatanwa_mock.store import MESSAGE_STATUSES, OUTBOX_STATUSES, MessageFilter, browse
from vatanwa_mock.twin import Twin
from vatanwa_mock.ui.render import page
from vatanwa_mock.ui.security import PAGE_HEADERS

#: Messages or reports in one page: a send of 10,000 recipients is never rendered whole.
PAGE_SIZE = 50
#: Logins that ended (expired, logged out) still listed.
PAST_LOGINS = 20


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def _context(request: Request, tenant: str, current: str, **extra: Any) -> dict[str, Any]:
    return {"tenant": tenant, "current": current, "here": _here(request), **extra}


def error_page(request: Request, tenant: str, status: int, description: str) -> Response:
    """What went wrong with an action, with the way back."""
    context = _context(request, tenant, "", status=status, message=description)
    return page("error.html", status, **context)


async def devices(request: Request, twin: Twin, tenant: str) -> Response:
    """Pending logins (QR code or pairing code, expiry), connected devices, past logins."""
    now = time.time()
    everything = logins.all_logins(twin, tenant)
    by_state: dict[str, list[Any]] = {"pending": [], "connected": [], "past": []}
    for registration in everything:
        state = registration.state(now)
        by_state[state if state in ("pending", "connected") else "past"].append(registration)
    return page(
        "devices.html",
        **_context(
            request,
            tenant,
            "devices",
            pending=by_state["pending"],
            connected=sorted(by_state["connected"], key=lambda r: r.paired_at or 0),
            past=by_state["past"][:PAST_LOGINS],
            now=now,
        ),
    )


def _shown_url(url: str | None) -> str | None:
    # As GET /_mock/callback shows it: a receiver's token in the URL is a secret.
    return None if url is None else redact_url(url)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


async def messages(request: Request, twin: Twin, tenant: str) -> Response:
    """The tenant's messages, newest first, filtered, one page; one message's report open."""
    query = request.query_params
    status = query.get("status") or None
    to = normalize(query.get("to") or "") or None
    reg_id = (query.get("reg_id") or "").strip() or None
    # A report id is text, as it was sent (digits or a UUID); the filter matches it exactly.
    report_id = (query.get("report_id") or "").strip() or None
    text = (query.get("q") or "").strip() or None
    problems = []
    if status is not None and status not in MESSAGE_STATUSES:
        problems.append(f"Unknown status {status!r}: showing every status.")
        status = None
    longest = twin.contract.report_id_max_length
    if report_id is not None and len(report_id) > longest:
        problems.append(f"A report id has at most {longest} characters: showing every report id.")
        report_id = None
    filters = MessageFilter(
        to=to,
        reg_id=reg_id,
        report_id=report_id,
        status=status,
    )
    found = browse.message_page(
        twin.store,
        tenant,
        filters,
        text=text,
        order="newest",
        cursor=_int(query.get("cursor")),
        limit=PAGE_SIZE,
    )
    ids = [m.id for m in found.items]
    reports = {
        d.message_id: d
        for d in browse.delivery_page(
            twin.store, tenant, message_ids=ids, limit=max(len(ids), 1)
        ).items
    }
    devices = sorted({r.reg_id for r in logins.all_logins(twin, tenant)})
    next_query = None
    if found.next_cursor is not None:
        next_query = _with(request, cursor=str(found.next_cursor), open=None)
    return page(
        "messages.html",
        **_context(
            request,
            tenant,
            "messages",
            messages=found.items,
            reports=reports,
            opened=_int(query.get("open")),
            counts=browse.message_counts(twin.store, tenant),
            devices=devices,
            statuses=MESSAGE_STATUSES,
            form={
                "status": status or "",
                "to": query.get("to") or "",
                "reg_id": reg_id or "",
                "report_id": query.get("report_id") or "",
                "q": text or "",
            },
            filtered=any((status, to, reg_id, report_id, text)),
            paged=query.get("cursor") is not None,
            next_query=next_query,
            problems=problems,
            link=lambda **changes: _with(request, **changes),
        ),
    )


def _with(request: Request, **changes: str | None) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


async def deliveries(request: Request, twin: Twin, tenant: str) -> Response:
    """Every delivery report of the tenant, newest first, by state; the callback URL."""
    query = request.query_params
    status = query.get("status") or None
    if status not in (None, *OUTBOX_STATUSES):
        status = None
    found = browse.delivery_page(
        twin.store,
        tenant,
        status=status,
        order="newest",
        cursor=_int(query.get("cursor")),
        limit=PAGE_SIZE,
    )
    next_query = None
    if found.next_cursor is not None:
        next_query = _with(request, cursor=str(found.next_cursor))
    return page(
        "deliveries.html",
        **_context(
            request,
            tenant,
            "deliveries",
            deliveries=found.items,
            status=status or "",
            statuses=OUTBOX_STATUSES,
            callback_url=_shown_url(twin.callback_url(tenant)),
            next_query=next_query,
            paged=query.get("cursor") is not None,
        ),
    )


async def settings(request: Request, twin: Twin, tenant: str) -> Response:
    """Chaos (read, set, clear) and the reset of the tenant."""
    chaos = twin.chaos(tenant)
    return page(
        "settings.html",
        **_context(request, tenant, "settings", chaos=(chaos or Chaos()).as_dict(), active=chaos),
    )


async def events(request: Request, twin: Twin, tenant: str) -> StreamingResponse:
    """The tenant's change events (the twin of ``GET /_mock/events``)."""
    response = event_response(twin, tenant)
    response.headers.update({"x-content-type-options": "nosniff"})
    return response


async def qr_png(request: Request, twin: Twin, tenant: str) -> Response:
    """A login's QR code (the twin of ``GET /_mock/logins/{reg_id}/qr``)."""
    image = logins.qr_image(twin, tenant, request.path_params["reg_id"], "png")
    headers = {**PAGE_HEADERS, "cache-control": "no-store"}
    return Response(image, media_type="image/png", headers=headers)
