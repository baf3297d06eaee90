"""Tenants created at run time: fresh credentials, their own empty state, only from a tenant
configured at start, kept across a restart with ``--db``, and their reports signed with their
own credentials."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx

from tests.delivery.receiver import Receiver
from tests.delivery.support import FAST as DELIVERY_FAST
from tests.delivery.support import (
    GOOD,
    all_delivered,
    clients,
    connected_device,
    received_keys,
    send,
)
from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock
from tests.support.tenants import OTHER_ID, OTHER_SECRET
from tests.vatanwa_mock.support import control_client, raw_client
from vatanwa_mock.config import Credentials
from vatanwa_mock.store import Store
from vatanwa_mock.tenants import RUNTIME_ID_PREFIX, Tenants


def create(server: MockServer, client_id: str, client_secret: str) -> tuple[str, str]:
    with control_client(server, client_id, client_secret) as control:
        answer = control.post("/tenants")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return body["client_id"], body["client_secret"]


def test_a_configured_tenant_creates_isolated_tenants_with_fresh_credentials(
    server: MockServer,
) -> None:
    first = create(server, OTHER_ID, OTHER_SECRET)
    second = create(server, OTHER_ID, OTHER_SECRET)
    assert first[0].startswith(RUNTIME_ID_PREFIX)
    assert first[0] != second[0]
    assert first[1] != second[1]
    assert len(first[1]) >= 32

    with control_client(server, *first) as control, raw_client(server) as api:
        assert control.get("/messages").json() == []
        headers = {"client-id": first[0], "client-secret": first[1]}
        login = api.post("/login/qr", headers=headers)
        assert login.status_code == 200, login.text
        reg_id = login.json()["data"]["regId"]
        assert control.post(f"/logins/{reg_id}/pair").status_code == 200
        devices = api.get("/devices", headers=headers).json()["data"]
        assert [d["reg_id"] for d in devices] == [reg_id]
        wrong = {**headers, "client-secret": second[1]}
        assert api.get("/devices", headers=wrong).status_code == 401

    with control_client(server, *second) as other, raw_client(server) as api:
        assert other.post(f"/logins/{reg_id}/pair").status_code == 404
        other_headers = {"client-id": second[0], "client-secret": second[1]}
        assert api.get("/devices", headers=other_headers).json()["data"] == []


def test_only_a_configured_tenant_may_create_tenants(server: MockServer) -> None:
    created = create(server, OTHER_ID, OTHER_SECRET)
    with control_client(server, *created) as control:
        refused = control.post("/tenants")
    assert refused.status_code == 403
    assert refused.json()["status"] == "error"
    assert "--client-id" in refused.json()["description"]
    assert httpx.post(server.root_url + "/_mock/tenants").status_code == 401


def test_created_tenants_survive_a_restart_with_db(tmp_path: Path) -> None:
    args = ("--db", str(tmp_path / "state.sqlite3"), "--validate-responses")
    with run_mock(*args, tmp_path=tmp_path) as first:
        created = create(first, "vatanwa-local-id", "vatanwa-local-secret")
    with run_mock(*args, tmp_path=tmp_path) as second, control_client(second, *created) as c:
        assert c.get("/messages").status_code == 200
    with (
        run_mock("--validate-responses", tmp_path=tmp_path) as memory,
        control_client(memory, *created) as control,
    ):
        assert control.get("/messages").status_code == 401


def test_a_created_tenants_reports_carry_its_own_credentials(tmp_path: Path) -> None:
    receiver = Receiver().start()
    try:
        with run_mock(*DELIVERY_FAST, tmp_path=tmp_path) as server:
            client_id, secret = create(server, "vatanwa-local-id", "vatanwa-local-secret")
            with clients(server, client_id, secret) as (api, control):
                assert control.put("/callback", json={"url": receiver.url}).status_code == 200
                reg_id = connected_device(api, control)
                send(api, reg_id, [GOOD], report_id=5)
                eventually(lambda: all_delivered(control, 1), what="the report")
        (received,) = receiver.accepted()
        assert received.headers["client-id"] == client_id
        assert received_keys([received], client_id, secret) == Counter({("5", GOOD, "1"): 1})
    finally:
        receiver.stop()


def test_authentication_compares_configured_and_created_pairs() -> None:
    store = Store()
    tenants = Tenants([Credentials("a", "a-secret")], store)
    created = tenants.create(created_by="a")
    assert tenants.authenticate("a", "a-secret") == "a"
    assert tenants.authenticate(created.client_id, created.client_secret) == created.client_id
    assert tenants.authenticate(created.client_id, "a-secret") is None
    assert tenants.authenticate("a", created.client_secret) is None
    assert tenants.authenticate(None, "a-secret") is None
    assert tenants.is_configured("a")
    assert not tenants.is_configured(created.client_id)
    assert Tenants([Credentials("a", "a-secret")], store).credentials(created.client_id) == created
    assert tenants.names() == ["a", created.client_id]
    store.close()
