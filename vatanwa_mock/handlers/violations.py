"""The control API's view of proxy mode: ``/_mock/violations`` and its summary.

In proxy mode :class:`~vatanwa_mock.proxy.ProxyMiddleware` identifies the caller (a
``client-id``/``client-secret`` pair the upstream accepted) and hands its view of the recorder
to these handlers as their ``violations`` argument; in the other modes there is none.
"""

from __future__ import annotations

from typing import Any

from vatanwa_mock.errors import envelope
from vatanwa_mock.proxy import ViolationsView

Answer = tuple[Any, ...]
NOT_PROXY = "Violations are recorded in proxy mode only (vatanwa-mock --mode proxy)."


async def list_violations(
    violations: ViolationsView | None = None,
    operation: str | None = None,
    side: str | None = None,
    rule: str | None = None,
    limit: int = 500,
) -> Answer:
    """The caller's violations, oldest first."""
    if violations is None:
        return envelope(404, NOT_PROXY), 404
    return violations.violations(operation=operation, side=side, rule=rule, limit=limit), 200


async def violations_summary(violations: ViolationsView | None = None) -> Answer:
    """Exchanges per operation and violations per rule, the caller's."""
    if violations is None:
        return envelope(404, NOT_PROXY), 404
    return violations.summary(), 200
