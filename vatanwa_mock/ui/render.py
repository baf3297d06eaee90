"""The inspector's templates (Jinja2, every value escaped) and the filters they use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from vatanwa_mock.ui.security import PAGE_HEADERS

#: Attachment types previewed as an image; anything else (HTML, SVG, PDF...) is only a download.
RASTER_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_env = Environment(
    loader=PackageLoader("vatanwa_mock.ui", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def when(seconds: float | None, countdown: bool = False) -> Markup:
    """A ``<time>`` in UTC; the page's script shows it in the viewer's zone (UTC on hover)."""
    if seconds is None:
        return Markup("<span class='muted'>–</span>")
    utc = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    kind = "countdown" if countdown else "local"
    return Markup('<time datetime="{}" title="{}" data-time="{}">{}</time>').format(
        _iso(seconds), utc, kind, utc
    )


def size(value: int) -> str:
    """A byte count for people: ``1.2 MB``."""
    amount = float(value)
    for unit in ("B", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{value} B"


def pretty_json(value: Any) -> str:
    """JSON as posted, indented and with its characters as sent (escaped by the template)."""
    return json.dumps(value, ensure_ascii=False, indent=2)


_env.filters.update(when=when, size=size, pretty_json=pretty_json, fromjson=json.loads)
_env.globals.update(RASTER_TYPES=RASTER_TYPES)


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` rendered with ``context``, with the pages' security headers."""
    html = _env.get_template(name).render(**context)
    headers = {**PAGE_HEADERS, "cache-control": "no-store"}
    return HTMLResponse(html, status_code=status_code, headers=headers)
