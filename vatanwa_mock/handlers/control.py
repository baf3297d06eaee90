"""The control API under ``/_mock`` (openapi/mock-control.yaml)."""

from __future__ import annotations

import os
import time
from typing import Any

from connexion.lifecycle import ConnexionResponse

from vatanwa_mock import logins, media
from vatanwa_mock.chaos import Chaos
from vatanwa_mock.config import ConfigError, validate_callback_url
from vatanwa_mock.errors import ApiError
from vatanwa_mock.handlers import current, root_url, runtime, timestamp
from vatanwa_mock.numbers import normalize
from vatanwa_mock.runtime import Runtime
from vatanwa_mock.store import Conflict, Message, MessageFilter, Registration

Answer = tuple[Any, int]


async def health() -> Answer:
    """Up, in which mode, and as which process."""
    return {"status": "ok", "mode": runtime().settings.mode, "pid": os.getpid()}, 200


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


def message_view(message: Message, root: str) -> dict[str, Any]:
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
    to: str | None = None,
    reg_id: str | None = None,
    report_id: int | None = None,
    status: str | None = None,
) -> Answer:
    """The tenant's captured messages matching the filters."""
    rt, tenant = current()
    filters = MessageFilter(
        to=normalize(to) if to is not None else None,
        reg_id=reg_id,
        report_id=report_id,
        status=status,  # type: ignore[arg-type]  # validated against the enum
    )
    root = root_url()
    return [message_view(m, root) for m in rt.store.messages(tenant, filters)], 200


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


async def pair_login(reg_id: str, body: dict[str, Any] | None = None) -> Answer:
    """Pair a pending login now, as the phone would."""
    rt, tenant = current()
    found = rt.store.registration(tenant, reg_id)
    if found is None:
        raise ApiError(404, f"No login with reg_id {reg_id} in this account.")
    body = body or {}
    device = None
    if body:
        number = normalize(body["device_number"]) if "device_number" in body else None
        device = logins.device_for(
            number or found.device.device_number,
            body.get("platform") or found.device.platform,
            body.get("user_name") or found.device.user_name,
        )
    try:
        registration = rt.store.pair(tenant, reg_id, at=time.time(), device=device)
    except Conflict as exc:
        raise ApiError(409, f"Cannot pair {reg_id}: {exc}.") from None
    rt.logins.notify(reg_id)
    return login_view(registration), 200


async def reset() -> Answer:
    """Forget the tenant's state and chaos."""
    rt, tenant = current()
    rt.store.reset(tenant)
    rt.chaos.set(tenant, None)
    return {"status": "ok"}, 200


async def get_chaos() -> Answer:
    """The tenant's chaos settings."""
    rt, tenant = current()
    return (rt.chaos.get(tenant) or Chaos()).as_dict(), 200


async def set_chaos(body: dict[str, Any] | None = None) -> Answer:
    """Set the tenant's chaos; an empty body clears it."""
    rt, tenant = current()
    chaos = Chaos(**body) if body else None
    if chaos is not None and not (chaos.latency_ms or chaos.error_rate or chaos.rate_limit_rate):
        chaos = None
    if chaos is not None and chaos.error_rate + chaos.rate_limit_rate > 1:
        raise ApiError(422, "error_rate + rate_limit_rate must not exceed 1")
    rt.chaos.set(tenant, chaos)
    return (chaos or Chaos()).as_dict(), 200


def _callback(rt: Runtime, tenant: str) -> str | None:
    stored = rt.store.callback_url(tenant)
    return stored if stored is not None else rt.settings.callback_url


async def get_callback() -> Answer:
    """The tenant's delivery-report URL."""
    rt, tenant = current()
    return {"url": _callback(rt, tenant)}, 200


async def set_callback(body: dict[str, Any]) -> Answer:
    """Set (or clear) the tenant's delivery-report URL."""
    rt, tenant = current()
    url = body["url"]
    if url is not None:
        try:
            validate_callback_url(url)
        except ConfigError as exc:
            raise ApiError(422, f"url: {exc}") from None
    rt.store.set_callback_url(tenant, url)
    rt.deliveries_changed.set()
    return {"url": _callback(rt, tenant)}, 200


async def get_avatar(token: str) -> ConnexionResponse:
    """A device's profile picture."""
    registration = runtime().store.registration_by_picture(token)
    if registration is None:
        raise ApiError(404, "No such picture.")
    return ConnexionResponse(
        status_code=200,
        mimetype="image/png",
        content_type="image/png",
        body=media.profile_picture(registration.device.device_number),
    )


async def get_attachment(token: str) -> ConnexionResponse:
    """A stored attachment."""
    found = runtime().store.attachment_content(token)
    if found is None:
        raise ApiError(404, "No such attachment.")
    attachment, data = found
    return ConnexionResponse(
        status_code=200,
        mimetype=attachment.content_type,
        content_type=attachment.content_type,
        body=data,
        headers={"content-disposition": media.content_disposition(attachment.filename)},
    )
