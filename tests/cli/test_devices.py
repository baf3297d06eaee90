"""``vatanwa status``, ``devices``, ``profile-picture`` and ``logout`` against the twin."""

from __future__ import annotations

import httpx

from tests.cli.support import cli_env, invoke, logged_in
from tests.support.servers import MockServer


def test_status_of_a_logged_in_device(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    run = invoke(["status", reg_id, "--json"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    assert run.json()["is_connect"] is True
    plain = invoke(["status", reg_id], cli_env(twin))
    assert f"reg_id: {reg_id}" in plain.stdout
    assert "is_connect: yes" in plain.stdout


def test_status_of_an_unknown_device_names_the_provider_description(twin: MockServer) -> None:
    run = invoke(["status", "999999999"], cli_env(twin))
    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.startswith("vatanwa: error: the service refused the request (404): ")
    assert "999999999" in run.stderr
    assert "vatanwa devices" in run.stderr
    assert run.stderr.count("\n") == 1


def test_devices_lists_the_connected_devices(twin: MockServer) -> None:
    first, second = logged_in(twin), logged_in(twin)
    run = invoke(["devices", "--json"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    assert {device["reg_id"] for device in run.json()} == {first, second}
    plain = invoke(["devices"], cli_env(twin))
    header, *rows = plain.stdout.splitlines()
    assert header.split("\t")[0] == "reg_id"
    assert {row.split("\t")[0] for row in rows} == {first, second}


def test_profile_picture_prints_a_url_that_serves_a_png(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    run = invoke(["profile-picture", reg_id], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    picture = httpx.get(run.stdout.strip())
    assert picture.content.startswith(b"\x89PNG")
    assert invoke(["profile-picture", reg_id, "--json"], cli_env(twin)).json()["image"]


def test_logout_then_the_device_is_not_logged_in(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    run = invoke(["logout", reg_id, "--json"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    assert run.json()["logged_out"] is True
    after = invoke(["status", reg_id], cli_env(twin))
    assert after.exit_code == 1
    assert "(400)" in after.stderr


def test_a_reg_id_that_is_not_digits_is_a_usage_error(twin: MockServer) -> None:
    run = invoke(["status", "abc"], cli_env(twin))
    assert run.exit_code == 2
    assert run.stderr == "vatanwa: error: REG_ID must be the digits of a reg_id, not 'abc'\n"
