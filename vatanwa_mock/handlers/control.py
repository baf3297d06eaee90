"""The control API under ``/_mock`` (openapi/mock-control.yaml)."""

from __future__ import annotations

import os
import time
from typing import Any

from connexion.lifecycle import ConnexionResponse

from vatanwa_mock import media
from vatanwa_mock.chaos import Chaos
from vatanwa_mock.handlers import page, timestamp
from vatanwa_mock.numbers import normalize
from vatanwa_mock.redact import redact_url
from vatanwa_mock.store import MessageFilter, Registration, StoredMessage, browse
from vatanwa_mock.twin import Twin

Answer = tuple[Any, ...]


async def health(twin: Twin) -> Answer:
    """Up, in which mode, and as which process."""
    return {"status": "ok", "mode": twin.settings.mode, "pid": os.getpid()}, 200


def _yaml(text: str) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=200,
        mimetype="application/yaml",
        content_type="application/yaml; charset=utf-8",
        body=text.encode("utf-8"),
    )


async def get_control_document() -> ConnexionResponse:
    """This API's own OpenAPI document."""
    from vatanwa_mock.spec import load_control

    return _yaml(load_control().text())


async def get_contract_document() -> ConnexionResponse:
    """The contract the mock serves; the control document's relative references point at it."""
    from vatanwa_mock.spec import load_contract

    return _yaml(load_contract().text())


def message_view(message: StoredMessage, root: str) -> dict[str, Any]:
    """``CapturedMessage``: a message as the control API shows it."""
    attachment = message.attachment
    return {
        "id": message.id,
        "reg_id": message.reg_id,
        "to": message.recipient,
        "message": message.content,
        "report_id": message.report_id,
        "send_speed": message.send_speed,
        "status": message.status,
        "error": message.error,
        "attachment": None
        if attachment is None
        else {
            "url": f"{root}/_mock/media/attachments/{attachment.token}",
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": attachment.size,
        },
        "created_at": timestamp(message.created_at),
        "due_at": timestamp(message.due_at),
        "finished_at": timestamp(message.finished_at) if message.finished_at else None,
    }


async def list_messages(
    twin: Twin,
    tenant: str,
    root: str,
    to: str | None = None,
    reg_id: str | None = None,
    report_id: str | None = None,
    status: str | None = None,
    q: str | None = None,
    order: browse.Order = "oldest",
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[Any, int, dict[str, str]]:
    """One page of the tenant's captured messages matching the filters, in ``order``."""
    filters = MessageFilter(
        to=normalize(to) if to is not None else None,
        reg_id=reg_id,
        report_id=report_id,
        status=status,  # type: ignore[arg-type]  # validated against the enum
    )

    def fetch(after: int | None, count: int) -> list[StoredMessage]:
        if q is None and order == "oldest":
            return twin.messages(tenant, filters, after=after, limit=count)
        return browse.messages(
            twin.store, tenant, filters, text=q, order=order, after=after, limit=count
        )

    found, headers = page(
        fetch,
        lambda message: message.id,
        path="/_mock/messages",
        query={
            "to": to,
            "reg_id": reg_id,
            "report_id": report_id,
            "status": status,
            "q": q,
            "order": None if order == "oldest" else order,
        },
        limit=limit,
        cursor=cursor,
    )
    return [message_view(m, root) for m in found], 200, headers


def login_view(registration: Registration) -> dict[str, Any]:
    """``Login``: a registration and its device."""
    device = registration.device
    return {
        "reg_id": registration.reg_id,
        "state": registration.state(time.time()),
        "device_number": device.device_number,
        "platform": device.platform,
        "user_name": device.user_name,
        "j_id": device.j_id,
    }


async def pair_login(
    twin: Twin, tenant: str, reg_id: str, body: dict[str, Any] | None = None
) -> Answer:
    """Pair a pending login now, as the phone would."""
    body = body or {}
    number = body.get("device_number")
    registration = twin.pair(
        tenant,
        reg_id,
        device_number=normalize(number) if number is not None else None,
        platform=body.get("platform"),
        user_name=body.get("user_name"),
    )
    return login_view(registration), 200


async def expire_login(twin: Twin, tenant: str, reg_id: str) -> Answer:
    """Expire a pending login now, as if nobody scanned in time."""
    return login_view(twin.expire(tenant, reg_id)), 200


async def reset(twin: Twin, tenant: str) -> Answer:
    """Forget the tenant's state and chaos."""
    twin.reset(tenant)
    return {"status": "ok"}, 200


async def get_chaos(twin: Twin, tenant: str) -> Answer:
    """The tenant's chaos settings."""
    return (twin.chaos(tenant) or Chaos()).as_dict(), 200


async def set_chaos(twin: Twin, tenant: str, body: dict[str, Any] | None = None) -> Answer:
    """Set the tenant's chaos; an empty body clears it."""
    return (twin.set_chaos(tenant, body) or Chaos()).as_dict(), 200


def _shown(url: str | None) -> str | None:
    # A receiver's token in the URL is a secret: shown, the URL keeps only where it points.
    return None if url is None else redact_url(url)


async def get_callback(twin: Twin, tenant: str) -> Answer:
    """The tenant's delivery-report URL (credentials and query values masked)."""
    return {"url": _shown(twin.callback_url(tenant))}, 200


async def set_callback(twin: Twin, tenant: str, body: dict[str, Any]) -> Answer:
    """Set (or clear) the tenant's delivery-report URL."""
    return {"url": _shown(twin.set_callback_url(tenant, body["url"]))}, 200


async def get_avatar(twin: Twin, token: str) -> ConnexionResponse:
    """A device's profile picture."""
    registration = twin.device_by_picture(token)
    return ConnexionResponse(
        status_code=200,
        mimetype="image/png",
        content_type="image/png",
        body=media.profile_picture(registration.device.device_number),
    )


async def get_attachment(twin: Twin, token: str) -> ConnexionResponse:
    """A stored attachment."""
    attachment, data = twin.attachment(token)
    return ConnexionResponse(
        status_code=200,
        mimetype=attachment.content_type,
        content_type=attachment.content_type,
        body=data,
        headers={"content-disposition": media.content_disposition(attachment.filename)},
    )
