"""What every command prints: exit codes, one-line errors, JSON, plain or Rich, no secret."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.cli.support import CLIENT_ID, SECRET, cli_env, invoke, logged_in
from tests.support.servers import ROOT, MockServer, free_port
from vatanwa import Vatanwa
from vatanwa.cli.options import Session


def test_verbose_runs_and_failures_never_print_the_secret(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    csv = tmp_path / "list.csv"
    csv.write_text("to,message\n05321234567,Merhaba\n", encoding="utf-8")
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = cli_env(twin)
    runs = [
        ["--verbose", "devices"],
        ["status", reg_id, "--verbose"],
        ["status", "42", "--verbose"],
        ["send", reg_id, "+905459260314", SECRET, "--verbose"],
        ["bulk", reg_id, str(csv), "--verbose"],
        ["profile-picture", reg_id, "--verbose"],
        ["mock", "messages", "--verbose"],
        ["devices", "--verbose", "--client-secret", SECRET + "-wrong"],
        ["devices", "--verbose", "--base-url", nowhere],
        ["webhook", "trigger", nowhere + "/cb", "--verbose"],
        ["login", "qr", "--timeout", "1", "--verbose"],
        ["logout", reg_id, "--verbose", "--json"],
    ]
    for args in runs:
        run = invoke(args, env)  # asserts that the secret is in neither stream
        assert run.exit_code in (0, 1), (args, run.stderr)
    verbose = invoke(["devices", "--verbose"], env)
    assert "HTTP Request: GET" in verbose.stderr
    assert CLIENT_ID in verbose.stderr


def test_failures_are_one_line_on_stderr_with_documented_codes(twin: MockServer) -> None:
    cases = [
        (["devices", "--client-secret", "wrong"], 1, "(401)"),
        (["devices", "--base-url", "ftp://example"], 2, "--base-url must be"),
        (["send"], 2, "Missing argument"),
        (["devices", "--colour"], 2, "No such option"),
        (["sned"], 2, "No such command"),
        (["send", "1", "+905459260314", "x", "--speed", "0"], 2, "--speed"),
        (["send", "1", "+905459260314", "x", "--region", "XX"], 2, "--region"),
        (["send", "1", "call me", "x"], 2, "TO 'call me' is not a phone number"),
    ]
    for args, code, text in cases:
        run = invoke(args, cli_env(twin))
        assert run.exit_code == code, (args, run.stderr)
        assert run.stderr.count("\n") == 1, (args, run.stderr)
        assert run.stderr.startswith("vatanwa: error: ")
        assert text in run.stderr
        assert run.stdout == ""


def test_missing_credentials_are_a_usage_error() -> None:
    run = invoke(["devices"], {"VATANWA_CLIENT_ID": None, "VATANWA_CLIENT_SECRET": None})
    assert run.exit_code == 2
    assert "VATANWA_CLIENT_ID" in run.stderr


def test_options_before_the_command_and_the_environment(twin: MockServer) -> None:
    env = {"VATANWA_CLIENT_ID": None, "VATANWA_CLIENT_SECRET": None, "VATANWA_BASE_URL": None}
    before = invoke(
        ["--json", "--base-url", twin.root_url, "--client-id", CLIENT_ID,
         "--client-secret", SECRET, "devices"],
        env,
    )  # fmt: skip
    assert before.exit_code == 0, before.stderr
    assert before.json() == []
    # A flag typed on the command line wins over the environment, wherever it stands.
    flag_wins = invoke(["--client-secret", "wrong", "devices"], cli_env(twin))
    assert flag_wins.exit_code == 1
    after_wins = invoke(["--client-secret", "wrong", "devices", "--client-secret", SECRET],
                        cli_env(twin))  # fmt: skip
    assert after_wins.exit_code == 0, after_wins.stderr


def test_rich_on_a_terminal_plain_with_no_color(twin: MockServer) -> None:
    logged_in(twin)
    rich = invoke(["devices"], {**cli_env(twin), "FORCE_COLOR": "1", "NO_COLOR": None})
    assert "┃" in rich.stdout or "│" in rich.stdout
    plain = invoke(["devices"], {**cli_env(twin), "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.stdout.startswith("reg_id\tsender\t")
    assert "\x1b[" not in plain.stdout
    piped = invoke(["devices"], cli_env(twin))
    assert piped.stdout.startswith("reg_id\tsender\t")


@pytest.mark.parametrize(
    "args",
    [["devices"], ["mock", "messages"], ["mock", "deliveries"], ["mock", "chaos"]],
)
def test_json_output_parses(twin: MockServer, args: list[str]) -> None:
    run = invoke([*args, "--json"], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    run.json()
    assert run.stderr == ""


def test_the_sdk_does_not_import_the_command_line() -> None:
    code = (
        "import sys, vatanwa\n"
        "assert 'typer' not in sys.modules and 'vatanwa.cli' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_the_console_script_and_the_version() -> None:
    [script] = entry_points(group="console_scripts", name="vatanwa")
    assert script.value == "vatanwa.cli:main"
    run = invoke(["--version"])
    assert run.exit_code == 0
    assert run.stdout.startswith("vatanwa ")


def test_an_unexpected_failure_is_one_line_without_the_secret(
    twin: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session) -> Vatanwa:
        raise RuntimeError(f"broken with {session.options.client_secret}")

    monkeypatch.setattr(Session, "client", broken)
    run = invoke(["devices"], cli_env(twin))
    assert run.exit_code == 1
    assert run.stderr == (
        "vatanwa: error: unexpected RuntimeError: broken with *** (run it again with --verbose "
        "for the details, and report it)\n"
    )
    verbose = invoke(["devices", "--verbose"], cli_env(twin))
    assert "Traceback" in verbose.stderr


def test_a_group_without_a_command_shows_its_help() -> None:
    run = invoke(["mock"])
    assert run.exit_code == 2
    assert "Usage: vatanwa mock" in run.stdout
    assert "serve" in run.stdout
    assert run.stderr == ""
