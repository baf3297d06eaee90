"""``vatanwa login qr`` and ``vatanwa login phone`` against the twin: draw, wait, pair."""

from __future__ import annotations

import json
import subprocess

from tests.cli.support import SECRET, cli_env, control, invoke, spawn
from tests.support.servers import MockServer

QR_BLOCKS = set("█▀▄")


def _pair_when_printed(process: subprocess.Popen[str], twin: MockServer, marker: str) -> str:
    """Read the process's stdout until the line starting with ``marker``; pair that login."""
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith(marker):
            reg_id = line.split()[-1]
            break
    else:
        raise AssertionError("no reg_id printed: " + "".join(seen))
    with control(twin) as mock:
        mock.post(f"/logins/{reg_id}/pair").raise_for_status()
    return "".join(seen)


def test_login_qr_draws_the_code_and_waits_until_the_phone_scans(twin: MockServer) -> None:
    process = spawn(["login", "qr", "--timeout", "60"], cli_env(twin))
    drawn = _pair_when_printed(process, twin, "reg_id:")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    code_lines = [line for line in drawn.splitlines() if set(line) & QR_BLOCKS]
    assert len(code_lines) >= 15
    assert set("".join(code_lines)) <= QR_BLOCKS | {" "}
    assert "Logged in" in out
    assert SECRET not in drawn + out + err


def test_login_qr_json_gives_the_payload_then_the_pairing(twin: MockServer) -> None:
    process = spawn(["login", "qr", "--json", "--timeout", "60"], cli_env(twin))
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    assert first["qr"].startswith("2@")
    assert first["paired"] is False
    with control(twin) as mock:
        mock.post(f"/logins/{first['reg_id']}/pair").raise_for_status()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out) == {"reg_id": first["reg_id"], "paired": True}
    assert err == ""


def test_login_phone_prints_the_pairing_code_then_waits(twin: MockServer) -> None:
    process = spawn(["login", "phone", "0545 926 03 14", "--timeout", "60"], cli_env(twin))
    printed = _pair_when_printed(process, twin, "reg_id:")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    code = next(line for line in printed.splitlines() if line.startswith("pairing code:"))
    assert len(code.split()[-1]) == 9  # XXXX-XXXX
    assert "Logged in" in out


def test_login_no_wait_returns_at_once_with_the_reg_id(twin: MockServer) -> None:
    run = invoke(["login", "phone", "+905459260314", "--no-wait", "--json"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    document = run.json()
    assert document["reg_id"].isdigit()
    assert len(document["code"]) == 9
    assert document["paired"] is False


def test_a_login_not_paired_in_time_fails_with_one_line(twin: MockServer) -> None:
    run = invoke(["login", "qr", "--timeout", "1"], cli_env(twin))
    assert run.exit_code == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("vatanwa: error:")]
    assert len(errors) == 1
    assert "did not log in within 1 s" in errors[0]


def test_a_bad_phone_number_is_a_usage_error(twin: MockServer) -> None:
    run = invoke(["login", "phone", "12"], cli_env(twin))
    assert run.exit_code == 2
    assert run.stderr.startswith("vatanwa: error: NUMBER '12'")
