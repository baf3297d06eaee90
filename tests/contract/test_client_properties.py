"""The generated client against bodies generated from the contract's own schemas.

For every operation and every documented status, JSON bodies drawn from the response schema in
the YAML are answered to the generated client (``vatanwa_client``) by an in-memory transport:
the client must parse each one into the model the YAML names, and that model must serialise
back to the same JSON (date-times compared as instants). The request the client sends on the
way must go to the operation's path, with the YAML's example as its JSON body.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from vatanwa_client import Client

from tests.contract import budget, spec

RESPONSES = list(spec.documented_responses())


def _request_body(op: spec.Operation) -> dict[str, Any]:
    """The body the client sends while the response is under test: the YAML's example."""
    if spec.JSON not in op.request_media_types:
        return {}
    model = op.client_body_class(spec.JSON).from_dict(op.request_example(spec.JSON))
    return {"body": model}


def _validate_request(op: spec.Operation, request: httpx.Request) -> None:
    assert request.url.path == spec.base_path() + op.path
    assert request.method == op.method.upper()
    if op.request_media_types:
        assert request.headers["content-type"] == spec.JSON
        # The example went out as the YAML wrote it.
        assert json.loads(request.content) == op.request_example(spec.JSON)


@pytest.mark.parametrize(
    ("op", "status"), RESPONSES, ids=[f"{op.operation_id}-{status}" for op, status in RESPONSES]
)
def test_client_parses_every_documented_response(op: spec.Operation, status: int) -> None:
    schema = op.response_schema(status)
    model_name = schema["$ref"].rsplit("/", 1)[1]
    # Imported outside the property, so a module that cannot load fails once, not per example.
    module = op.client_module()
    kwargs = _request_body(op)

    @budget.hypothesis_settings(25)
    @given(body=spec.response_bodies(op, status))
    def round_trip(body: Any) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            _validate_request(op, request)
            return httpx.Response(status, json=body)

        client = Client(
            base_url="http://contract.invalid" + spec.base_path(),
            httpx_args={"transport": httpx.MockTransport(answer)},
            raise_on_unexpected_status=True,
        )
        with client:
            response = module.sync_detailed(client=client, **kwargs)
        assert response.status_code == status
        parsed = response.parsed
        assert parsed is not None
        assert type(parsed).__name__ == model_name
        back = json.loads(json.dumps(parsed.to_dict()))
        assert spec.with_instants(back, schema) == spec.with_instants(body, schema)

    round_trip()


def test_every_operation_and_status_is_covered() -> None:
    """Each documented response of each operation has a JSON body and is in the run above."""
    documented = {(op.operation_id, status) for op in spec.operations() for status in op.statuses}
    assert documented == {(op.operation_id, status) for op, status in RESPONSES}
