"""The contract tests bite: deliberate mismatches between the YAML, the client and the mock fail.

Each fault is injected into an otherwise healthy setup and the same machinery the contract run
uses (schemathesis' engine with ``schemathesis.toml``, in-process against the mock's ASGI app;
the drift check of the generated client) must report it. The healthy setup, run through the
same helper, reports nothing, so a failure below is the fault's and not the helper's.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from schemathesis.engine import events, from_schema

from tests.contract import mock, spec
from vatanwa_mock import spec as mock_spec

BASE_URL = "http://testserver" + spec.base_path()
FAST_PHASES = ["examples", "coverage", "fuzzing"]

Rewrite = Callable[[int, Any], tuple[int, Any]]


class RewriteJson:
    """Wraps an ASGI app and rewrites the status and JSON body of every API response."""

    def __init__(self, app: Any, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(spec.base_path()):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, body = self.rewrite(start["status"], json.loads(b"".join(chunks)))
            payload = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(payload)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": payload})

        await self.app(scope, receive, capture)


def failures(
    app: Any, operation_ids: list[str], *, spec_path: Path = spec.SPEC_PATH, examples: int = 10
) -> list[tuple[str, Any]]:
    """Every failure schemathesis' engine finds running ``operation_ids`` on ``app``.

    Each is the failure's code and the body of the request that showed it.
    """
    schema = schemathesis.openapi.from_path(spec_path)
    schema.app = app
    schema.config.update(base_url=BASE_URL)
    schema.config.phases.update(phases=FAST_PHASES)
    schema.config.generation.update(max_examples=examples, deterministic=True)
    # `include(operation_id=...)` is OR-ed with the operation filters of schemathesis.toml.
    selected = schema.exclude(
        func=lambda ctx: ctx.operation.definition.raw.get("operationId") not in operation_ids
    )
    found = []
    for event in from_schema(selected).execute():
        if isinstance(event, events.FatalError):
            raise AssertionError(f"schemathesis could not run: {event}")
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                body = event.recorder.cases[case_id].value.body
                found += [(c.failure_info.failure.code, body) for c in checks if c.failure_info]
    return found


def failure_codes(app: Any, operation_ids: list[str]) -> set[str]:
    return {code for code, _ in failures(app, operation_ids)}


def rename_key(old: str, new: str) -> Rewrite:
    """A mock that answers ``new`` where the contract says ``old``, at any depth."""

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {(new if key == old else key): rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    return lambda status, body: (status, rename(body))


def teapot(status: int, body: Any) -> tuple[int, Any]:
    """A handler that answers an undocumented status (418) in the provider's envelope."""
    if status != 200:
        return status, body
    return 418, {"code": 418, "status": "error", "description": "I'm a teapot"}


def test_the_healthy_mock_has_no_failures() -> None:
    assert failure_codes(mock.FreshMock(), ["login_phone", "login_qr", "list_devices"]) == set()


def test_a_renamed_response_field_fails() -> None:
    # `regId` becoming `reg_id` is the slip the provider's own naming invites.
    codes = failure_codes(
        RewriteJson(mock.FreshMock(), rename_key("regId", "reg_id")), ["login_qr"]
    )
    assert "ST108" in codes  # the response does not conform to its schema


def test_an_undocumented_status_fails() -> None:
    codes = failure_codes(RewriteJson(mock.FreshMock(), teapot), ["list_devices"])
    assert "ST103" in codes  # the status is not documented for the operation


def _loosened(tmp_path: Path) -> tuple[Path, str, int]:
    """A copy of the YAML whose first ``maxLength`` among the component schemas is removed."""
    document = copy.deepcopy(spec.raw_spec())
    for name, schema in document["components"]["schemas"].items():
        if "maxLength" in schema:
            limit = schema.pop("maxLength")
            path = tmp_path / "vatanwa.yaml"
            path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
            return path, name, int(limit)
    raise AssertionError("the contract has no maxLength left to loosen")


@pytest.fixture
def loosened_mock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Any, int]]:
    """A mock built from the loosened copy of the YAML, as if it had not been regenerated."""
    path, _, limit = _loosened(tmp_path)
    monkeypatch.setattr(mock_spec, "CONTRACT_PATH", path)
    mock_spec.load_contract.cache_clear()
    try:
        yield path, mock.FreshMock(), limit
    finally:
        mock_spec.load_contract.cache_clear()


def test_a_loosened_constraint_fails_the_drift_check(tmp_path: Path) -> None:
    path, name, _ = _loosened(tmp_path)
    check = subprocess.run(
        [sys.executable, "-m", "scripts.generate_client", "--check", "--spec", str(path)],
        cwd=spec.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode != 0, f"the client did not drift after loosening {name}"
    assert "does not match" in check.stderr


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest_string(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return max((_longest_string(item) for item in value), default=0)
    return 0


def test_a_mock_built_from_a_loosened_constraint_fails(
    loosened_mock: tuple[Path, Any, int],
) -> None:
    _, app, limit = loosened_mock
    # The original YAML still says what the mock must refuse: the coverage phase sends a value
    # just past the limit, and the mock accepts it ("schema-violating request accepted").
    accepted = [body for code, body in failures(app, ["send_message"]) if code == "ST201"]
    assert any(_longest_string(body) > limit for body in accepted), accepted
