"""What the proxy keeps of the exchanges it sees: the violations (printed, appended to
``--violations FILE``, listed by the control API), every exchange in ``--record DIR``, and the
counts of the summary.

Nothing here holds a secret. An exchange's credentials are kept only as their *owner*: the
``client-id`` and a salted HMAC of the ``client-secret`` (the salt is drawn at start and never
leaves the process). A pair is *accepted* once the upstream answered an exchange made with it
with anything but 401 or 403; the control API shows a caller only the exchanges of its own
client-id made with an accepted pair, and only when the caller presents an accepted pair.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sys
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from vatanwa_mock.proxy.contract import Problem

#: Violations kept in memory for the control API (the file keeps all of them).
KEEP_VIOLATIONS = 10_000
#: Statuses with which the upstream refuses credentials.
REFUSED = (401, 403)


@dataclass(frozen=True)
class Owner:
    """Who made an exchange: the client-id and a salted hash of the secret."""

    client_id: str
    secret_hash: str = field(repr=False)


@dataclass
class Exchange:
    """One exchange, already redacted (see :mod:`vatanwa_mock.proxy.redaction`)."""

    kind: str  # api or callback
    operation: str
    status: int
    request: dict[str, Any]
    response: dict[str, Any]
    problems: list[Problem]
    owner: Owner | None


class Recorder:
    """The proxy's memory and its files; safe to call from the event loop."""

    def __init__(
        self,
        *,
        violations_path: Path | None = None,
        record_dir: Path | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.violations_path = violations_path
        self.record_dir = record_dir
        self.out = out
        self._salt = secrets.token_bytes(32)
        self._accepted: dict[str, set[str]] = {}
        self._violations: deque[tuple[Owner | None, dict[str, Any]]] = deque(maxlen=KEEP_VIOLATIONS)
        self._exchanges: Counter[tuple[Owner | None, str]] = Counter()
        self._rules: Counter[tuple[Owner | None, str]] = Counter()
        self._sequence = 0
        self._lock = threading.Lock()
        if violations_path is not None:
            # Created at start, so that an empty file says "no violations" (and a path that
            # cannot be written fails now, not at the first violation).
            violations_path.parent.mkdir(parents=True, exist_ok=True)
            violations_path.touch()
        if record_dir is not None:
            record_dir.mkdir(parents=True, exist_ok=True)

    # -- credentials ---------------------------------------------------------------------

    def owner(self, client_id: str | None, client_secret: str | None) -> Owner | None:
        """The owner of credentials as presented, or None without both headers."""
        if not client_id or not client_secret:
            return None
        digest = hmac.new(self._salt, client_secret.encode("utf-8", "replace"), hashlib.sha256)
        return Owner(client_id, digest.hexdigest())

    def accept(self, owner: Owner | None, status: int) -> None:
        """Remember that the upstream accepted ``owner`` (any status but 401 and 403)."""
        if owner is not None and status not in REFUSED:
            with self._lock:
                self._accepted.setdefault(owner.client_id, set()).add(owner.secret_hash)

    def accepted(self, owner: Owner | None) -> bool:
        """Whether the upstream accepted this pair on an earlier exchange."""
        if owner is None:
            return False
        known = self._accepted.get(owner.client_id, set())
        return any(hmac.compare_digest(owner.secret_hash, seen) for seen in known)

    # -- exchanges -----------------------------------------------------------------------

    def record(self, exchange: Exchange) -> str:
        """Count, keep, write and print ``exchange``; return its id."""
        now = datetime.now(UTC)
        with self._lock:
            self._sequence += 1
            exchange_id = f"{now:%Y%m%dT%H%M%S%fZ}-{self._sequence:06d}-{exchange.operation}"
            self._exchanges[(exchange.owner, exchange.operation)] += 1
            for problem in exchange.problems:
                self._rules[(exchange.owner, problem.rule)] += 1
        time = now.isoformat().replace("+00:00", "Z")
        if self.record_dir is not None:
            document = {
                "id": exchange_id,
                "time": time,
                "kind": exchange.kind,
                "operation": exchange.operation,
                "status": exchange.status,
                "request": exchange.request,
                "response": exchange.response,
                "violations": [p.as_dict() for p in exchange.problems],
            }
            path = self.record_dir / f"{exchange_id}.json"
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        for problem in exchange.problems:
            violation = {
                "exchange": exchange_id,
                "time": time,
                "kind": exchange.kind,
                "operation": exchange.operation,
                **problem.as_dict(),
                "status": exchange.status,
                "request": exchange.request,
                "response": exchange.response,
            }
            with self._lock:
                self._violations.append((exchange.owner, violation))
                if self.violations_path is not None:
                    with self.violations_path.open("a", encoding="utf-8") as file:
                        file.write(json.dumps(violation, ensure_ascii=False) + "\n")
            self._print(
                f"violation: {exchange.operation} {problem.side} (status {exchange.status}) "
                f"{problem.location} {problem.pointer or '/'} [{problem.rule}] {problem.message}"
            )
        return exchange_id

    def _print(self, line: str) -> None:
        print(line, file=self.out or sys.stdout, flush=True)

    def _visible(self, owner: Owner | None, caller: Owner) -> bool:
        return owner is not None and owner.client_id == caller.client_id and self.accepted(owner)

    def violations(
        self,
        caller: Owner,
        *,
        operation: str | None = None,
        side: str | None = None,
        rule: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """The caller's violations, oldest first, filtered."""
        found = [
            violation
            for owner, violation in list(self._violations)
            if self._visible(owner, caller)
            and (operation is None or violation["operation"] == operation)
            and (side is None or violation["side"] == side)
            and (rule is None or violation["rule"] == rule)
        ]
        return found[-limit:]

    def summary(self, caller: Owner | None = None) -> dict[str, Any]:
        """Exchanges per operation and violations per rule (the caller's, or everyone's)."""

        def mine(owner: Owner | None) -> bool:
            return caller is None or self._visible(owner, caller)

        exchanges: Counter[str] = Counter()
        rules: Counter[str] = Counter()
        for (owner, operation), count in list(self._exchanges.items()):
            if mine(owner):
                exchanges[operation] += count
        for (owner, rule), count in list(self._rules.items()):
            if mine(owner):
                rules[rule] += count
        return {
            "exchanges": sum(exchanges.values()),
            "violations": sum(rules.values()),
            "exchanges_per_operation": dict(sorted(exchanges.items())),
            "violations_per_rule": dict(sorted(rules.items())),
        }

    def summary_text(self) -> str:
        """The summary printed when the proxy stops."""
        summary = self.summary()
        lines = [
            f"proxy summary: {summary['exchanges']} exchanges, {summary['violations']} violations"
        ]
        lines += _counts("exchanges per operation", summary["exchanges_per_operation"].items())
        lines += _counts("violations per rule", summary["violations_per_rule"].items())
        if self.violations_path is not None and summary["violations"]:
            lines.append(f"  violations written to {self.violations_path} (redacted)")
        return "\n".join(lines)


def _counts(title: str, items: Iterable[tuple[str, int]]) -> list[str]:
    rows = [f"    {name}: {count}" for name, count in items]
    return [f"  {title}:", *rows] if rows else [f"  {title}: none"]
