"""The store's own exceptions: what a caller may catch when a change is refused.

    StoreError
    |-- NotFound     the record does not exist for this tenant
    `-- Conflict     the change is not allowed in the record's current state

``NotFound`` is also a :class:`KeyError` and ``Conflict`` a :class:`ValueError`, so code
written against the store's first interface keeps working.
"""

from __future__ import annotations


class StoreError(Exception):
    """A change the store refused."""


class NotFound(StoreError, KeyError):
    """The record does not exist (for this tenant)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class Conflict(StoreError, ValueError):
    """The change is not allowed in the record's current state."""
