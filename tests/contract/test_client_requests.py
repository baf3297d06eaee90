"""Request bodies generated from the contract's request schemas, sent through the generated client.

Each body is drawn by schemathesis from the operation's request schema in the YAML (JSON and
multipart alike), turned into the generated model with ``from_dict`` and sent by the generated
client to ``python -m vatanwa_mock`` over HTTP. The mock must accept it: never 422 (the body
conforms) and never a status the operation does not document, and the answer must reach the
caller parsed. With the ``reg_id`` of a device that is logged in, the send and device
operations must answer 200.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vatanwa_client import Client
from vatanwa_client.api.login import login_check, login_qr
from vatanwa_client.models import LoginQrResponse, RegIdNumberRequest
from vatanwa_client.types import File

from tests.contract import budget, spec

BODIES = [(op, media) for op in spec.operations() for media in op.request_media_types]


def connect(api: Client) -> str:
    """Log a device in (QR login, then wait for it to pair) and return its ``regId``."""
    started = login_qr.sync(client=api)
    assert isinstance(started, LoginQrResponse), started
    checked = login_check.sync_detailed(
        client=api, body=RegIdNumberRequest(reg_id=started.data.reg_id)
    )
    assert checked.status_code == 200, checked.content
    return started.data.reg_id


def _attachment_types(op: spec.Operation) -> list[str]:
    """The media types the multipart encoding accepts for the attachment."""
    encoding = spec.resolve(op.definition["requestBody"])["content"][spec.MULTIPART]["encoding"]
    return [part.strip() for part in encoding["attachment"]["contentType"].split(",")]


def _model(op: spec.Operation, media: str, body: dict[str, Any], mime: str | None) -> Any:
    """The generated model of ``body``; a drawn attachment gets a type the encoding accepts."""
    content = body.get("attachment")
    if content is not None:
        body = {**body, "attachment": bytes(getattr(content, "data", content))}
    model = op.client_body_class(media).from_dict(body)
    if isinstance(getattr(model, "attachment", None), File):
        # A file part carries a name, as every HTTP client sends one (the mock insists on it).
        model.attachment = File(
            payload=BytesIO(body["attachment"]), file_name="attachment", mime_type=mime
        )
    return model


def _with_reg_id(body: dict[str, Any], reg_id: str) -> dict[str, Any]:
    """``body`` naming the device ``reg_id``, in the form (number or string) it was drawn in."""
    drawn = body["reg_id"]
    return {**body, "reg_id": int(reg_id) if isinstance(drawn, int) else reg_id}


def _drawn(op: spec.Operation, media: str) -> st.SearchStrategy[dict[str, Any]]:
    return spec.request_cases(op, media).map(lambda case: case.body)


def _send(api: Client, op: spec.Operation, model: Any) -> Any:
    response = op.client_module().sync_detailed(client=api, body=model)
    assert response.status_code in op.statuses, response.content
    assert response.status_code != 422, response.content
    assert response.parsed is not None, response.content
    if response.status_code != 200:
        # An error envelope reaches the caller as the mock sent it.
        assert response.parsed.to_dict() == json.loads(response.content)
        assert response.parsed.code == response.status_code
    return response


@pytest.mark.parametrize(("op", "media"), BODIES, ids=[f"{o.operation_id}-{m}" for o, m in BODIES])
def test_generated_bodies_are_accepted(api: Client, op: spec.Operation, media: str) -> None:
    mimes = _attachment_types(op) if media == spec.MULTIPART else [None]

    @budget.hypothesis_settings(15)
    @given(body=_drawn(op, media), mime=st.sampled_from(mimes))
    def accepted(body: dict[str, Any], mime: str | None) -> None:
        _send(api, op, _model(op, media, body, mime))

    accepted()


WITH_REG_ID = [(op, media) for op, media in BODIES if op.has_reg_id]


@pytest.mark.parametrize(
    ("op", "media"), WITH_REG_ID, ids=[f"{o.operation_id}-{m}" for o, m in WITH_REG_ID]
)
def test_generated_bodies_from_a_logged_in_device_succeed(
    api: Client, op: spec.Operation, media: str
) -> None:
    mimes = _attachment_types(op) if media == spec.MULTIPART else [None]
    device = {"reg_id": connect(api)}

    @budget.hypothesis_settings(8)
    @given(body=_drawn(op, media), mime=st.sampled_from(mimes))
    def succeeds(body: dict[str, Any], mime: str | None) -> None:
        if op.operation_id == "logout":
            device["reg_id"] = connect(api)  # each logout needs a device still logged in
        sent = _with_reg_id(body, device["reg_id"])
        response = _send(api, op, _model(op, media, sent, mime))
        assert response.status_code == 200, response.content

    succeeds()
