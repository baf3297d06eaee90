"""``vatanwa send``: one message to one number."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vatanwa import Attachment

from .errors import UsageProblem
from .login import RegIdArgument, checked_reg_id
from .options import Session, command
from .phones import DEFAULT_REGION, normalise, recipient, region_value

SpeedOption = Annotated[
    int,
    typer.Option("--speed", min=1, max=4, help="Sending pace: 1 (fastest) to 4 (slowest)."),
]
ReportIdOption = Annotated[
    str | None,
    typer.Option(
        "--report-id",
        metavar="N",
        help="Your id for this send; its delivery reports carry it as callback_data.",
        show_default=False,
    ),
]
RegionOption = Annotated[
    str,
    typer.Option("--region", help="Country of numbers written without +country code (ISO code)."),
]


def report_id_value(text: str | None) -> int | str | None:
    """A ``--report-id`` for the SDK: an int when it is a number written plainly, else the text.

    The service echoes ``report_id`` as text in the report's ``callback_data``, so an id whose
    digits an int would change (``007``) goes as the text given, to come back unchanged.
    """
    if text is None:
        return None
    value = text.strip()
    if not value:
        raise UsageProblem("--report-id must not be empty")
    if value.isascii() and value.isdigit() and str(int(value)) == value:
        return int(value)
    return value


def send(
    reg_id: RegIdArgument,
    to: Annotated[str, typer.Argument(metavar="TO", help="The recipient's number.")],
    message: Annotated[str, typer.Argument(metavar="MESSAGE", help="The text to send.")],
    attach: Annotated[
        Path | None,
        typer.Option(
            "--attach",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            readable=True,
            help="A file to attach (pdf, doc(x), ppt(x), xls(x), jpeg, jpg, png).",
        ),
    ] = None,
    speed: SpeedOption = 1,
    report_id: ReportIdOption = None,
    region: RegionOption = DEFAULT_REGION,
    *,
    session: Session,
) -> None:
    """Send MESSAGE to the number TO from the logged-in device REG_ID.

    TO may be written as people do (0532 123 45 67 with --region TR); it is sent in
    international form.
    """
    reg_id = checked_reg_id(reg_id)
    if not message:
        raise UsageProblem("MESSAGE must not be empty")
    number = recipient(to, region_value(region))
    if number is None:
        raise UsageProblem(f"TO {to!r} is {normalise(to, region).error}")
    attachment = Attachment.from_path(attach) if attach is not None else None
    report = report_id_value(report_id)
    with session.client() as api:
        answer = api.messages.send(
            reg_id,
            number,
            message,
            send_speed=speed,
            report_id=report,
            attachment=attachment,
        )
    document = {
        "reg_id": reg_id,
        "to": number,
        "report_id": report,
        "attachment": attach.name if attach else None,
        "sent": True,
        "description": answer.description,
    }
    if session.json_mode:
        session.ui.json(document)
    else:
        session.ui.line(f"Sent to {number} ({answer.description})")


def register(root: typer.Typer) -> None:
    """Add ``send`` to ``root``."""
    root.command("send")(command(send))
