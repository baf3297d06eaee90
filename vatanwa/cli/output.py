"""What the command line prints: data on stdout, messages and errors on stderr.

Human output uses Rich on a terminal; when stdout is not a terminal, or ``NO_COLOR`` is set,
the same data is printed as plain text (tab-separated tables, ``name: value`` lines). With
``--json`` stdout carries only JSON (one document, or JSON Lines for commands that report as
they go) and nothing is written to stderr except errors. Every line passes through
:meth:`Ui.redact`, so the client secret cannot reach the screen by accident.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

REDACTED = "***"


class Ui:
    """The output of one command run."""

    def __init__(self, *, json_mode: bool, verbose: bool, secret: str | None = None) -> None:
        self.json_mode = json_mode
        self.verbose = verbose
        self._secret = secret or None
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    @property
    def rich(self) -> bool:
        """Whether human output is drawn with Rich (a terminal, no ``NO_COLOR``, no ``--json``)."""
        return not self.json_mode and self.out.is_terminal and not os.environ.get("NO_COLOR")

    @property
    def rich_stderr(self) -> bool:
        """Whether stderr gets Rich's live displays (progress bars)."""
        return not self.json_mode and self.err.is_terminal and not os.environ.get("NO_COLOR")

    def redact(self, text: str) -> str:
        """``text`` with the client secret replaced by ``***``."""
        return text.replace(self._secret, REDACTED) if self._secret else text

    # stdout

    def line(self, text: str = "") -> None:
        """One plain line on stdout."""
        sys.stdout.write(self.redact(text) + "\n")
        sys.stdout.flush()

    def json(self, document: Any) -> None:
        """One JSON document on one line of stdout (a JSON Lines record)."""
        self.line(json.dumps(document, ensure_ascii=False, default=str))

    def fields(self, values: Mapping[str, Any], *, title: str | None = None) -> None:
        """A record as ``name: value`` lines (a two-column grid on a terminal)."""
        if self.rich:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for name, value in values.items():
                grid.add_row(name, Text(self.redact(_text(value))))
            if title:
                self.out.print(Text(title, style="bold green"))
            self.out.print(grid)
            return
        if title:
            self.line(title)
        for name, value in values.items():
            self.line(f"{name}: {_text(value)}")

    def table(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Rows under a header: a Rich table on a terminal, tab-separated text otherwise."""
        if self.rich:
            table = Table(*columns, header_style="bold")
            for row in rows:
                table.add_row(*(Text(self.redact(_text(value))) for value in row))
            self.out.print(table)
            return
        self.line("\t".join(columns))
        for row in rows:
            self.line("\t".join(_text(value) for value in row))

    # stderr

    def info(self, text: str, *, style: str | None = None) -> None:
        """A message for the person at the terminal (stderr; silent with ``--json``)."""
        if self.json_mode:
            return
        if self.rich_stderr:
            self.err.print(Text(self.redact(text), style=style or ""))
        else:
            sys.stderr.write(self.redact(text) + "\n")
            sys.stderr.flush()

    def debug(self, text: str) -> None:
        """A ``--verbose`` message on stderr."""
        if self.verbose:
            sys.stderr.write("vatanwa: " + self.redact(text) + "\n")
            sys.stderr.flush()

    def error(self, text: str) -> None:
        """The one line of an error, on stderr."""
        one_line = " ".join(self.redact(text).split())
        sys.stderr.write(f"vatanwa: error: {one_line}\n")
        sys.stderr.flush()


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
