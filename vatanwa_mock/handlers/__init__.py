"""Handlers of the contract's operations, one module per tag (``login``, ``messages``,
``profile``, ``devices``), and of the control API (``control``).

Each is thin: read the request, call the store, shape the documented answer. They reach the
app's runtime and the caller's tenant through :func:`current`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from connexion.context import scope as _scope
from starlette.datastructures import URL

from vatanwa_mock.auth import tenant_of
from vatanwa_mock.errors import ApiError
from vatanwa_mock.runtime import Runtime, runtime_of
from vatanwa_mock.store import Registration

_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def current() -> tuple[Runtime, str]:
    """The runtime of this app and the tenant of this (authenticated) request."""
    scope: dict[str, Any] = _scope._get_current_object()
    return runtime_of(scope), tenant_of(scope)


def runtime() -> Runtime:
    """The runtime of this app (for operations without authentication)."""
    return runtime_of(_scope._get_current_object())


def root_url() -> str:
    """``scheme://host:port`` as the client reached this server (for URLs it can follow)."""
    scope = _scope._get_current_object()
    url = URL(scope=scope)
    if url.netloc and _HOST.match(url.netloc):
        return f"{url.scheme}://{url.netloc}"
    return runtime_of(scope).settings.root_url


def reg_id_text(value: Any) -> str:
    """A ``reg_id`` as its digit string (the contract accepts a number or digits)."""
    return str(int(value)) if isinstance(value, int) else str(value)


def timestamp(seconds: float) -> str:
    """The provider's microsecond UTC form: ``2024-05-29T14:13:28.000000Z``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def picture_url(registration: Registration) -> str:
    """Where the mock serves the device's profile picture."""
    return f"{root_url()}/_mock/media/avatars/{registration.picture_token}"


def registration_or_404(runtime: Runtime, tenant: str, reg_id: str) -> Registration:
    """The tenant's registration, or the documented 404."""
    found = runtime.store.registration(tenant, reg_id)
    if found is None:
        raise ApiError(404, f"No device with reg_id {reg_id} in this account.")
    return found


def not_connected(registration: Registration, now: float) -> ApiError:
    """The documented 400 for a device that is not logged in, saying what it is instead."""
    state = registration.state(now)
    reason = {
        "pending": "its login is still pending",
        "expired": "its login expired before it paired",
        "logged_out": "it was logged out",
    }.get(state, state)
    return ApiError(
        400, f"The device {registration.reg_id} is not connected ({reason}); log in again."
    )
