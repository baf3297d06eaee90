"""Handlers of the contract's operations, one module per tag (``login``, ``messages``,
``profile``, ``devices``), and of the control API (``control``, ``deliveries``).

Each is thin: read the request, call the twin, shape the documented answer. connexion passes
each handler the app's :class:`~vatanwa_mock.twin.Twin` as its ``twin`` argument (from the
app's lifespan state) and the caller's tenant as its ``tenant`` argument (from the security
check, :mod:`vatanwa_mock.auth`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connexion.context import scope as _scope

from vatanwa_mock.store import Registration
from vatanwa_mock.twin import Twin


def root_url(twin: Twin) -> str:
    """``scheme://host:port`` for URLs the mock hands out (avatars, attachments).

    ``--public-url`` when set, else the address the connection was accepted on; never the
    request's ``Host`` header, which the client chooses.
    """
    if twin.settings.public_url:
        return twin.settings.public_url.rstrip("/")
    scope = _scope._get_current_object()
    server = scope.get("server")
    if server and server[1] is not None:
        host = str(server[0])
        host = f"[{host}]" if ":" in host else host
        return f"{scope.get('scheme', 'http')}://{host}:{server[1]}"
    return twin.settings.root_url


def reg_id_text(value: Any) -> str:
    """A ``reg_id`` as its digit string (the contract accepts a number or digits)."""
    return str(int(value)) if isinstance(value, int) else str(value)


def timestamp(seconds: float) -> str:
    """The provider's microsecond UTC form: ``2024-05-29T14:13:28.000000Z``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def picture_url(twin: Twin, registration: Registration) -> str:
    """Where the mock serves the device's profile picture."""
    return f"{root_url(twin)}/_mock/media/avatars/{registration.picture_token}"


def success(twin: Twin, operation_id: str, data: Any) -> dict[str, Any]:
    """The documented success envelope of ``operation_id`` around ``data``."""
    return {
        "code": 200,
        "status": "success",
        "description": twin.contract.success_description(operation_id),
        "data": data,
    }
