"""Settings: defaults, command line over environment, pairs of credentials, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import readme_options
from tests.support.servers import ROOT
from vatanwa_mock.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ConfigError,
    Credentials,
    Option,
    Settings,
    build_parser,
    declared,
    load_settings,
    options,
    options_table,
)


def test_defaults_are_the_documented_local_ones() -> None:
    settings = load_settings([], {})
    assert (settings.host, settings.port, settings.db) == ("127.0.0.1", 8080, None)
    assert settings.credentials == (Credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),)
    assert settings.login_timeout == 30
    assert settings.mode == "stateful"
    assert settings.validate_responses is False


def test_every_option_comes_from_the_environment() -> None:
    settings = load_settings(
        [],
        {
            "VATANWA_MOCK_HOST": "0.0.0.0",  # noqa: S104
            "VATANWA_MOCK_PORT": "9000",
            "VATANWA_MOCK_DB": "/tmp/x.sqlite3",
            "VATANWA_MOCK_CLIENT_ID": "a, b",
            "VATANWA_MOCK_CLIENT_SECRET": "sa,sb",
            "VATANWA_MOCK_LOGIN_DELAY": "0",
            "VATANWA_MOCK_LOGIN_TIMEOUT": "5",
            "VATANWA_MOCK_CALLBACK_URL": "http://127.0.0.1:9/hook",
            "VATANWA_MOCK_MODE": "examples",
            "VATANWA_MOCK_SPEED_FACTOR": "0.5",
            "VATANWA_MOCK_VALIDATE_RESPONSES": "true",
        },
    )
    assert settings.host == "0.0.0.0"  # noqa: S104
    assert settings.port == 9000
    assert settings.db == Path("/tmp/x.sqlite3")
    assert settings.credentials == (Credentials("a", "sa"), Credentials("b", "sb"))
    assert settings.login_delay == 0
    assert settings.login_timeout == 5
    assert settings.callback_url == "http://127.0.0.1:9/hook"
    assert settings.mode == "examples"
    assert settings.speed_factor == 0.5
    assert settings.validate_responses is True


def test_the_command_line_wins_over_the_environment() -> None:
    settings = load_settings(
        ["--port", "81", "--client-id", "x", "--client-secret", "y", "--speed-factor", "2"],
        {
            "VATANWA_MOCK_PORT": "9000",
            "VATANWA_MOCK_CLIENT_ID": "a",
            "VATANWA_MOCK_CLIENT_SECRET": "b",
        },
    )
    assert settings.port == 81
    assert settings.credentials == (Credentials("x", "y"),)
    assert settings.scaled(3) == 6
    assert settings.effective_login_delay == 6


def test_the_secret_is_not_in_the_repr() -> None:
    assert "local-secret" not in repr(Settings())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--client-id", "a"], "pairs"),
        (
            [
                "--client-id",
                "a",
                "--client-id",
                "a",
                "--client-secret",
                "1",
                "--client-secret",
                "2",
            ],
            "twice",
        ),
        (["--port", "70000"], "--port"),
        (["--port", "http"], "--port"),
        (["--login-delay", "-1"], "--login-delay"),
        (["--login-timeout", "0"], "--login-timeout"),
        (["--speed-factor", "nan"], "--speed-factor"),
        (["--callback-url", "ftp://x"], "callback"),
        (["--client-id", "", "--client-secret", "s"], "empty"),
    ],
)
def test_invalid_settings_are_refused_with_the_option_named(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(argv, {})


def test_an_invalid_environment_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="--mode"):
        load_settings([], {"VATANWA_MOCK_MODE": "chaos"})


def test_the_readme_table_is_generated_from_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_options.documented(readme) == options_table(), (
        "README.md's options table is stale: run `make readme-options`"
    )


def test_every_declared_option_is_on_the_command_line_and_in_the_environment() -> None:
    help_text = build_parser().format_help()
    for option in declared():
        assert option.flag in help_text
        assert option.env in help_text
        assert option.env == "VATANWA_MOCK_" + option.flag[2:].upper().replace("-", "_")


def test_the_log_level_is_read_from_both_places() -> None:
    assert load_settings([], {"VATANWA_MOCK_LOG_LEVEL": "debug"}).log_level == "debug"
    assert load_settings(["--log-level", "warning"], {}).log_level == "warning"


@pytest.mark.parametrize(
    "option", [o for o in options() if o.minimum is not None or o.above is not None]
)
def test_every_range_is_enforced_from_the_environment(option: Option) -> None:
    low = option.above if option.above is not None else (option.minimum or 0) - 1
    with pytest.raises(ConfigError, match=option.flag):
        load_settings([], {option.env: str(low)})


def test_the_idle_timers_are_settings() -> None:
    settings = load_settings(["--dispatcher-idle", "3600"], {"VATANWA_MOCK_DELIVERY_IDLE": "3600"})
    assert (settings.dispatcher_idle, settings.delivery_idle) == (3600, 3600)
