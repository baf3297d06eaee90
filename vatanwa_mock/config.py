"""The one home of the mock's settings: defaults, command line, environment, validation.

Every option is read from the command line first, then from its environment variable, then
from the default below; :func:`load_settings` validates the result once, before anything
starts. The environment variables are ``VATANWA_MOCK_`` followed by the option's name in upper
case with ``-`` turned into ``_`` (``--login-delay`` is ``VATANWA_MOCK_LOGIN_DELAY``).
``--client-id`` and ``--client-secret`` may be repeated, in pairs, one pair per tenant; their
variables hold comma-separated lists of the same length.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

ENV_PREFIX = "VATANWA_MOCK_"

#: Credentials accepted when none are configured: for local use only, printed at start-up.
DEFAULT_CLIENT_ID = "vatanwa-local-id"
DEFAULT_CLIENT_SECRET = "vatanwa-local-secret"  # noqa: S105 - a documented local default

Mode = Literal["stateful", "examples"]
MODES: tuple[Mode, ...] = ("stateful", "examples")


class ConfigError(ValueError):
    """The settings are invalid; the message says which option and why."""


@dataclass(frozen=True)
class Credentials:
    """One tenant's pair of headers. The secret never appears in ``repr``."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class Settings:
    """Validated settings of one mock server.

    Delays are in seconds. ``login_delay`` and the pace of sending are simulated delays and are
    multiplied by ``speed_factor``; ``login_timeout`` is the documented login window and is not.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    db: Path | None = None
    credentials: tuple[Credentials, ...] = (Credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),)
    login_delay: float = 3.0
    login_timeout: float = 30.0
    callback_url: str | None = None
    mode: Mode = "stateful"
    speed_factor: float = 1.0
    validate_responses: bool = False
    log_level: str = "info"
    #: Delivery reports: the retry schedule and its limits (simulated time: multiplied by
    #: ``speed_factor``), the timeout of one attempt and how many run at once (real time).
    retry_base: float = 1.0
    retry_factor: float = 2.0
    retry_cap: float = 300.0
    retry_max_attempts: int = 10
    retry_max_age: float = 3600.0
    delivery_timeout: float = 10.0
    delivery_concurrency: int = 4

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def root_url(self) -> str:
        """The URL clients reach the server at (an IPv6 host gets its brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def scaled(self, seconds: float) -> float:
        """A simulated delay of ``seconds``, after the global speed factor."""
        return seconds * self.speed_factor

    @property
    def effective_login_delay(self) -> float:
        """Seconds after which a pending login pairs by itself; 0 means never by itself."""
        return self.scaled(self.login_delay)


def _validate(settings: Settings) -> None:
    if not settings.host:
        raise ConfigError("--host must not be empty")
    if not 0 <= settings.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, not {settings.port}")
    if not settings.credentials:
        raise ConfigError("at least one --client-id/--client-secret pair is required")
    seen: set[str] = set()
    for pair in settings.credentials:
        if not pair.client_id or not pair.client_secret:
            raise ConfigError("--client-id and --client-secret must not be empty")
        if pair.client_id in seen:
            raise ConfigError(f"--client-id {pair.client_id!r} is given twice")
        seen.add(pair.client_id)
    for name, value in (("--login-delay", settings.login_delay),):
        if not math.isfinite(value) or value < 0:
            raise ConfigError(f"{name} must be a number of seconds >= 0, not {value}")
    for name, value in (
        ("--login-timeout", settings.login_timeout),
        ("--speed-factor", settings.speed_factor),
    ):
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{name} must be a number > 0, not {value}")
    for name, value in (
        ("--retry-base", settings.retry_base),
        ("--retry-cap", settings.retry_cap),
        ("--retry-max-age", settings.retry_max_age),
        ("--delivery-timeout", settings.delivery_timeout),
    ):
        if not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{name} must be a number of seconds > 0, not {value}")
    if not math.isfinite(settings.retry_factor) or settings.retry_factor < 1:
        raise ConfigError(f"--retry-factor must be a number >= 1, not {settings.retry_factor}")
    if not 1 <= settings.retry_max_attempts <= 1000:
        raise ConfigError(
            f"--retry-max-attempts must be between 1 and 1000, not {settings.retry_max_attempts}"
        )
    if not 1 <= settings.delivery_concurrency <= 64:
        raise ConfigError(
            f"--delivery-concurrency must be between 1 and 64, not {settings.delivery_concurrency}"
        )
    if settings.callback_url is not None:
        validate_callback_url(settings.callback_url)
    if settings.mode not in MODES:
        raise ConfigError(f"--mode must be one of {', '.join(MODES)}, not {settings.mode!r}")


def validate_callback_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL, else raise :class:`ConfigError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the callback URL must be an absolute http(s) URL, not {url!r}")
    return url


def _env(environ: Mapping[str, str], option: str) -> str | None:
    value = environ.get(ENV_PREFIX + option.upper().replace("-", "_"))
    return value if value not in (None, "") else None


def _number(option: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"--{option} must be a number, not {raw!r}") from None


def _integer(option: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"--{option} must be an integer, not {raw!r}") from None


def _flag(option: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{ENV_PREFIX}{option.upper().replace('-', '_')} must be true or false")


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``vatanwa-mock``; every default comes from :class:`Settings`."""
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m vatanwa_mock",
        description=(
            "The vatanwa offline twin: a stateful mock of the Vatansms WhatsApp API. Every "
            f"option can also be set with an environment variable {ENV_PREFIX}<OPTION>."
        ),
    )
    add = parser.add_argument
    add("--host", help=f"interface to listen on (default {defaults.host})")
    add("--port", help=f"port to listen on (default {defaults.port})")
    add("--db", metavar="PATH", help="SQLite file that keeps the state (default: in memory)")
    add(
        "--client-id",
        action="append",
        help=f"a tenant's client-id; repeat in pairs with --client-secret "
        f"(default {DEFAULT_CLIENT_ID})",
    )
    add(
        "--client-secret",
        action="append",
        help="the secret of the --client-id at the same position "
        f"(default {DEFAULT_CLIENT_SECRET})",
    )
    add(
        "--login-delay",
        metavar="SECONDS",
        help=f"a pending login pairs by itself after this long; 0 = only through the control "
        f"API (default {defaults.login_delay:g})",
    )
    add(
        "--login-timeout",
        metavar="SECONDS",
        help=f"an unpaired login expires after this long (default {defaults.login_timeout:g})",
    )
    add("--callback-url", metavar="URL", help="delivery-report URL of every tenant (default none)")
    add(
        "--mode",
        choices=MODES,
        help=f"stateful, or answer the documented examples (default {defaults.mode})",
    )
    add(
        "--speed-factor",
        metavar="FACTOR",
        help="multiplies every simulated delay, e.g. 0.01 in tests (default 1)",
    )
    add(
        "--validate-responses",
        action="store_const",
        const="true",
        help="check every response against the contract (the tests turn it on)",
    )
    add("--log-level", help=f"uvicorn's log level (default {defaults.log_level})")
    add(
        "--retry-base",
        metavar="SECONDS",
        help="delivery reports: the first retry waits up to this long, times the speed factor "
        f"(default {defaults.retry_base:g})",
    )
    add(
        "--retry-factor",
        metavar="FACTOR",
        help=f"delivery reports: each retry may wait this many times longer than the one "
        f"before (default {defaults.retry_factor:g})",
    )
    add(
        "--retry-cap",
        metavar="SECONDS",
        help=f"delivery reports: no retry waits longer than this, times the speed factor "
        f"(default {defaults.retry_cap:g})",
    )
    add(
        "--retry-max-attempts",
        metavar="N",
        help=f"delivery reports: a report is dead after this many failed attempts "
        f"(default {defaults.retry_max_attempts})",
    )
    add(
        "--retry-max-age",
        metavar="SECONDS",
        help=f"delivery reports: a report is dead when it still fails this long after its first "
        f"attempt, times the speed factor (default {defaults.retry_max_age:g})",
    )
    add(
        "--delivery-timeout",
        metavar="SECONDS",
        help=f"delivery reports: the longest one attempt may take, not scaled "
        f"(default {defaults.delivery_timeout:g})",
    )
    add(
        "--delivery-concurrency",
        metavar="N",
        help=f"delivery reports: how many attempts run at once "
        f"(default {defaults.delivery_concurrency})",
    )
    return parser


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Parse ``argv`` (default: ``sys.argv``) over ``environ`` (default: ``os.environ``)."""
    environ = os.environ if environ is None else environ
    args = vars(build_parser().parse_args(argv))

    def pick(option: str) -> str | None:
        value = args[option.replace("-", "_")]
        return str(value) if value is not None else _env(environ, option)

    values: dict[str, object] = {}
    for option in ("host", "mode", "log-level", "callback-url"):
        if (raw := pick(option)) is not None:
            values[option.replace("-", "_")] = raw
    if (raw := pick("port")) is not None:
        try:
            values["port"] = int(raw)
        except ValueError:
            raise ConfigError(f"--port must be an integer, not {raw!r}") from None
    for option in (
        "login-delay",
        "login-timeout",
        "speed-factor",
        "retry-base",
        "retry-factor",
        "retry-cap",
        "retry-max-age",
        "delivery-timeout",
    ):
        if (raw := pick(option)) is not None:
            values[option.replace("-", "_")] = _number(option, raw)
    for option in ("retry-max-attempts", "delivery-concurrency"):
        if (raw := pick(option)) is not None:
            values[option.replace("-", "_")] = _integer(option, raw)
    if (raw := pick("db")) is not None:
        values["db"] = Path(raw)
    if (raw := pick("validate-responses")) is not None:
        values["validate_responses"] = _flag("validate-responses", raw)

    ids: list[str] | None = args["client_id"]
    secrets: list[str] | None = args["client_secret"]
    if ids is None and (raw := _env(environ, "client-id")) is not None:
        ids = [part.strip() for part in raw.split(",")]
    if secrets is None and (raw := _env(environ, "client-secret")) is not None:
        secrets = [part.strip() for part in raw.split(",")]
    if ids is not None or secrets is not None:
        ids, secrets = ids or [], secrets or []
        if len(ids) != len(secrets):
            raise ConfigError(
                f"--client-id and --client-secret come in pairs: got {len(ids)} ids "
                f"and {len(secrets)} secrets"
            )
        values["credentials"] = tuple(Credentials(i, s) for i, s in zip(ids, secrets, strict=True))
    if values.get("mode") not in (None, *MODES):
        raise ConfigError(f"--mode must be one of {', '.join(MODES)}, not {values['mode']!r}")
    return Settings(**values)  # type: ignore[arg-type]
