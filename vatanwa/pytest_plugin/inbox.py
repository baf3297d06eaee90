"""``vatanwa_mock``: one test's tenant on the session's twin, and what it sent.

Every test gets a tenant of its own, made for it, so it starts with no devices, messages,
reports or chaos and never sees another test's: nothing needs a reset. The messages are the
control API's ``CapturedMessage`` objects (see ``openapi/mock-control.yaml``), as dicts.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from vatanwa.pytest_plugin.twin import Tenant, Twin

Message = dict[str, Any]

#: Filters the control API applies itself; any other field of a message is compared here.
SERVER_FILTERS = ("to", "reg_id", "report_id", "status")
#: How often a wait looks again.
POLL_SECONDS = 0.02


def _digits(number: str) -> str:
    return number.strip().lstrip("+")


def describe(messages: list[Message]) -> str:
    """What a tenant sent, one line a message, for a failure's text."""
    if not messages:
        return "The test's tenant sent no messages at all."
    lines = [f"The test's tenant sent {len(messages)} message(s):"]
    for m in messages:
        text = m["message"] if len(m["message"]) <= 60 else m["message"][:57] + "..."
        extra = f", report_id {m['report_id']}" if m["report_id"] is not None else ""
        error = f" ({m['error']})" if m.get("error") else ""
        attachment = f", attachment {m['attachment']['filename']}" if m.get("attachment") else ""
        lines.append(
            f"  - to {m['to']} [{m['status']}{error}] {text!r} "
            f"(reg_id {m['reg_id']}{extra}{attachment})"
        )
    return "\n".join(lines)


class VatanwaMock:
    """The test's tenant on the twin: URLs, credentials, what it sent, and controls.

    ``base_url`` is the mocked API (``http://127.0.0.1:<port>/api/whatsapp/v1``), ``control_url``
    the twin's control API (``.../_mock``); ``client_id`` and ``client_secret`` are the test's
    own credentials for both.
    """

    def __init__(self, twin: Twin, tenant: Tenant) -> None:
        self.root_url = twin.root_url
        self.base_url = twin.base_url
        self.control_url = twin.control_url
        self.client_id = tenant.client_id
        self.client_secret = tenant.client_secret
        #: An httpx client of the control API, authenticated as the test's tenant.
        self.control = httpx.Client(base_url=self.control_url, headers=tenant.headers, timeout=30.0)

    def __repr__(self) -> str:
        return f"VatanwaMock(base_url={self.base_url!r}, client_id={self.client_id!r})"

    @property
    def headers(self) -> dict[str, str]:
        """The ``client-id`` and ``client-secret`` headers of the test's tenant."""
        return {"client-id": self.client_id, "client-secret": self.client_secret}

    def close(self) -> None:
        """Close the control API's connections."""
        self.control.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.control.request(method, path, **kwargs)
        if answer.status_code >= 400:
            try:
                description = answer.json()["description"]
            except (ValueError, KeyError, TypeError):
                description = answer.text[:300]
            pytest.fail(
                f"the twin refused {method} {CONTROL_PATH_TEXT}{path}: HTTP {answer.status_code}: "
                f"{description}",
                pytrace=False,
            )
        return answer.json()

    def messages(self, **filters: Any) -> list[Message]:
        """The tenant's messages, oldest first, one per recipient, matching every filter.

        ``to`` (with or without ``+``), ``reg_id``, ``report_id`` and ``status`` (``queued``,
        ``sent``, ``failed``) are applied by the twin; any other field of a message
        (``message``, ``send_speed``, ``error``...) is compared for equality.
        """
        params = {k: v for k, v in filters.items() if k in SERVER_FILTERS and v is not None}
        if "to" in params:
            params["to"] = _digits(str(params["to"]))
        found: list[Message] = self._call("GET", "/messages", params=params)
        local = {k: v for k, v in filters.items() if k not in SERVER_FILTERS}
        if found and local:
            unknown = sorted(set(local) - set(found[0]))
            if unknown:
                raise TypeError(f"messages() has no filter {', '.join(unknown)}")
        return [m for m in found if all(m[k] == v for k, v in local.items())]

    def wait_for_message(
        self,
        to: str | None = None,
        status: str | None = "sent",
        timeout: float = 5.0,
        **filters: Any,
    ) -> Message:
        """Wait until a message to ``to`` (any recipient when None) has ``status`` and return it.

        ``status`` is ``sent`` by default; ``failed``, ``queued``, or None for any. Other
        filters are those of :meth:`messages`. After ``timeout`` seconds the test fails with
        the list of what the tenant did send.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to=to, status=status, **filters)
            if found:
                return found[0]
            if time.monotonic() >= deadline:
                wanted = ", ".join(
                    f"{k}={v!r}"
                    for k, v in {"to": to, "status": status, **filters}.items()
                    if v is not None
                )
                pytest.fail(
                    f"No message with {wanted or 'any content'} within {timeout:g} s.\n"
                    + describe(self.messages()),
                    pytrace=False,
                )
            time.sleep(POLL_SECONDS)

    def pair(self, reg_id: str, **device: str) -> dict[str, Any]:
        """Pair the pending login ``reg_id`` now, as the phone would (``device_number``,
        ``platform`` and ``user_name`` optionally set what WhatsApp reports)."""
        result: dict[str, Any] = self._call("POST", f"/logins/{reg_id}/pair", json=device or None)
        return result

    def set_chaos(self, **chaos: Any) -> dict[str, Any]:
        """Inject failures into the tenant's calls of the mocked API (``PUT /_mock/chaos``):
        ``error_rate``, ``rate_limit_rate``, ``latency_ms``, ``retry_after``, ``seed``."""
        result: dict[str, Any] = self._call("PUT", "/chaos", json=chaos)
        return result

    def clear_chaos(self) -> None:
        """Stop injecting failures."""
        self._call("PUT", "/chaos", json={})

    def set_callback_url(self, url: str | None) -> None:
        """Where the tenant's delivery reports go (``PUT /_mock/callback``); None: nowhere."""
        self._call("PUT", "/callback", json={"url": url})

    def deliveries(self, **filters: Any) -> list[dict[str, Any]]:
        """The tenant's delivery reports and their attempts (``status``, ``report_id``)."""
        result: list[dict[str, Any]] = self._call(
            "GET", "/deliveries", params={k: v for k, v in filters.items() if v is not None}
        )
        return result


CONTROL_PATH_TEXT = "/_mock"
