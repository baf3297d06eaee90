"""``vatanwa devices`` and ``vatanwa profile-picture``."""

from __future__ import annotations

import typer

from .login import RegIdArgument, checked_reg_id
from .options import Session, command


def devices(*, session: Session) -> None:
    """List the devices connected to the account."""
    with session.client() as api:
        answer = api.devices.list()
    rows = [
        {
            "reg_id": device.reg_id,
            "sender": device.sender,
            "platform": device.platform,
            "user_name": device.user_name,
            "created_at": device.created_at.isoformat(),
            "profile_picture": device.profile_picture,
        }
        for device in answer.data
    ]
    if session.json_mode:
        session.ui.json(rows)
        return
    if not rows:
        session.ui.info("No device is connected: log one in with `vatanwa login qr`.")
        return
    columns = ["reg_id", "sender", "platform", "user_name", "created_at"]
    session.ui.table(columns, ([row[name] for name in columns] for row in rows))


def profile_picture(reg_id: RegIdArgument, *, session: Session) -> None:
    """Print the URL of the WhatsApp profile picture of the device REG_ID."""
    reg_id = checked_reg_id(reg_id)
    with session.client() as api:
        answer = api.profile.picture(reg_id)
    if session.json_mode:
        session.ui.json({"reg_id": reg_id, "image": answer.data.image})
    else:
        session.ui.line(answer.data.image)


def register(root: typer.Typer) -> None:
    """Add ``devices`` and ``profile-picture`` to ``root``."""
    root.command("devices")(command(devices))
    root.command("profile-picture")(command(profile_picture))
