"""``vatanwa send`` against the twin, checked through its control API."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli.support import cli_env, invoke, logged_in, messages
from tests.support.servers import MockServer
from vatanwa.cli.send import report_id_value


def test_send_normalises_the_number_and_passes_speed_and_report_id(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    run = invoke(
        [
            "send",
            reg_id,
            "0532 123 45 67",
            "Merhaba",
            "--speed",
            "2",
            "--report-id",
            "42",
            "--json",
        ],
        cli_env(twin),
    )
    assert run.exit_code == 0, run.stderr
    assert run.json()["to"] == "+905321234567"
    [sent] = messages(twin)
    assert (sent["to"], sent["message"], sent["send_speed"], sent["report_id"]) == (
        "905321234567",
        "Merhaba",
        2,
        "42",
    )


def test_send_with_an_attachment(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    invoice = tmp_path / "fatura.pdf"
    invoice.write_bytes(b"%PDF-1.4\n% vatanwa\n")
    run = invoke(
        ["send", reg_id, "+905459260314", "Faturanız", "--attach", str(invoice)], cli_env(twin)
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("Sent to +905459260314")
    [sent] = messages(twin)
    assert sent["attachment"]["filename"] == "fatura.pdf"
    assert httpx.get(sent["attachment"]["url"]).content == invoice.read_bytes()


def test_send_from_a_device_that_is_not_logged_in_fails(twin: MockServer) -> None:
    run = invoke(["send", "123456", "+905459260314", "Merhaba"], cli_env(twin))
    assert run.exit_code == 1
    assert run.stderr.startswith("vatanwa: error: the service refused the request (404)")
    assert messages(twin) == []


def test_send_refuses_a_speed_out_of_range_and_a_missing_file(twin: MockServer) -> None:
    speed = invoke(["send", "1", "+905459260314", "x", "--speed", "5"], cli_env(twin))
    assert speed.exit_code == 2
    assert speed.stderr.count("\n") == 1
    assert "--speed" in speed.stderr
    missing = invoke(
        ["send", "1", "+905459260314", "x", "--attach", "/nonexistent.pdf"], cli_env(twin)
    )
    assert missing.exit_code == 2


def test_report_ids_in_digits_are_numbers_and_text_ids_pass_through() -> None:
    assert report_id_value("42") == 42
    assert str(report_id_value("9f0c-ab")) == "9f0c-ab"
    assert report_id_value(None) is None
    # An int would change these digits, and the report would echo another id.
    assert report_id_value("007") == "007"


def test_a_report_id_with_leading_zeros_is_echoed_as_given(twin: MockServer) -> None:
    reg_id = logged_in(twin)
    sent = invoke(["send", reg_id, "+905459260314", "x", "--report-id", "007"], cli_env(twin))
    assert sent.exit_code == 0, sent.stderr
    [message] = invoke(["mock", "messages", "--json"], cli_env(twin)).json()
    assert message["report_id"] == "007"


def test_a_number_in_the_services_form_is_passed_on_even_if_unknown(twin: MockServer) -> None:
    # No country has the code 999: phonenumbers refuses it; the service judges it itself.
    reg_id = logged_in(twin)
    run = invoke(["send", reg_id, "+99912345678", "Merhaba"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    assert [m["to"] for m in messages(twin)] == ["99912345678"]
