"""``vatanwa login qr``, ``vatanwa login phone``, ``vatanwa status`` and ``vatanwa logout``.

A login waits with the service's long-poll (``/login/check`` answers within 30 seconds),
repeated until ``--timeout``: the phone has that long to scan the code or enter the pairing code.
"""

from __future__ import annotations

import asyncio
import io
import time
from typing import Annotated, Any

import typer

from vatanwa import AsyncVatanwa

from .errors import Failed, UsageProblem
from .options import Session, command
from .phones import normalise, recipient, region_value

app = typer.Typer(
    help="Log a phone's WhatsApp in: by QR code or by pairing code.", no_args_is_help=True
)

RegIdArgument = Annotated[
    str, typer.Argument(metavar="REG_ID", help="The device's reg_id (digits).", show_default=False)
]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1,
        help="How long to wait for the phone, in seconds (30-second long-polls repeated).",
    ),
]
NoWaitOption = Annotated[
    bool, typer.Option("--no-wait", help="Print the code and the reg_id and return at once.")
]
# A check answered this fast did not wait: pause before the next one instead of spinning.
_QUICK_ANSWER = 1.0


def checked_reg_id(value: str) -> str:
    """A REG_ID argument, or a usage error when it is not digits."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise UsageProblem(f"REG_ID must be the digits of a reg_id, not {value!r}")
    return text


def qr_text(payload: str) -> str:
    """The QR code of ``payload`` drawn with Unicode half blocks (two modules a character)."""
    import segno

    buffer = io.StringIO()
    segno.make(payload, error="l").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


async def _wait_until_paired(api: AsyncVatanwa, reg_id: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    try:
        async with asyncio.timeout(seconds):
            while True:
                started = time.monotonic()
                if await api.login.wait(reg_id):
                    return True
                if time.monotonic() - started < _QUICK_ANSWER:
                    await asyncio.sleep(min(_QUICK_ANSWER, max(0.0, deadline - time.monotonic())))
    except TimeoutError:
        return False


def _login(session: Session, *, phone: str | None, no_wait: bool, timeout: float) -> None:
    ui = session.ui

    async def flow() -> None:
        async with session.async_client() as api:
            started: dict[str, Any]
            if phone is None:
                qr = (await api.login.qr()).data
                started = {"reg_id": qr.reg_id, "qr": qr.qr}
                if ui.json_mode:
                    ui.json({**started, "paired": False})
                else:
                    ui.line(qr_text(qr.qr).rstrip("\n"))
                    ui.fields({"reg_id": qr.reg_id})
                    ui.info("Scan the code with WhatsApp: Linked devices > Link a device.")
            else:
                login = (await api.login.phone(phone)).data
                started = {"reg_id": login.reg_id, "code": login.code}
                if ui.json_mode:
                    ui.json({**started, "paired": False})
                else:
                    ui.fields({"pairing code": login.code, "reg_id": login.reg_id})
                    ui.info(
                        "Enter the code on the phone: Linked devices > Link a device > "
                        "Link with phone number instead."
                    )
            if no_wait:
                return
            reg_id = str(started["reg_id"])
            ui.info(f"Waiting up to {timeout:g} s for the phone...")
            if not await _wait_until_paired(api, reg_id, timeout):
                raise Failed(
                    f"the phone did not log in within {timeout:g} s (reg_id {reg_id}): "
                    "start a new login, or wait longer with --timeout"
                )
            if ui.json_mode:
                ui.json({"reg_id": reg_id, "paired": True})
            else:
                ui.line(f"Logged in: reg_id {reg_id}")

    asyncio.run(flow())


@app.command("qr")
@command
def login_qr(
    no_wait: NoWaitOption = False, timeout: TimeoutOption = 120.0, *, session: Session
) -> None:
    """Start a QR login: draw the code, print the reg_id, wait until the phone scanned it.

    Exit code 0 once the phone is logged in, 1 when it did not log in within --timeout.
    With --json: a JSON line {reg_id, qr, paired: false} at the start, {reg_id, paired: true}
    once paired.
    """
    _login(session, phone=None, no_wait=no_wait, timeout=timeout)


@app.command("phone")
@command
def login_phone(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The phone's WhatsApp number.")],
    no_wait: NoWaitOption = False,
    timeout: TimeoutOption = 120.0,
    region: Annotated[
        str, typer.Option("--region", help="Region of numbers written without +country code.")
    ] = "TR",
    *,
    session: Session,
) -> None:
    """Start a login by pairing code: print the code to enter on the phone, then wait.

    Exit code 0 once the phone is logged in, 1 when it did not log in within --timeout.
    """
    phone = recipient(number, region_value(region))
    if phone is None:
        raise UsageProblem(f"NUMBER {number!r} is {normalise(number, region).error}")
    _login(session, phone=phone, no_wait=no_wait, timeout=timeout)


def status(reg_id: RegIdArgument, *, session: Session) -> None:
    """Whether the device REG_ID is logged in now (exit code 1 when it is not)."""
    reg_id = checked_reg_id(reg_id)
    with session.client() as api:
        answer = api.login.check_active(reg_id)
    device = answer.data
    document = {
        "reg_id": reg_id,
        "is_connect": answer.is_connect,
        "message": answer.message,
        "device_number": device.device_number,
        "platform": device.platform,
        "state": device.state,
        "user_name": device.user_name,
        "j_id": device.j_id,
    }
    if session.json_mode:
        session.ui.json(document)
    else:
        session.ui.fields(document)
    if not answer.is_connect:
        raise Failed(f"the device {reg_id} is not logged in: {answer.message}")


def logout(reg_id: RegIdArgument, *, session: Session) -> None:
    """Log the device REG_ID out; it can no longer send."""
    reg_id = checked_reg_id(reg_id)
    with session.client() as api:
        answer = api.login.logout(reg_id)
    if session.json_mode:
        session.ui.json({"reg_id": reg_id, "logged_out": True, "description": answer.description})
    else:
        session.ui.line(f"Logged out: reg_id {reg_id} ({answer.description})")


def register(root: typer.Typer) -> None:
    """Add the top-level commands of this module to ``root``."""
    root.command("status")(command(status))
    root.command("logout")(command(logout))
