"""The journal of a bulk send: what went out, so that a run started again sends nothing twice.

It is a JSON Lines file next to the results (``<results>.journal``), appended to and flushed to
disk (``fsync``) at three moments:

1. once, when the send starts: which file is sent from which device (``run``);
2. before each batch's request: its number and its rows with their numbers (``begin``);
3. after the answer: ``sent`` (the service accepted it), ``refused`` (an error status that
   means it was not sent), ``unsent`` (no connection could be made) or ``unknown`` (``end``).

Read back, a row is *done* once a batch holding it ended ``sent``, and *in doubt* when its last
batch ended ``unknown`` or never ended: the request may have reached the service while its
answer was lost (the process was killed, the connection dropped, the service answered 5xx or
not in time). The service offers no way to ask what it accepted, so a row in doubt is never
sent again on its own: it is reported as ``unknown``, and ``--resend-unknown`` sends it once
more on purpose. Rows of ``refused`` or ``unsent`` batches, and rows never begun, are sent by
the next run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

VERSION = 1
DONE = "sent"
IN_DOUBT = "unknown"


def journal_path(results: Path) -> Path:
    """Where the journal of a send writing ``results`` lives."""
    return results.with_name(results.name + ".journal")


@dataclass
class JournalState:
    """What a journal says about each row: its number, and ``sent``, ``unknown`` or ``retry``."""

    run: dict[str, Any] | None = None
    numbers: dict[int, str] = field(default_factory=dict)
    states: dict[int, str] = field(default_factory=dict)
    batches: int = 0


def read_journal(path: Path) -> JournalState:
    """Read the journal at ``path`` (an empty state when there is none)."""
    state = JournalState()
    if not path.exists():
        return state
    open_batches: dict[int, list[int]] = {}
    with path.open(encoding="utf-8") as file:
        for line in file:
            try:
                entry = json.loads(line)
            except ValueError:
                # A write cut short by a crash. A cut ``begin`` was never followed by its
                # request (the request waits for the fsync), and a cut ``end`` leaves its batch
                # in doubt: skipping the line is safe either way.
                continue
            kind = entry.get("type")
            if kind == "run":
                state.run = entry
            elif kind == "begin":
                batch = int(entry["batch"])
                state.batches = max(state.batches, batch)
                rows = [int(row) for row, _ in entry["rows"]]
                for row, phone in entry["rows"]:
                    state.numbers[int(row)] = str(phone)
                    state.states[int(row)] = IN_DOUBT
                open_batches[batch] = rows
            elif kind == "end":
                outcome = str(entry["outcome"])
                for row in open_batches.pop(int(entry["batch"]), []):
                    state.states[row] = (
                        DONE if outcome == DONE else IN_DOUBT if outcome == IN_DOUBT else "retry"
                    )
    return state


class Journal:
    """The journal being written by a running send."""

    def __init__(self, path: Path, state: JournalState) -> None:
        self.path = path
        self.next_batch = state.batches + 1
        self._file: IO[bytes] | None = None

    def _write(self, entry: dict[str, Any]) -> None:
        if self._file is None:
            self._file = self.path.open("ab")
            if self._file.tell() > 0 and _last_byte(self.path) != b"\n":
                self._file.write(b"\n")  # don't glue the next entry to a line cut short
        self._file.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def start(self, run: dict[str, Any]) -> None:
        """Record what this send is (once per journal)."""
        self._write({"type": "run", "version": VERSION, **run})

    def begin(self, rows: Sequence[tuple[int, str]]) -> int:
        """Record a batch about to be sent; returns its number."""
        batch = self.next_batch
        self.next_batch += 1
        self._write({"type": "begin", "batch": batch, "rows": [list(row) for row in rows]})
        return batch

    def end(self, batch: int, outcome: str, error: str | None = None) -> None:
        """Record how the batch ended: ``sent``, ``refused``, ``unsent`` or ``unknown``."""
        self._write({"type": "end", "batch": batch, "outcome": outcome, "error": error})

    def close(self) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as file:
        file.seek(-1, os.SEEK_END)
        return file.read(1)
