"""``vatanwa mock``: serve the twin, and steer it through its control API."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.cli.support import SECRET, cli_env, command_line, control, invoke, logged_in
from tests.support.polling import eventually
from tests.support.servers import ROOT, MockServer, free_port, wait_until_healthy
from tests.support.tenants import headers


def test_messages_with_filters(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    for to, report in (("+905459260314", "1"), ("+905459260315", "2")):
        assert invoke(["send", reg_id, to, "Merhaba", "--report-id", report],
                      cli_env(twin)).exit_code == 0  # fmt: skip
    every = invoke(["mock", "messages", "--json"], cli_env(twin)).json()
    assert [m["to"] for m in every] == ["905459260314", "905459260315"]
    one = invoke(["mock", "messages", "--report-id", "2", "--json"], cli_env(twin)).json()
    assert [m["to"] for m in one] == ["905459260315"]
    by_to = invoke(["mock", "messages", "--to", "905459260314", "--reg-id", reg_id],
                   cli_env(twin))  # fmt: skip
    header, *rows = by_to.stdout.splitlines()
    assert header.startswith("id\treg_id\tto\tstatus")
    assert [row.split("\t")[2] for row in rows] == ["905459260314"]
    bad = invoke(["mock", "messages", "--status", "lost"], cli_env(twin))
    assert bad.exit_code == 2


def test_pair_connects_a_pending_login(twin: MockServer) -> None:
    started = invoke(["login", "qr", "--no-wait", "--json"], cli_env(twin)).json()
    run = invoke(["mock", "pair", started["reg_id"], "--device-number", "905551112233",
                  "--json"], cli_env(twin))  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert (run.json()["state"], run.json()["device_number"]) == ("connected", "905551112233")
    again = invoke(["mock", "pair", started["reg_id"]], cli_env(twin))
    assert again.exit_code == 1
    assert again.stderr.startswith("vatanwa: error: the twin refused (409)")


def test_deliveries_callback_chaos_and_reset(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    url = f"http://127.0.0.1:{free_port()}/vatansms/callback"  # nobody listens: retried
    assert invoke(["mock", "callback", url], cli_env(twin)).stdout.strip() == url
    assert invoke(["send", reg_id, "+905459260314", "x", "--report-id", "5"],
                  cli_env(twin)).exit_code == 0  # fmt: skip

    def attempted() -> list[dict[str, Any]] | None:
        reports = invoke(["mock", "deliveries", "--report-id", "5", "--json"], cli_env(twin))
        found: list[dict[str, Any]] = reports.json()
        return found if found and found[0]["attempts"] else None

    [report] = eventually(
        attempted, timeout=30, what="an attempt to deliver report 5", interval=0.1
    )
    assert report["body"]["callback_data"] == "5"
    table = invoke(["mock", "deliveries"], cli_env(twin)).stdout
    assert "905459260314" in table

    chaos = invoke(["mock", "chaos", "--error-rate", "1", "--seed", "3", "--json"],
                   cli_env(twin)).json()  # fmt: skip
    assert (chaos["error_rate"], chaos["seed"]) == (1, 3)
    refused = invoke(["devices"], cli_env(twin))
    assert refused.exit_code == 1
    assert "(500)" in refused.stderr
    assert invoke(["mock", "chaos", "--json"], cli_env(twin)).json()["error_rate"] == 1
    assert invoke(["mock", "chaos", "--clear", "--json"], cli_env(twin)).json()["error_rate"] == 0

    assert invoke(["mock", "reset"], cli_env(twin)).exit_code == 0
    assert invoke(["devices", "--json"], cli_env(twin)).json() == []
    assert invoke(["mock", "callback", "--json"], cli_env(twin)).json() == {"url": None}


def test_control_commands_name_a_twin_that_is_not_running() -> None:
    run = invoke(["mock", "reset", "--base-url", f"http://127.0.0.1:{free_port()}"])
    assert run.exit_code == 1
    assert "could not reach the twin" in run.stderr
    assert "vatanwa mock serve" in run.stderr


def test_serve_starts_the_twin_with_its_own_options() -> None:
    port = free_port()
    process = subprocess.Popen(
        command_line("mock", "serve", "--port", str(port), "--login-delay", "0",
                     "--client-id", "serve-id", "--client-secret", SECRET),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/_mock/health", process)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}/_mock", headers=headers("serve-id", SECRET)
        ) as mock:
            assert mock.get("/messages").json() == []
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
    assert SECRET not in out


def test_serve_help_is_the_twins() -> None:
    done = subprocess.run(
        command_line("mock", "serve", "--help"), cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert "--login-delay" in done.stdout


def test_serve_without_the_twin_installed_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "vatanwa_mock.__main__", None)
    run = invoke(["mock", "serve"])
    assert run.exit_code == 1
    assert run.stderr == "vatanwa: error: the twin is not installed: pip install 'vatanwa[mock]'\n"


def test_the_command_line_never_imports_the_twin_but_to_serve(twin: MockServer) -> None:
    code = (
        "import sys\n"
        "from vatanwa.cli import main\n"
        "try:\n"
        "    main(['mock', 'messages', '--json'])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "assert 'vatanwa_mock' not in sys.modules\n"
        "import vatanwa\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**cli_env(twin), "PATH": ""}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_control_uses_the_same_credentials(twin: MockServer) -> None:
    wrong = invoke(["mock", "messages", "--client-secret", "wrong"], cli_env(twin))
    assert wrong.exit_code == 1
    assert "(401)" in wrong.stderr
    with control(twin) as mock:
        assert mock.get("/messages").status_code == 200


def test_messages_and_deliveries_list_every_page(
    twin: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vatanwa.cli.mock.PAGE_SIZE", 1)
    reg_id = logged_in(twin)
    reports = [str(n) for n in range(3)]
    for report in reports:
        assert invoke(["send", reg_id, "+905459260314", "x", "--report-id", report],
                      cli_env(twin)).exit_code == 0  # fmt: skip
    listed = invoke(["mock", "messages", "--json"], cli_env(twin)).json()
    assert [m["report_id"] for m in listed] == reports
    table = invoke(["mock", "messages"], cli_env(twin)).stdout.splitlines()
    assert len(table) == 1 + len(reports)

    def every_report() -> list[str] | None:
        found = invoke(["mock", "deliveries", "--json"], cli_env(twin)).json()
        ids = sorted(d["report_id"] for d in found)
        return ids if len(ids) == len(reports) else None

    assert eventually(every_report, timeout=10, what="three reports", interval=0.1) == reports


def test_deliveries_filter_by_a_text_report_id(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    uuid = "6f1c1e0e-7f7e-4b8f-9a55-2c0c1a3e9d10"
    for report in (uuid, "7"):
        assert invoke(["send", reg_id, "+905459260314", "x", "--report-id", report],
                      cli_env(twin)).exit_code == 0  # fmt: skip

    def reported() -> list[str] | None:
        found = invoke(["mock", "deliveries", "--report-id", uuid, "--json"], cli_env(twin))
        assert found.exit_code == 0, found.stderr
        return [d["report_id"] for d in found.json()] or None

    assert eventually(reported, timeout=10, what="the report of the UUID", interval=0.1) == [uuid]
