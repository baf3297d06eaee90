"""The inspector: a web UI at ``/_mock/ui/`` that shows what an integration sent to the twin.

Server-rendered pages (Jinja2, everything escaped) with htmx and its SSE extension, vendored
in ``static/vendor/``, swapping in the parts that changed when ``/_mock/ui/events`` says so.
"""

from vatanwa_mock.ui.app import UiMiddleware

__all__ = ["UiMiddleware"]
