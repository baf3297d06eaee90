"""``vatanwa bulk``: one message per row of a CSV file, in ``nToN`` batches, resumable.

Each run streams the file twice: once to check it and count what is to be sent (so that the
progress bar knows the total, and a file that changed since an interrupted run is refused
before anything goes out), once to send. Recipients go out in batches of ``--batch-size`` with
``POST /messages/send/nToN``; see :mod:`vatanwa.cli.journal` for how a send resumes.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import httpx
import typer

from vatanwa import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    Vatanwa,
)

from .bulk_output import NOT_SENT, REFUSED, SENT, UNKNOWN, WOULD_SEND, Progress, Results
from .bulk_plan import DUPLICATE, INVALID, SEND, Planned, Template, plan
from .csvfile import Table, open_table
from .errors import Failed, Interrupted, UsageProblem, describe_api_error
from .journal import DONE, IN_DOUBT, Journal, JournalState, journal_path, read_journal
from .login import RegIdArgument, checked_reg_id
from .options import Session, command
from .output import Ui
from .phones import DEFAULT_REGION, region_value
from .send import RegionOption, ReportIdOption, SpeedOption, report_id_value

#: 100 recipients a request: a body of tens of kilobytes that any gateway accepts, a thousand
#: requests for 100,000 rows, and at most 100 recipients in doubt if an answer is lost.
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 10_000

# Refusals that every later batch would meet too: stop instead of sending them.
_STOPPING_STATUSES = frozenset({400, 401, 404, 413, 429})


@dataclass
class _StopFlag:
    requested: bool = False


@contextlib.contextmanager
def _graceful_stop(ui: Ui) -> Iterator[_StopFlag]:
    """Ctrl-C or SIGTERM: finish the batch in flight, then stop. A second Ctrl-C stops at once."""
    flag = _StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        flag.requested = True
        ui.info("Stopping after the batch in flight (Ctrl-C again to stop at once)...")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass
class _Sender:
    api: Vatanwa
    reg_id: str
    speed: int
    report_id: int | str | None
    journal: Journal
    base_url: str
    fatal: str | None = None

    def send(self, batch: list[Planned]) -> tuple[int, str, str | None]:
        """Send one batch; returns its number, its outcome and the error."""
        number = self.journal.begin([(p.row, str(p.number)) for p in batch])
        items = [(str(p.number), str(p.message)) for p in batch]
        outcome, error = SENT, None
        try:
            self.api.messages.send_n_to_n(
                self.reg_id, items, send_speed=self.speed, report_id=self.report_id
            )
        except APIStatusError as exc:
            error = describe_api_error(exc, self.base_url)
            if exc.status_code == 413:
                error += f"; use --batch-size below {len(batch)}"
            if exc.status_code >= 500:
                # The service may have sent some before failing: in doubt, never resent.
                outcome, self.fatal = UNKNOWN, error
            else:
                outcome = REFUSED
                if exc.status_code in _STOPPING_STATUSES:
                    self.fatal = error
        except APIResponseValidationError as exc:
            error = f"accepted, but the answer does not match the contract: {exc}"
        except (APITimeoutError, APIConnectionError) as exc:
            error = describe_api_error(exc, self.base_url)
            never_left = isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout)
            outcome = "unsent" if never_left else UNKNOWN
            self.fatal = error
        except BaseException:
            self.journal.end(number, IN_DOUBT, "interrupted while the request was in flight")
            raise
        self.journal.end(number, outcome, error)
        return number, outcome, error


@dataclass
class _Check:
    """The first pass: the plan's counts, and what the journal already did."""

    counts: Counter[str] = field(default_factory=Counter)
    earlier: int = 0
    in_doubt: int = 0


def _check(
    table: Table, template: Template, region: str, state: JournalState, journal: Path
) -> _Check:
    check = _Check()
    seen_rows = 0
    for planned in plan(table, template, region):
        check.counts[planned.outcome] += 1
        known = state.numbers.get(planned.row)
        if known is None:
            continue
        seen_rows += 1
        if planned.outcome != SEND or known != planned.number:
            raise UsageProblem(
                f"{table.path} changed since the send recorded in {journal}: row "
                f"{planned.row} was {known}, now {planned.number or planned.input!r}. "
                "Send the new file with another --results path"
            )
        if state.states[planned.row] == DONE:
            check.earlier += 1
        elif state.states[planned.row] == IN_DOUBT:
            check.in_doubt += 1
    if seen_rows < len(state.numbers):
        raise UsageProblem(
            f"{table.path} has fewer rows than the send recorded in {journal}: "
            "send the new file with another --results path"
        )
    return check


def bulk(
    reg_id: RegIdArgument,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Recipients: a 'to' column, and a 'message' column unless --message is given.",
        ),
    ],
    message: Annotated[
        str | None,
        typer.Option(
            "--message",
            help='A template filled from each row\'s columns: "Merhaba {name}, ...".',
            show_default=False,
        ),
    ] = None,
    region: RegionOption = DEFAULT_REGION,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent and refused; send nothing.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            min=1,
            max=MAX_BATCH_SIZE,
            help="Recipients per nToN request. 100 keeps each request small (tens of KB), "
            "makes 1,000 requests of 100,000 rows, and leaves at most 100 recipients in doubt "
            "when an answer is lost.",
        ),
    ] = DEFAULT_BATCH_SIZE,
    speed: SpeedOption = 1,
    report_id: ReportIdOption = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            metavar="FILE.jsonl",
            dir_okay=False,
            help="Where to write one JSON line per row [default: FILE.results.jsonl]. Its "
            "journal, FILE.jsonl.journal, lets the same command resume.",
            show_default=False,
        ),
    ] = None,
    resend_unknown: Annotated[
        bool,
        typer.Option(
            "--resend-unknown",
            help="Send again the rows whose earlier request's answer was lost (they may "
            "receive the message twice).",
        ),
    ] = False,
    *,
    session: Session,
) -> None:
    """Send one message per row of FILE.csv from the device REG_ID.

    Numbers are normalised (0532 123 45 67, +90 (532) 123-45-67 and 905321234567 are one
    recipient); invalid numbers and duplicates are reported and skipped. Run the same command
    again after an interruption: rows already accepted by the service are not sent twice.
    Exit code 0 when every row was sent, 1 when some were not (see the results file).
    """
    ui = session.ui
    reg_id = checked_reg_id(reg_id)
    region = region_value(region)
    report = report_id_value(report_id)
    table = open_table(file)
    template = Template(message, table.columns)
    results_path = results or file.with_name(file.stem + ".results.jsonl")
    journal_file = journal_path(results_path)
    state = read_journal(journal_file)
    if state.run is not None and state.run.get("reg_id") != reg_id:
        raise UsageProblem(
            f"{journal_file} records a send from reg_id {state.run.get('reg_id')}: "
            "give this send another --results path"
        )
    check = _check(table, template, region, state, journal_file)
    to_send = check.counts[SEND] - check.earlier - (0 if resend_unknown else check.in_doubt)
    if dry_run:
        _dry_run(session, table, template, region, state, results_path, resend_unknown)
        return
    session.credentials()  # a usage error before anything is written
    if check.earlier or check.in_doubt:
        ui.info(
            f"Resuming from {journal_file}: {check.earlier} rows were sent before"
            + (f", {check.in_doubt} are in doubt" if check.in_doubt else "")
            + "."
        )
    journal = Journal(journal_file, state)
    sink = Results(results_path)
    interrupted = False
    fatal: str | None = None
    try:
        if state.run is None and to_send:
            journal.start({"file": str(file.resolve()), "reg_id": reg_id, "region": region})
        with session.client() as api, _graceful_stop(ui) as stop, Progress(ui, to_send) as bar:
            sender = _Sender(api, reg_id, speed, report, journal, session.base_url)
            batch: list[Planned] = []
            waiting: list[Planned] = []

            def flush() -> None:
                if stop.requested or sender.fatal:
                    for planned in waiting:
                        _write_skipped(sink, planned)
                else:
                    number, outcome, error = sender.send(batch)
                    for planned in waiting:
                        if planned.outcome == SEND:
                            sink.write(planned, outcome, error, number)
                        else:
                            sink.write(planned, planned.outcome, planned.error)
                    sent = len(batch) if outcome == SENT else 0
                    bar.batch(number, sent, len(batch) - sent)
                batch.clear()
                waiting.clear()
                sink.flush()

            for planned in plan(table, template, region):
                previous = state.states.get(planned.row)
                if planned.outcome != SEND:
                    _queue(sink, waiting, batch, planned, planned.outcome, planned.error)
                elif previous == DONE:
                    _queue(sink, waiting, batch, planned, SENT, "sent by an earlier run")
                    sink.tally.earlier += 1
                elif previous == IN_DOUBT and not resend_unknown:
                    _queue(sink, waiting, batch, planned, UNKNOWN, _IN_DOUBT_ERROR)
                else:
                    batch.append(planned)
                    waiting.append(planned)
                    if len(batch) >= batch_size:
                        flush()
            if batch:
                flush()
            fatal = sender.fatal
            interrupted = stop.requested and sink.tally.counts[NOT_SENT] > 0
    except KeyboardInterrupt as exc:
        raise Interrupted(
            "interrupted while a batch was in flight: its rows are in doubt and will not be "
            f"resent (see {journal_file}); run the same command again to send the rest"
        ) from exc
    finally:
        journal.close()
        sink.close()
    _report(session, sink, results_path, journal_file, fatal=fatal, interrupted=interrupted)


_IN_DOUBT_ERROR = (
    "an earlier request holding this row got no answer: it may have been sent "
    "(not resent; --resend-unknown sends it again)"
)


def _queue(
    sink: Results,
    waiting: list[Planned],
    batch: list[Planned],
    planned: Planned,
    outcome: str,
    error: str | None,
) -> None:
    """Write a row that is not sent now, after the rows before it that wait for their batch."""
    row = Planned(planned.row, planned.input, planned.number, None, outcome, error)
    if batch:
        waiting.append(row)
    else:
        sink.write(row, outcome, error)


def _write_skipped(sink: Results, planned: Planned) -> None:
    if planned.outcome == SEND:
        sink.write(planned, NOT_SENT, "the send stopped before this row's batch")
    else:
        sink.write(planned, planned.outcome, planned.error)


def _dry_run(
    session: Session,
    table: Table,
    template: Template,
    region: str,
    state: JournalState,
    results_path: Path,
    resend_unknown: bool,
) -> None:
    ui = session.ui
    sink = Results(results_path)
    try:
        for planned in plan(table, template, region):
            previous = state.states.get(planned.row)
            if planned.outcome != SEND:
                outcome, error = planned.outcome, planned.error
            elif previous == DONE:
                outcome, error = SENT, "sent by an earlier run"
                sink.tally.earlier += 1
            elif previous == IN_DOUBT and not resend_unknown:
                outcome, error = UNKNOWN, _IN_DOUBT_ERROR
            else:
                outcome, error = WOULD_SEND, None
            sink.write(planned, outcome, error)
            if not ui.json_mode:
                shown = planned.message if outcome == WOULD_SEND else error
                ui.line(f"row {planned.row}\t{planned.number or planned.input}\t{outcome}\t{shown}")
    finally:
        sink.close()
    _report(session, sink, results_path, None, fatal=None, interrupted=False, dry_run=True)


def _report(
    session: Session,
    sink: Results,
    results_path: Path,
    journal_file: Path | None,
    *,
    fatal: str | None,
    interrupted: bool,
    dry_run: bool = False,
) -> None:
    ui = session.ui
    counts = sink.tally.counts
    summary: dict[str, Any] = {
        "rows": sum(counts.values()),
        "sent": counts[SENT],
        "sent_earlier": sink.tally.earlier,
        "refused": counts[REFUSED],
        "unknown": counts[UNKNOWN],
        "not_sent": counts[NOT_SENT],
        "invalid": counts[INVALID],
        "duplicate": counts[DUPLICATE],
        "results": str(results_path),
        "journal": str(journal_file) if journal_file else None,
        "dry_run": dry_run,
    }
    if dry_run:
        summary["would_send"] = counts[WOULD_SEND]
    if ui.json_mode:
        ui.json(summary)
    else:
        shown = {name: value for name, value in summary.items() if value not in (0, None, False)}
        ui.fields(shown, title="Dry run: nothing was sent" if dry_run else "Bulk send")
    if interrupted:
        raise Interrupted(
            f"stopped: run the same command again to send the {counts[NOT_SENT]} rows left "
            f"(state in {journal_file})"
        )
    if fatal:
        raise Failed(f"{fatal}; run the same command again to resume (state in {journal_file})")
    if sink.tally.not_sent:
        raise Failed(
            f"{sink.tally.not_sent} of {summary['rows']} rows were not sent "
            f"(invalid {counts[INVALID]}, refused {counts[REFUSED]}, unknown "
            f"{counts[UNKNOWN]}, not sent {counts[NOT_SENT]}): see {results_path}"
        )


def register(root: typer.Typer) -> None:
    """Add ``bulk`` to ``root``."""
    root.command("bulk")(command(bulk))
