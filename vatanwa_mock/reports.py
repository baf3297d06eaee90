"""Delivery-report bodies, built from the contract's ``DeliveryReport`` schema.

The mock does not import the SDK it exists to test: the fields of a report are the properties
the contract declares, in its order, and every body is checked against the same schema before
it is stored, so a contract that gains a field the mock cannot fill fails at start, not in a
user's receiver.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

from vatanwa_mock.schemas import compile_schema
from vatanwa_mock.store.models import ReportFacts

#: The provider's zone: Istanbul has kept UTC+03 all year since 2016 and has no abbreviation
#: of its own, so Go prints it as ``+0300 +03`` (the provider's example does).
PROVIDER_ZONE = timezone(timedelta(hours=3), "+03")
#: The report's ``status`` for each final state of a message (the schema's enum).
STATUS_CODES = {"sent": "1", "failed": "2"}


def go_time(at: float) -> str:
    """``at`` in Go's ``time.Time`` format in the provider's zone, to the second."""
    moment = datetime.fromtimestamp(int(at), PROVIDER_ZONE)
    return f"{moment.year:04d}-{moment:%m-%d %H:%M:%S} +0300 +03"


class ReportBuilder:
    """Builds the body of a finished message's report for the contract's ``schema``."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.fields = tuple(schema.get("properties", {}))
        self._validator = compile_schema(schema)
        known = {"callback_data", "status", "phone", "content", "send_time"}
        if missing := set(schema.get("required", ())) - known:
            raise ValueError(f"the contract's DeliveryReport requires {sorted(missing)}")
        allowed = set(schema["properties"]["status"].get("enum", STATUS_CODES.values()))
        if not set(STATUS_CODES.values()) <= allowed:
            raise ValueError("the contract's DeliveryReport status codes changed")

    def __call__(self, facts: ReportFacts) -> str:
        """The compact JSON text of the report of a finished message."""
        if facts.status not in STATUS_CODES:
            raise ValueError("only a finished message has a delivery report")
        values = {
            "callback_data": str(facts.report_id),
            "status": STATUS_CODES[facts.status],
            "phone": facts.recipient,
            "content": facts.content,
            "send_time": go_time(facts.at),
        }
        report = {name: values[name] for name in self.fields if name in values}
        error = self._validator.first_error(report)
        if error is not None:
            raise ValueError(f"the delivery report breaks the contract: {error}")
        return json.dumps(report, ensure_ascii=False, separators=(",", ":"))


@cache
def contract_report_body() -> ReportBuilder:
    """The builder for the contract the mock serves (loaded once)."""
    from vatanwa_mock.spec import load_contract

    return ReportBuilder(load_contract().resolved["components"]["schemas"]["DeliveryReport"])
