"""The one home of the mock's settings: each is declared once, as a field of :class:`Settings`.

A declaration names the setting (the field), its type (the annotation), its default, its range
and its help (:func:`setting`). From these alone come the command line (:func:`build_parser`),
the environment variables, the validation (:meth:`Settings.__post_init__`, run once before
anything starts) and the options table of the README (:func:`options_table`, written between
the README's ``options`` markers by ``make readme-options``; a test fails when they differ).

Every option is read from the command line first, then from its environment variable, then from
the default. The variable is ``VATANWA_MOCK_`` followed by the option's name in upper case with
``-`` turned into ``_`` (``--login-delay`` is ``VATANWA_MOCK_LOGIN_DELAY``). ``--client-id`` and
``--client-secret`` may be repeated, in pairs, one pair per tenant; their variables hold
comma-separated lists of the same length.

To add a setting: add a field to :class:`Settings` with ``setting(default, "help", ...)`` (a
range with ``minimum``/``maximum``, ``above`` for a strict lower bound, ``unit="s"`` for
seconds), use it where it is needed, and run ``make readme-options``. A rule that involves more
than one field goes into :func:`_validate_together`.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import math
import os
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from vatanwa_mock.distribution import version

ENV_PREFIX = "VATANWA_MOCK_"
PROG = "vatanwa-mock"

#: Credentials accepted when none are configured: for local use only, printed at start-up.
DEFAULT_CLIENT_ID = "vatanwa-local-id"
DEFAULT_CLIENT_SECRET = "vatanwa-local-secret"  # noqa: S105 - a documented local default

Mode = Literal["stateful", "examples", "proxy"]
MODES: tuple[Mode, ...] = ("stateful", "examples", "proxy")
#: Where ``--mode proxy`` forwards by default: the live service.
LIVE_URL = "https://api.vatansms.net/api/whatsapp/v1"
LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]

_OPTION = "vatanwa_mock.option"


class ConfigError(ValueError):
    """The settings are invalid; the message says which option and why."""


@dataclass(frozen=True)
class Credentials:
    """One tenant's pair of headers. The secret never appears in ``repr``."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class Option:
    """How one setting is given and checked (built by :func:`setting`)."""

    help: str
    metavar: str | None = None
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    #: A strict lower bound (the value must be greater).
    above: float | None = None
    #: What the README's table shows as the default, when the value itself does not say it.
    shown_default: str | None = None
    #: The field's name; filled in by :func:`options`.
    name: str = ""

    @property
    def flag(self) -> str:
        """The command-line option: ``--login-delay``."""
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        """The environment variable: ``VATANWA_MOCK_LOGIN_DELAY``."""
        return ENV_PREFIX + self.name.upper()


def setting(
    default: Any,
    help: str,
    *,
    metavar: str | None = None,
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    shown_default: str | None = None,
) -> Any:
    """Declare a field of :class:`Settings` as an option (see the module's docstring)."""
    option = Option(
        help=help,
        metavar=metavar,
        unit=unit,
        minimum=minimum,
        maximum=maximum,
        above=above,
        shown_default=shown_default,
    )
    return field(default=default, metadata={_OPTION: option})


@dataclass(frozen=True)
class Settings:
    """Validated settings of one mock server.

    Delays are in seconds. ``login_delay`` and the pace of sending are simulated delays and are
    multiplied by ``speed_factor``; ``login_timeout`` is the documented login window and is not.
    """

    host: str = setting("127.0.0.1", "interface to listen on", metavar="HOST")
    port: int = setting(8080, "port to listen on", metavar="PORT", minimum=0, maximum=65535)
    db: Path | None = setting(
        None,
        "SQLite file that keeps the state; with a file, a restart loses nothing",
        metavar="PATH",
        shown_default="in memory",
    )
    #: ``--client-id`` and ``--client-secret``, paired by position (see :func:`_credentials`).
    credentials: tuple[Credentials, ...] = field(
        default=(Credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),)
    )
    login_delay: float = setting(
        3.0,
        "a pending login pairs by itself after this long, times the speed factor; 0 = only "
        "through the control API",
        metavar="SECONDS",
        unit="s",
        minimum=0,
    )
    login_timeout: float = setting(
        30.0,
        "an unpaired login expires after this long (as documented; not scaled)",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    callback_url: str | None = setting(
        None,
        "delivery-report URL of every tenant (each can set its own with PUT /_mock/callback)",
        metavar="URL",
        shown_default="none",
    )
    allow_unsafe_callback_targets: bool = setting(
        False,
        "let callback URLs reach link-local addresses (169.254.0.0/16 with the cloud metadata "
        "address, fe80::/10) and IPv4 addresses in non-canonical spellings (0x7f.1, "
        "2130706433); loopback and private addresses are always allowed",
    )
    public_url: str | None = setting(
        None,
        "the URL clients reach the mock at, used in the avatar and attachment URLs it hands "
        "out (never the request's Host header)",
        metavar="URL",
        shown_default="the address the connection reached",
    )
    mode: Mode = setting(
        "stateful",
        "stateful, answer the documented examples (with auth and envelopes), or proxy: "
        "forward to --upstream and check both sides against the contract",
    )
    upstream: str = setting(
        LIVE_URL,
        "proxy mode: the service every request of the contract is forwarded to, with its base path",
        metavar="URL",
    )
    violations: Path | None = setting(
        None,
        "proxy mode: append every contract violation, redacted, to this JSON Lines file",
        metavar="FILE",
        shown_default="none",
    )
    record: Path | None = setting(
        None,
        "proxy mode: write every exchange, redacted, as one JSON file in this directory",
        metavar="DIR",
        shown_default="none",
    )
    callback_path: str = setting(
        "/vatansms/callback",
        "proxy mode: the path where the provider's delivery reports are received and checked",
        metavar="PATH",
    )
    forward_callbacks_to: str | None = setting(
        None,
        "proxy mode: the receiver each delivery report is forwarded to (its status is the "
        "provider's answer); none: reports are acknowledged with 200",
        metavar="URL",
        shown_default="none",
    )
    speed_factor: float = setting(
        1.0,
        "multiplies every simulated delay (login delay, sending pace, retry schedule); 0.01 in "
        "tests",
        metavar="FACTOR",
        above=0,
    )
    validate_responses: bool = setting(
        False, "check every response against the contract (the tests turn it on)"
    )
    log_level: LogLevel = setting("info", "uvicorn's log level")
    access_log: bool = setting(
        False,
        "log a line per request (uvicorn's access log; off by default: it costs about a tenth "
        "of the mock's throughput, and the control API lists what was sent)",
    )
    retry_base: float = setting(
        1.0,
        "delivery reports: the first retry waits up to this long, times the speed factor",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    retry_factor: float = setting(
        2.0,
        "delivery reports: each retry may wait this many times longer than the one before",
        metavar="FACTOR",
        minimum=1,
    )
    retry_cap: float = setting(
        300.0,
        "delivery reports: no retry waits longer than this, times the speed factor",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    retry_max_attempts: int = setting(
        10,
        "delivery reports: a report is dead after this many failed attempts",
        metavar="N",
        minimum=1,
        maximum=1000,
    )
    retry_max_age: float = setting(
        3600.0,
        "delivery reports: a report is dead when it still fails this long after its first "
        "attempt, times the speed factor",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    delivery_timeout: float = setting(
        10.0,
        "delivery reports: the longest one attempt may take (real time, not scaled)",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    delivery_concurrency: int = setting(
        4,
        "delivery reports: how many attempts run at once",
        metavar="N",
        minimum=1,
        maximum=64,
    )
    max_header_bytes: int = setting(
        32 * 1024,
        "the largest request head (request line and headers) the server reads; a larger one is "
        "answered with 431 and the connection closed",
        metavar="BYTES",
        minimum=1024,
        maximum=256 * 1024,
    )
    header_timeout: float = setting(
        10.0,
        "a connection is closed when a request's head has not arrived this long after the "
        "connection opened or its previous response ended (idle and slow clients)",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    body_timeout: float = setting(
        60.0,
        "a connection is closed when a request's body has not arrived this long after its head",
        metavar="SECONDS",
        unit="s",
        above=0,
    )

    max_recipients: int = setting(
        100_000,
        "the most recipients one send request may have (oneToN, nToN); more are refused with "
        "413 (the provider documents no limit)",
        metavar="N",
        minimum=1,
        maximum=1_000_000,
    )
    dispatcher_idle: float = setting(
        60.0,
        "longest the dispatcher sleeps when no message is due (a safety net: queuing a "
        "message wakes it at once)",
        metavar="SECONDS",
        unit="s",
        above=0,
    )
    delivery_idle: float = setting(
        5.0,
        "longest the delivery worker sleeps when no report is due (a safety net: a new "
        "report, a replay or a callback URL wakes it at once)",
        metavar="SECONDS",
        unit="s",
        above=0,
    )

    def __post_init__(self) -> None:
        for option in options():
            _check(option, getattr(self, option.name))
        _validate_together(self)

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


#: The two repeatable options that make :attr:`Settings.credentials`, one pair per tenant.
CREDENTIAL_OPTIONS = (
    Option(
        help="a tenant's client-id; repeat in pairs with --client-secret (the variable holds "
        "a comma-separated list)",
        metavar="ID",
        shown_default=DEFAULT_CLIENT_ID,
        name="client_id",
    ),
    Option(
        help="the secret of the --client-id at the same position (a configured secret is "
        "never printed)",
        metavar="SECRET",
        shown_default=DEFAULT_CLIENT_SECRET,
        name="client_secret",
    ),
)


@functools.cache
def _types() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def options() -> Iterator[Option]:
    """The declared options, in the order of :class:`Settings` (credentials excluded)."""
    for item in dataclasses.fields(Settings):
        option = item.metadata.get(_OPTION)
        if isinstance(option, Option):
            yield dataclasses.replace(option, name=item.name)


def _kind(name: str) -> tuple[type, tuple[str, ...]]:
    """The base type of a field (``Path | None`` -> ``Path``) and its choices, if a Literal."""
    annotation = _types()[name]
    if typing.get_origin(annotation) is Literal:
        return str, typing.get_args(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if args else annotation
    if typing.get_origin(base) is Literal:
        return str, typing.get_args(base)
    return base, ()


def _range_text(option: Option) -> str:
    low, high = option.minimum, option.maximum
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    if option.above is not None:
        return f"> {option.above:g}"
    if low is not None:
        return f">= {low:g}"
    return f"<= {high:g}" if high is not None else ""


def _check(option: Option, value: Any) -> None:
    """Raise :class:`ConfigError` unless ``value`` is in the option's type and range."""
    base, choices = _kind(option.name)
    if value is None:
        return
    if choices and value not in choices:
        raise ConfigError(f"{option.flag} must be one of {', '.join(choices)}, not {value!r}")
    if base is str and not value:
        raise ConfigError(f"{option.flag} must not be empty")
    if base in (int, float):
        if base is float and not math.isfinite(value):
            raise ConfigError(f"{option.flag} must be a finite number, not {value}")
        in_range = (
            (option.minimum is None or value >= option.minimum)
            and (option.maximum is None or value <= option.maximum)
            and (option.above is None or value > option.above)
        )
        if not in_range:
            what = "a number of seconds" if option.unit == "s" else "a number"
            if base is int:
                what = "an integer"
            raise ConfigError(f"{option.flag} must be {what} {_range_text(option)}, not {value}")


def _validate_together(settings: Settings) -> None:
    if not settings.credentials:
        raise ConfigError("at least one --client-id/--client-secret pair is required")
    seen: set[str] = set()
    for pair in settings.credentials:
        if not pair.client_id or not pair.client_secret:
            raise ConfigError("--client-id and --client-secret must not be empty")
        if pair.client_id in seen:
            raise ConfigError(f"--client-id {pair.client_id!r} is given twice")
        seen.add(pair.client_id)
    for pair in settings.credentials:
        _check_header_value("--client-id", pair.client_id, shown=True)
        _check_header_value("--client-secret", pair.client_secret, shown=False)
    if settings.callback_url is not None:
        validate_callback_url(
            settings.callback_url, allow_unsafe_targets=settings.allow_unsafe_callback_targets
        )
    _validate_proxy(settings)
    if settings.public_url is not None and not _plain_http_url(settings.public_url):
        raise ConfigError(
            "--public-url must be an absolute http(s) URL without credentials, query or "
            f"fragment, such as http://mock.test:8080, not {settings.public_url!r}"
        )


def _plain_http_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL without credentials, query or fragment."""
    parts = urlsplit(url)
    return not (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    )


def _validate_proxy(settings: Settings) -> None:
    if not _plain_http_url(settings.upstream):
        from vatanwa_mock.redact import redact_url

        raise ConfigError(
            "--upstream must be an absolute http(s) URL with the API's base path and without "
            f"credentials, query or fragment, such as {LIVE_URL}, not "
            f"{redact_url(settings.upstream)!r}"
        )
    path = settings.callback_path
    if not path.startswith("/") or "?" in path or "#" in path or path.startswith("/_mock"):
        raise ConfigError(
            "--callback-path must be a path that begins with / and is not under /_mock, such as "
            f"/vatansms/callback, not {path!r}"
        )
    if settings.forward_callbacks_to is not None:
        validate_callback_url(
            settings.forward_callbacks_to,
            allow_unsafe_targets=settings.allow_unsafe_callback_targets,
        )


def _check_header_value(flag: str, value: str, *, shown: bool) -> None:
    """Refuse a credential that no client could send: HTTP carries header values as bytes
    (read as Latin-1) and trims their ends, so only printable ASCII compares reliably."""
    for position, char in enumerate(value):
        if not (" " <= char <= "~"):
            what = f" {value!r}" if shown else ""
            raise ConfigError(
                f"{flag}{what} must be printable ASCII: {char.encode('unicode_escape').decode()!r}"
                f" at position {position + 1} cannot be sent in an HTTP header as the same text"
            )
    if value != value.strip():
        raise ConfigError(f"{flag} must not begin or end with a space (HTTP trims them)")


def validate_callback_url(url: str, *, allow_unsafe_targets: bool = False) -> str:
    """Return ``url`` if it is an absolute http(s) URL that the mock may post to, else raise
    :class:`ConfigError` (the message shows the URL without its credentials and query values).

    Link-local hosts and odd spellings of IP addresses are refused unless
    ``allow_unsafe_targets`` (see :mod:`vatanwa_mock.delivery.targets`).
    """
    from vatanwa_mock.delivery.targets import UnsafeTarget, check_url
    from vatanwa_mock.redact import redact_url

    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(
            f"the callback URL must be an absolute http(s) URL, not {redact_url(url)!r}"
        )
    if not allow_unsafe_targets:
        try:
            check_url(url)
        except UnsafeTarget as exc:
            raise ConfigError(
                f"the callback URL {redact_url(url)!r} is refused: {exc} (start the mock with "
                "--allow-unsafe-callback-targets to allow it)"
            ) from None
    return url


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


_PARSERS: dict[type, Callable[[str], Any]] = {
    int: lambda text: int(text.strip()),
    float: lambda text: float(text.strip()),
    bool: _parse_bool,
    Path: Path,
    str: str,
}
_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false"}


def _parse(option: Option, text: str, source: str) -> Any:
    base, _ = _kind(option.name)
    try:
        return _PARSERS[base](text)
    except ValueError:
        raise ConfigError(
            f"{option.flag} must be {_TYPE_NAMES.get(base, 'text')}, not {text!r} ({source})"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``vatanwa-mock``, from the declarations."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "The vatanwa offline twin: a stateful mock of the Vatansms WhatsApp API. Every "
            f"option can also be set with an environment variable {ENV_PREFIX}<OPTION>."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    for option in declared():
        if option in CREDENTIAL_OPTIONS:
            parser.add_argument(
                option.flag, action="append", metavar=option.metavar, help=_help(option)
            )
        elif _kind(option.name)[0] is bool:
            # A flag on the command line; true/false in the environment.
            parser.add_argument(option.flag, action="store_const", const="true", help=_help(option))
        else:
            choices = _kind(option.name)[1] or None
            parser.add_argument(
                option.flag, metavar=option.metavar, choices=choices, help=_help(option)
            )
    return parser


def declared() -> list[Option]:
    """Every option in the order of the help and the README: the credentials after ``--db``."""
    found = [*options()]
    at = next(i for i, o in enumerate(found) if o.name == "db") + 1
    found[at:at] = CREDENTIAL_OPTIONS
    return found


def _help(option: Option) -> str:
    limits = _range_text(option)
    return (
        f"{option.help} (default {default_text(option)}"
        f"{'; ' + limits if limits else ''}; {option.env})"
    )


def default_text(option: Option) -> str:
    """The default of ``option`` as the help and the README show it."""
    if option.shown_default is not None:
        return option.shown_default
    value = next(f.default for f in dataclasses.fields(Settings) if f.name == option.name)
    if isinstance(value, bool):
        return "off"
    if isinstance(value, float):
        return f"{value:g}{' ' + option.unit if option.unit else ''}"
    return f"{value}{' ' + option.unit if option.unit else ''}"


def _credentials(
    args: dict[str, Any], environ: Mapping[str, str]
) -> tuple[Credentials, ...] | None:
    ids: list[str] | None = args["client_id"]
    secrets: list[str] | None = args["client_secret"]
    if ids is None and (raw := environ.get(CREDENTIAL_OPTIONS[0].env)):
        ids = [part.strip() for part in raw.split(",")]
    if secrets is None and (raw := environ.get(CREDENTIAL_OPTIONS[1].env)):
        secrets = [part.strip() for part in raw.split(",")]
    if ids is None and secrets is None:
        return None
    ids, secrets = ids or [], secrets or []
    if len(ids) != len(secrets):
        raise ConfigError(
            f"--client-id and --client-secret come in pairs: got {len(ids)} ids "
            f"and {len(secrets)} secrets"
        )
    return tuple(Credentials(i, s) for i, s in zip(ids, secrets, strict=True))


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Parse ``argv`` (default: ``sys.argv``) over ``environ`` (default: ``os.environ``)."""
    environ = os.environ if environ is None else environ
    args = vars(build_parser().parse_args(argv))
    values: dict[str, Any] = {}
    for option in options():
        given = args[option.name]
        if given is not None:
            values[option.name] = _parse(option, str(given), "command line")
        elif raw := environ.get(option.env):
            values[option.name] = _parse(option, raw, option.env)
    if (credentials := _credentials(args, environ)) is not None:
        values["credentials"] = credentials
    return Settings(**values)


def options_table() -> str:
    """The README's table of every option, generated from the declarations."""
    rows = [
        "| option | environment variable | default | allowed | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for option in declared():
        flag = option.flag
        if option in CREDENTIAL_OPTIONS:
            flag += f" {option.metavar}"
        else:
            base, choices = _kind(option.name)
            if choices:
                flag += " " + "\\|".join(choices)
            elif base is not bool and option.metavar:
                flag += f" {option.metavar}"
        limits = _range_text(option)
        rows.append(
            f"| `{flag}` | `{option.env}` | {default_text(option)} | {limits} | {option.help} |"
        )
    return "\n".join(rows) + "\n"
