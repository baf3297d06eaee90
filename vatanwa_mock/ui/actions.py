"""The inspector's actions: each a POST from a form of a page of this origin, each calling
the function its control-API twin calls, then back to the page (303)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vatanwa_mock.errors import ApiError
from vatanwa_mock.twin import Twin
from vatanwa_mock.ui.security import PAGE_HEADERS, cross_origin

PREFIX = "/_mock/ui/"


async def _form(request: Request) -> dict[str, str]:
    if cross_origin(request):
        raise ApiError(403, "Actions are accepted only from the inspector's own pages.")
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _back(form: dict[str, str], default: str) -> Response:
    """To the page the form came from (only a page of the inspector), or ``default``."""
    target = form.get("next", "")
    if not target.startswith(PREFIX) or "\\" in target or "//" in target:
        target = default
    return RedirectResponse(target, status_code=303, headers=PAGE_HEADERS)


async def pair(request: Request, twin: Twin, tenant: str) -> Response:
    """ "Scan" / "Enter code": pair the pending login."""
    form = await _form(request)
    twin.pair(tenant, request.path_params["reg_id"])
    return _back(form, PREFIX)


async def logout(request: Request, twin: Twin, tenant: str) -> Response:
    """Log a connected device out."""
    form = await _form(request)
    twin.logout(tenant, request.path_params["reg_id"])
    return _back(form, PREFIX)


async def replay(request: Request, twin: Twin, tenant: str) -> Response:
    """Deliver a dead or delivered report again."""
    form = await _form(request)
    twin.replay(tenant, request.path_params["id"])
    return _back(form, PREFIX + "deliveries")


async def callback(request: Request, twin: Twin, tenant: str) -> Response:
    """Set (or, with ``action=clear``, clear) the callback URL."""
    form = await _form(request)
    url = None if form.get("action") == "clear" else form.get("url", "").strip() or None
    twin.set_callback_url(tenant, url)
    return _back(form, PREFIX + "deliveries")


def _number(form: dict[str, str], name: str, kind: type[int] | type[float]) -> Any:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ApiError(422, f"{name}: {raw!r} is not a number.") from None


def _chaos_body(form: dict[str, str]) -> dict[str, Any]:
    limits: dict[str, tuple[type[int] | type[float], float, float]] = {
        "latency_ms": (int, 0, 60000),
        "error_rate": (float, 0, 1),
        "rate_limit_rate": (float, 0, 1),
        "retry_after": (int, 0, 3600),
    }
    body: dict[str, Any] = {}
    for name, (kind, low, high) in limits.items():
        value = _number(form, name, kind)
        if value is None:
            continue
        if not low <= value <= high:
            raise ApiError(422, f"{name}: {value} is not between {low:g} and {high:g}.")
        body[name] = value
    seed = _number(form, "seed", int)
    if seed is not None:
        body["seed"] = seed
    return body


async def chaos(request: Request, twin: Twin, tenant: str) -> Response:
    """Set the chaos from the form, or clear it (``action=clear``)."""
    form = await _form(request)
    body = None if form.get("action") == "clear" else _chaos_body(form)
    twin.set_chaos(tenant, body)
    return _back(form, PREFIX + "settings")


async def reset(request: Request, twin: Twin, tenant: str) -> Response:
    """Forget the tenant's state, once the form confirms it."""
    form = await _form(request)
    if form.get("confirm") != "yes":
        raise ApiError(400, "Tick the confirmation to reset: it deletes all of this tenant's data.")
    twin.reset(tenant)
    return _back(form, PREFIX)
