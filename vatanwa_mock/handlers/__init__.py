"""Handlers of the contract's operations, one module per tag (``login``, ``messages``,
``profile``, ``devices``), and of the control API (``control``, ``deliveries``).

Each is thin: read the request, call the twin, shape the documented answer. connexion passes
each handler the app's :class:`~vatanwa_mock.twin.Twin` as its ``twin`` argument (from the
app's lifespan state), the caller's tenant as its ``tenant`` argument (from the security
check, :mod:`vatanwa_mock.auth`) and, where it builds URLs, the mock's ``root`` URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode

from vatanwa_mock.config import Settings
from vatanwa_mock.store import Registration
from vatanwa_mock.twin import Twin

T = TypeVar("T")
#: The control API's page size when a list request names none (its document's default).
DEFAULT_LIMIT = 500


def root_url(settings: Settings, scope: Mapping[str, Any]) -> str:
    """``scheme://host:port`` for URLs the mock hands out (avatars, attachments).

    ``--public-url`` when set, else the address the connection was accepted on; never the
    request's ``Host`` header, which the client chooses. :class:`~vatanwa_mock.middleware.
    TwinMiddleware` hands it to the handlers as their ``root`` argument.
    """
    if settings.public_url:
        return settings.public_url.rstrip("/")
    server = scope.get("server")
    if server and server[1] is not None:
        return _origin(scope.get("scheme", "http"), str(server[0]), server[1])
    return settings.root_url


@lru_cache(maxsize=64)  # every request of a connection asks again
def _origin(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def reg_id_text(value: Any) -> str:
    """A ``reg_id`` as its digit string (the contract accepts a number or digits)."""
    return str(int(value)) if isinstance(value, int) else str(value)


@lru_cache(maxsize=4096)  # the same few devices' times, on every /devices
def timestamp(seconds: float) -> str:
    """The provider's microsecond UTC form: ``2024-05-29T14:13:28.000000Z``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def picture_url(root: str, registration: Registration) -> str:
    """Where the mock serves the device's profile picture (``root``: see :func:`root_url`)."""
    return f"{root}/_mock/media/avatars/{registration.picture_token}"


def success(twin: Twin, operation_id: str, data: Any) -> dict[str, Any]:
    """The documented success envelope of ``operation_id`` around ``data``."""
    return {
        "code": 200,
        "status": "success",
        "description": twin.contract.success_description(operation_id),
        "data": data,
    }


def page(
    fetch: Callable[[int | None, int], Sequence[T]],
    key: Callable[[T], int],
    *,
    path: str,
    query: Mapping[str, Any],
    limit: int | None,
    cursor: str | None,
) -> tuple[list[T], dict[str, str]]:
    """One page of a list of the control API and the headers that lead to the next one.

    ``fetch(after, count)`` returns up to ``count`` items whose ``key`` is above ``after``,
    in order; one more than the page is read to know whether another page follows.
    """
    size = limit or DEFAULT_LIMIT
    found = list(fetch(int(cursor) if cursor is not None else None, size + 1))
    items = found[:size]
    if len(found) <= size:
        return items, {}
    following = str(key(items[-1]))
    params = {k: v for k, v in query.items() if v is not None}
    params.update(limit=size, cursor=following)
    return items, {
        "X-Next-Cursor": following,
        "Link": f'<{path}?{urlencode(params)}>; rel="next"',
    }
