"""Reading a recipients file: UTF-8 with or without a BOM, ``,`` or ``;`` separated.

Excel in Turkey saves "CSV" with ``;`` (the decimal separator there is ``,``) and "CSV UTF-8"
with a byte-order mark. The separator is read from the header line. Rows are streamed one by
one, so a file of any length is never held in memory.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .errors import UsageProblem

SEPARATORS = (",", ";")


@dataclass(frozen=True)
class Table:
    """A recipients file: its separator and columns (names in lower case, stripped)."""

    path: Path
    separator: str
    columns: tuple[str, ...]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row with its number (1 is the first row after the header).

        Values are stripped; missing cells are empty; cells beyond the header are ignored.
        """
        with _open(self.path) as file:
            reader = csv.reader(file, delimiter=self.separator)
            try:
                next(reader, None)
                for number, cells in enumerate(_decoded(reader, self.path), 1):
                    if not any(cell.strip() for cell in cells):
                        continue  # a blank line, as spreadsheets leave at the end
                    values = [cell.strip() for cell in cells[: len(self.columns)]]
                    values += [""] * (len(self.columns) - len(values))
                    yield number, dict(zip(self.columns, values, strict=True))
            except csv.Error as exc:
                raise UsageProblem(f"{self.path}: not a CSV file: {exc}") from exc


def _decoded(reader: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise UsageProblem(
                f'{path} is not UTF-8 text: save it as "CSV UTF-8" ({exc.reason})'
            ) from exc
        yield cells


@contextlib.contextmanager
def _open(path: Path) -> Iterator[TextIO]:
    try:
        # utf-8-sig reads a file with or without the byte-order mark.
        file = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror}") from exc
    with file:
        yield file


def open_table(path: Path) -> Table:
    """Read the header of ``path`` and choose the separator."""
    with _open(path) as file:
        try:
            header_line = file.readline()
        except UnicodeDecodeError as exc:
            raise UsageProblem(
                f'{path} is not UTF-8 text: save it as "CSV UTF-8" ({exc.reason})'
            ) from exc
    if not header_line.strip():
        raise UsageProblem(f"{path} is empty: its first line must name the columns (to, ...)")
    separator = max(SEPARATORS, key=header_line.count)
    header = next(csv.reader([header_line], delimiter=separator))
    columns = tuple(name.strip().lower() for name in header)
    if "to" not in columns:
        raise UsageProblem(
            f"{path} has no 'to' column (its columns: {', '.join(columns)}; "
            f"separator {separator!r})"
        )
    duplicated = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicated:
        raise UsageProblem(f"{path} names the column(s) {', '.join(duplicated)} twice")
    return Table(path=path, separator=separator, columns=columns)
