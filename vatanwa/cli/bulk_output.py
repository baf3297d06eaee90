"""What a bulk send writes as it goes: the results file, and the progress on stderr."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.progress import BarColumn, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

from .bulk_plan import INVALID, Planned
from .errors import UsageProblem
from .output import Ui

#: Outcomes in the results file, besides the plan's ``invalid`` and ``duplicate``.
SENT = "sent"
REFUSED = "refused"
UNKNOWN = "unknown"
NOT_SENT = "not-sent"
WOULD_SEND = "would-send"


@dataclass
class Tally:
    """How many rows got each outcome, and how many of the sent ones an earlier run sent."""

    counts: Counter[str] = field(default_factory=Counter)
    earlier: int = 0

    @property
    def not_sent(self) -> int:
        """Rows that did not reach the service (duplicates do, through their first row)."""
        return sum(self.counts[name] for name in (INVALID, REFUSED, UNKNOWN, NOT_SENT))


class Results:
    """The results file: one JSON line per row, in file order, flushed after each batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write the results to {path}: {exc.strerror}") from exc
        self.tally = Tally()

    def write(
        self, planned: Planned, outcome: str, error: str | None = None, batch: int | None = None
    ) -> None:
        self.tally.counts[outcome] += 1
        record: dict[str, Any] = {
            "row": planned.row,
            "input": planned.input,
            "number": planned.number,
            "outcome": outcome,
            "error": error,
        }
        if batch is not None:
            record["batch"] = batch
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- msg/s" if speed is None else f"{speed:.1f} msg/s")


class Progress:
    """Sent / refused / remaining, rate and time left: a Rich bar on a terminal, lines otherwise."""

    def __init__(self, ui: Ui, total: int) -> None:
        self.ui = ui
        self.total = total
        self.sent = 0
        self.refused = 0
        self._bar: RichProgress | None = None
        self._task: Any = None
        if ui.rich_stderr:
            self._bar = RichProgress(
                TextColumn("[bold]sending"),
                BarColumn(),
                TextColumn(
                    "sent {task.fields[sent]}  refused {task.fields[refused]}  "
                    "remaining {task.fields[remaining]}"
                ),
                RateColumn(),
                TimeRemainingColumn(),
                console=ui.err,
                transient=False,
            )
            self._task = self._bar.add_task("send", total=total, **self._fields())  # type: ignore[arg-type]

    def _fields(self) -> dict[str, int]:
        return {"sent": self.sent, "refused": self.refused, "remaining": self.remaining}

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.sent - self.refused)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def batch(self, batch: int, sent: int, refused: int) -> None:
        self.sent += sent
        self.refused += refused
        if self._bar is not None:
            self._bar.update(
                self._task,
                completed=self.sent + self.refused,
                **self._fields(),  # type: ignore[arg-type]
            )
        else:
            self.ui.info(
                f"batch {batch}: sent {self.sent}, refused {self.refused}, "
                f"remaining {self.remaining}"
            )
