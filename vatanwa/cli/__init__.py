"""The ``vatanwa`` command line: log in, send, send in bulk, receive delivery reports.

Installed with the SDK as the ``vatanwa`` console script (``python -m vatanwa.cli`` too). It
is built on the SDK's :class:`vatanwa.Vatanwa`; ``import vatanwa`` never imports this package,
so programs that use only the SDK do not load Typer and Rich.
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
