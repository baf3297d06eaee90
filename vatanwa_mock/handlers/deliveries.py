"""The ``deliveries`` tag of the control API: the outbox of delivery reports and its replay."""

from __future__ import annotations

import json
from typing import Any

from vatanwa_mock.handlers import page, timestamp
from vatanwa_mock.store import Delivery, DeliveryAttempt, OutboxStatus, browse
from vatanwa_mock.twin import Twin

Answer = tuple[Any, ...]


def attempt_view(attempt: DeliveryAttempt) -> dict[str, Any]:
    """``DeliveryAttempt``: one attempt as the control API shows it."""
    return {
        "number": attempt.number,
        "url": attempt.url,
        "started_at": timestamp(attempt.started_at),
        "finished_at": timestamp(attempt.finished_at) if attempt.finished_at else None,
        "http_status": attempt.http_status,
        "latency_ms": round(attempt.latency_ms, 3) if attempt.latency_ms is not None else None,
        "error": attempt.error,
        "outcome": attempt.outcome,
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    """``Delivery``: a report, the body it posts and its attempts."""
    return {
        "id": delivery.id,
        "message_id": delivery.message_id,
        "report_id": delivery.report_id,
        "status": delivery.status,
        "body": json.loads(delivery.body),
        "created_at": timestamp(delivery.created_at),
        "next_attempt_at": timestamp(delivery.due_at) if delivery.status == "pending" else None,
        "finished_at": timestamp(delivery.finished_at) if delivery.finished_at else None,
        "attempts_since_replay": delivery.attempts,
        "replays": delivery.replays,
        "attempts": [attempt_view(a) for a in delivery.log],
    }


async def list_deliveries(
    twin: Twin,
    tenant: str,
    status: str | None = None,
    report_id: str | None = None,
    message_id: int | None = None,
    order: browse.Order = "oldest",
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[Any, int, dict[str, str]]:
    """One page of the tenant's delivery reports matching the filters, in ``order``."""
    state: OutboxStatus | None = status  # type: ignore[assignment]  # validated against the enum

    def fetch(after: int | None, count: int) -> list[Delivery]:
        if message_id is None and order == "oldest":
            return twin.deliveries(
                tenant, status=state, report_id=report_id, after=after, limit=count
            )
        return browse.deliveries(
            twin.store,
            tenant,
            status=state,
            report_id=report_id,
            message_ids=None if message_id is None else [message_id],
            order=order,
            after=after,
            limit=count,
        )

    found, headers = page(
        fetch,
        lambda delivery: delivery.id,
        path="/_mock/deliveries",
        query={
            "status": status,
            "report_id": report_id,
            "message_id": message_id,
            "order": None if order == "oldest" else order,
        },
        limit=limit,
        cursor=cursor,
    )
    return [delivery_view(d) for d in found], 200, headers


async def replay_delivery(twin: Twin, tenant: str, id: int) -> Answer:
    """Make a dead or delivered report pending again."""
    return delivery_view(twin.replay(tenant, id)), 200
