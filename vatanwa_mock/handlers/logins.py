"""The ``logins`` tag of the control API: every login of the tenant, its QR code, logout.

The functions that take the twin and a tenant are what the handlers and the inspector UI
share; the handlers only add the request's context.
"""

from __future__ import annotations

import time
from typing import Any

from connexion.lifecycle import ConnexionResponse

from vatanwa_mock import media
from vatanwa_mock.handlers import timestamp
from vatanwa_mock.store import Registration, browse
from vatanwa_mock.twin import NotFound, Twin

Answer = tuple[Any, int]
QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def login_detail(registration: Registration, root: str, now: float) -> dict[str, Any]:
    """``LoginDetail``: a login, how it pairs, and its device."""
    device = registration.device
    paired = registration.paired_at if registration.paired_at is not None else None
    return {
        "reg_id": registration.reg_id,
        "state": registration.state(now),
        "method": registration.method,
        "phone": registration.phone,
        "code": registration.code,
        "qr": registration.qr,
        "qr_image": f"{root}/_mock/logins/{registration.reg_id}/qr" if registration.qr else None,
        "created_at": timestamp(registration.created_at),
        "expires_at": timestamp(registration.expires_at),
        "paired_at": timestamp(paired) if paired is not None and paired <= now else None,
        "logged_out_at": timestamp(registration.logged_out_at)
        if registration.logged_out_at is not None
        else None,
        "device_number": device.device_number,
        "platform": device.platform,
        "user_name": device.user_name,
        "j_id": device.j_id,
        "profile_picture": f"{root}/_mock/media/avatars/{registration.picture_token}",
    }


def all_logins(twin: Twin, tenant: str, state: str | None = None) -> list[Registration]:
    """The tenant's logins, newest first, optionally only those in ``state``."""
    now = time.time()
    found = browse.registrations(twin.store, tenant)
    return [r for r in found if state is None or r.state(now) == state]


def qr_image(twin: Twin, tenant: str, reg_id: str, kind: str) -> bytes:
    """The QR code of the tenant's QR login ``reg_id``, rendered from its payload."""
    registration = twin.registration(tenant, reg_id)
    if registration.qr is None:
        raise NotFound(f"The login {reg_id} pairs with a code, not a QR code.")
    return media.qr_code(registration.qr, kind)


async def list_logins(twin: Twin, tenant: str, root: str, state: str | None = None) -> Answer:
    """The tenant's logins."""
    now = time.time()
    return [login_detail(r, root, now) for r in all_logins(twin, tenant, state)], 200


async def get_login_qr(
    twin: Twin, tenant: str, reg_id: str, format: str = "png"
) -> ConnexionResponse:
    """The QR code of a QR login as an image."""
    return ConnexionResponse(
        status_code=200,
        mimetype=QR_TYPES[format],
        content_type=QR_TYPES[format],
        body=qr_image(twin, tenant, reg_id, format),
        headers={"cache-control": "no-store"},
    )


async def logout_device(twin: Twin, tenant: str, root: str, reg_id: str) -> Answer:
    """Log a connected device out, as ``POST /logout`` does."""
    return login_detail(twin.logout(tenant, reg_id), root, time.time()), 200
