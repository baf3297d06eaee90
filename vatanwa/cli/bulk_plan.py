"""What a bulk send does with each row: the recipient, its message, or why it is skipped.

Planning is deterministic: the same file with the same options gives the same plan, row by
row, which is what lets an interrupted send resume from its journal.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .csvfile import Table
from .errors import UsageProblem
from .phones import normalise

SEND = "send"
INVALID = "invalid"
DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Planned:
    """One row of the file: ``outcome`` is ``send``, ``invalid`` or ``duplicate``."""

    row: int
    input: str
    number: str | None
    message: str | None
    outcome: str
    error: str | None = None


class _Columns(dict[str, str]):
    """Row values looked up case-insensitively (a template may say ``{Name}``)."""

    def __missing__(self, key: str) -> str:
        return self.get(key.lower(), "")


class Template:
    """The message of each row: ``--message`` filled from the row's columns, or its ``message``."""

    def __init__(self, template: str | None, columns: tuple[str, ...]) -> None:
        self.template = template
        if template is None:
            if "message" not in columns:
                raise UsageProblem(
                    "the file has no 'message' column: add one, or give --message "
                    '"Merhaba {name}" filled from the columns'
                )
            return
        try:
            fields = [
                name for _, name, _, _ in string.Formatter().parse(template) if name is not None
            ]
        except ValueError as exc:
            raise UsageProblem(
                f"--message is not a valid template ({exc}); write a literal brace as {{{{ or }}}}"
            ) from exc
        for name in fields:
            column = name.split(".")[0].split("[")[0].lower()
            if not column or column.isdigit():
                raise UsageProblem("--message may only name columns, as in {name}")
            if column not in columns:
                raise UsageProblem(
                    f"--message uses {{{name}}} but the file has no column {column!r} "
                    f"(its columns: {', '.join(columns)})"
                )

    def render(self, values: Mapping[str, str]) -> str:
        """The message of a row."""
        if self.template is None:
            return values.get("message", "")
        return self.template.format_map(_Columns(values))


def plan(table: Table, template: Template, region: str) -> Iterator[Planned]:
    """Each row of ``table`` with what to do with it, in file order.

    A row is ``invalid`` when its number is not a phone number of ``region`` (or an
    international one) or its message is empty, and a ``duplicate`` when an earlier valid row
    has the same number after normalisation.
    """
    first_row: dict[str, int] = {}
    for row, values in table.rows():
        raw = values["to"]
        recipient = normalise(raw, region)
        if recipient.number is None:
            yield Planned(row, raw, None, None, INVALID, recipient.error)
            continue
        if recipient.number in first_row:
            error = f"same number as row {first_row[recipient.number]}"
            yield Planned(row, raw, recipient.number, None, DUPLICATE, error)
            continue
        message = template.render(values)
        if not message.strip():
            yield Planned(row, raw, recipient.number, None, INVALID, "empty message")
            continue
        first_row[recipient.number] = row
        yield Planned(row, raw, recipient.number, message, SEND)
