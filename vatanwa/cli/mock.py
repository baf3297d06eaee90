"""``vatanwa mock``: start the offline twin, and steer it through its control API.

``serve`` hands its arguments to the twin's own command line (``python -m vatanwa_mock``),
imported only then: the rest of the command line works without the twin's dependencies. The
other commands speak HTTP to ``<root>/_mock`` (``openapi/mock-control.yaml``), where ``<root>``
is ``--base-url`` without the API's path (``http://127.0.0.1:8080`` by default), with the same
credentials (the twin's local defaults when none are given).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import httpx
import typer

from .errors import ExitCode, Failed, UsageProblem
from .options import MOCK_PATH, Session, command

app = typer.Typer(
    help="The offline twin: start it, and see and steer what it does.", no_args_is_help=True
)

INSTALL_HINT = "the twin is not installed: pip install 'vatanwa[mock]'"


class MessageStatus(StrEnum):
    """A captured message's state."""

    queued = "queued"
    sent = "sent"
    failed = "failed"


class DeliveryState(StrEnum):
    """A delivery report's state in the twin's outbox."""

    pending = "pending"
    delivered = "delivered"
    dead = "dead"


@app.command(
    "serve",
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def serve(ctx: typer.Context) -> None:
    """Start the twin (its options: `vatanwa mock serve --help`)."""
    try:
        from vatanwa_mock.__main__ import main as mock_main
    except ImportError:
        sys.stderr.write(f"vatanwa: error: {INSTALL_HINT}\n")
        raise typer.Exit(int(ExitCode.FAILED)) from None
    code = mock_main(list(ctx.args))
    if code:
        raise typer.Exit(code)


def _request(
    session: Session,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: Any = None,
) -> tuple[Any, httpx.Response]:
    client_id, secret = session.mock_credentials()
    root = session.mock_root
    url = root + MOCK_PATH + path
    session.ui.debug(f"{method} {url}")
    try:
        answer = httpx.request(
            method,
            url,
            params=_given(params or {}),
            json=body,
            headers={"client-id": client_id, "client-secret": secret},
            timeout=30.0,
        )
    except httpx.HTTPError as exc:
        raise Failed(
            f"could not reach the twin at {root}: {type(exc).__name__} (start it with "
            "`vatanwa mock serve`, or give its URL with --base-url)"
        ) from exc
    try:
        document = answer.json()
    except ValueError:
        document = None
    if not answer.is_success:
        description = (
            document.get("description") if isinstance(document, dict) else None
        ) or answer.text[:200]
        raise Failed(f"the twin refused ({answer.status_code}): {description}")
    return document, answer


def _control(
    session: Session,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    body: Any = None,
) -> Any:
    return _request(session, method, path, params=params, body=body)[0]


#: The control API's largest page: fewest round trips for a long list.
PAGE_SIZE = 5000


def _listing(session: Session, path: str, params: dict[str, Any]) -> list[Any]:
    """Every item of a paginated list of the control API, following ``X-Next-Cursor``."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page, answer = _request(
            session, "GET", path, params={**params, "limit": PAGE_SIZE, "cursor": cursor}
        )
        items.extend(page)
        cursor = answer.headers.get("x-next-cursor")
        if not cursor:
            return items


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The options among ``values`` that were given (an option left out is ``None``)."""
    return {name: value for name, value in values.items() if value is not None}


def _list(
    session: Session, found: Any, columns: list[str], row: Callable[[Any], list[Any]]
) -> None:
    """Print the control API's list ``found``: as it is with --json, else a table of ``row``s."""
    if session.json_mode:
        session.ui.json(found)
    else:
        session.ui.table(columns, (row(item) for item in found))


def _short(text: Any, width: int = 40) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= width else value[: width - 1] + "…"


@app.command("messages")
@command
def messages(
    to: Annotated[str | None, typer.Option("--to", help="Only to this number.")] = None,
    reg_id: Annotated[str | None, typer.Option("--reg-id", help="Only from this device.")] = None,
    report_id: Annotated[
        str | None,
        typer.Option("--report-id", help="Only with this report_id (as text, as it was sent)."),
    ] = None,
    status: Annotated[
        MessageStatus | None, typer.Option("--status", help="Only in this state.")
    ] = None,
    *,
    session: Session,
) -> None:
    """The messages the twin captured, one per recipient, oldest first."""
    found = _listing(
        session,
        "/messages",
        {
            "to": to,
            "reg_id": reg_id,
            "report_id": report_id,
            "status": status.value if status else None,
        },
    )
    _list(
        session,
        found,
        ["id", "reg_id", "to", "status", "report_id", "message", "error"],
        lambda m: [
            m["id"],
            m["reg_id"],
            m["to"],
            m["status"],
            m["report_id"],
            _short(m["message"]),
            m["error"],
        ],
    )


@app.command("pair")
@command
def pair(
    reg_id: Annotated[str, typer.Argument(metavar="REG_ID", help="The pending login's regId.")],
    device_number: Annotated[
        str | None, typer.Option("--device-number", help="The phone's number (digits).")
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform")] = None,
    user_name: Annotated[str | None, typer.Option("--user-name")] = None,
    *,
    session: Session,
) -> None:
    """Pair the pending login REG_ID, as the phone does when it scans the code."""
    if not (reg_id.isascii() and reg_id.isdigit()):
        raise UsageProblem(f"REG_ID must be digits, not {reg_id!r}")
    body = _given({"device_number": device_number, "platform": platform, "user_name": user_name})
    login = _control(session, "POST", f"/logins/{reg_id}/pair", body=body or None)
    if session.json_mode:
        session.ui.json(login)
    else:
        session.ui.fields(login, title="Paired")


@app.command("deliveries")
@command
def deliveries(
    status: Annotated[
        DeliveryState | None, typer.Option("--status", help="Only in this state.")
    ] = None,
    report_id: Annotated[
        str | None,
        typer.Option("--report-id", help="Only of this report_id (as text, as it was sent)."),
    ] = None,
    *,
    session: Session,
) -> None:
    """The delivery reports the twin posts, with their attempts."""
    found = _listing(
        session,
        "/deliveries",
        {"status": status.value if status else None, "report_id": report_id},
    )
    _list(
        session,
        found,
        ["id", "report_id", "phone", "report", "status", "attempts", "last error"],
        lambda d: [
            d["id"],
            d["report_id"],
            d["body"]["phone"],
            "sent" if d["body"]["status"] == "1" else "failed",
            d["status"],
            len(d["attempts"]),
            _short(d["attempts"][-1]["error"] if d["attempts"] else None),
        ],
    )


@app.command("chaos")
@command
def chaos(
    latency_ms: Annotated[
        int | None, typer.Option("--latency-ms", min=0, max=60000, help="Delay every request.")
    ] = None,
    error_rate: Annotated[
        float | None, typer.Option("--error-rate", min=0, max=1, help="Share of 500 answers.")
    ] = None,
    rate_limit_rate: Annotated[
        float | None,
        typer.Option("--rate-limit-rate", min=0, max=1, help="Share of 429 answers."),
    ] = None,
    retry_after: Annotated[
        int | None, typer.Option("--retry-after", min=0, max=3600, help="Retry-After of a 429.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Make the failures repeatable.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every failure.")] = False,
    *,
    session: Session,
) -> None:
    """Show the twin's injected failures, set them (any option), or --clear them."""
    settings = _given(
        {
            "latency_ms": latency_ms,
            "error_rate": error_rate,
            "rate_limit_rate": rate_limit_rate,
            "retry_after": retry_after,
            "seed": seed,
        }
    )
    if clear and settings:
        raise UsageProblem("--clear takes no other chaos option")
    if clear:
        current = _control(session, "PUT", "/chaos", body={})
    elif settings:
        current = _control(session, "PUT", "/chaos", body=settings)
    else:
        current = _control(session, "GET", "/chaos")
    if session.json_mode:
        session.ui.json(current)
    else:
        session.ui.fields(current, title="Chaos")


@app.command("callback")
@command
def callback(
    url: Annotated[
        str | None,
        typer.Argument(metavar="[URL]", help="Where to post delivery reports.", show_default=False),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Post no more reports.")] = False,
    *,
    session: Session,
) -> None:
    """Show or set the URL the twin posts this account's delivery reports to."""
    if url is not None and clear:
        raise UsageProblem("give a URL or --clear, not both")
    if url is not None or clear:
        current = _control(session, "PUT", "/callback", body={"url": url})
    else:
        current = _control(session, "GET", "/callback")
    if session.json_mode:
        session.ui.json(current)
    else:
        session.ui.line(current["url"] or "(none)")


@app.command("reset")
@command
def reset(*, session: Session) -> None:
    """Forget this account's devices, messages, reports, callback URL and chaos."""
    done = _control(session, "POST", "/reset")
    if session.json_mode:
        session.ui.json(done)
    else:
        session.ui.line("The twin forgot this account's state.")
