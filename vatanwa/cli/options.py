"""The options every command takes, and the clients built from them.

``--client-id``, ``--client-secret``, ``--base-url`` (or ``VATANWA_CLIENT_ID``,
``VATANWA_CLIENT_SECRET``, ``VATANWA_BASE_URL``), ``--json`` and ``--verbose`` are accepted
both before the command (``vatanwa --json devices``) and after it (``vatanwa devices --json``).
A value given on the command line wins over the environment; one given after the command wins
over one given before it.

:func:`command` wraps each command function: it adds these options to its signature, builds
the :class:`Session` the function receives, and turns every failure into one line on stderr
and the documented exit code.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from vatanwa import DEFAULT_BASE_URL, APIError, AsyncVatanwa, Vatanwa

from .errors import CREDENTIALS_HINT, CliError, ExitCode, UsageProblem, describe_api_error
from .output import Ui

API_PATH = "/api/whatsapp/v1"
MOCK_PATH = "/_mock"
#: Where ``vatanwa mock`` commands look when no URL is given: the twin's default address.
DEFAULT_MOCK_ROOT = "http://127.0.0.1:8080"
#: The twin's documented local credentials, used by ``vatanwa mock`` commands when none are given.
LOCAL_CLIENT_ID = "vatanwa-local-id"
LOCAL_CLIENT_SECRET = "vatanwa-local-secret"  # noqa: S105 - the twin's documented local default

ClientIdOption = Annotated[
    str | None,
    typer.Option(
        "--client-id",
        envvar="VATANWA_CLIENT_ID",
        help="The client id from the Vatansms panel.",
        show_default=False,
    ),
]
ClientSecretOption = Annotated[
    str | None,
    typer.Option(
        "--client-secret",
        envvar="VATANWA_CLIENT_SECRET",
        help="The client secret from the Vatansms panel (never printed).",
        show_default=False,
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="VATANWA_BASE_URL",
        help=f"The API's base URL (default: the live service, {DEFAULT_BASE_URL}).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Print each HTTP request on stderr.")
]

_OPTIONS: dict[str, tuple[Any, Any]] = {
    "client_id": (ClientIdOption, None),
    "client_secret": (ClientSecretOption, None),
    "base_url": (BaseUrlOption, None),
    "json_output": (JsonOption, False),
    "verbose": (VerboseOption, False),
}


_CONTEXT = "vatanwa_context"


@dataclass(frozen=True)
class Options:
    """The values of the common options, before the command's own."""

    client_id: str | None = None
    client_secret: str | None = None
    base_url: str | None = None
    json_output: bool = False
    verbose: bool = False
    #: Which options were typed on the command line (they beat the environment).
    explicit: frozenset[str] = field(default_factory=frozenset)


def root_options(ctx: typer.Context, values: dict[str, Any]) -> None:
    """Keep the options given before the command for the command to merge (the root callback)."""
    ctx.obj = Options(**values, explicit=_typed(ctx, values))


def _typed(ctx: typer.Context, values: dict[str, Any]) -> frozenset[str]:
    sources = {name: ctx.get_parameter_source(name) for name in values}
    return frozenset(
        name for name, source in sources.items() if source and source.name == "COMMANDLINE"
    )


def _merge(ctx: typer.Context, values: dict[str, Any]) -> Options:
    root = ctx.find_root().obj
    if not isinstance(root, Options):
        root = Options()
    typed = _typed(ctx, values)
    merged = {
        name: getattr(root, name) if name in root.explicit and name not in typed else value
        for name, value in values.items()
    }
    return Options(**merged, explicit=typed | root.explicit)


@dataclass
class Session:
    """What a command works with: its options, its output, and clients built from them."""

    options: Options
    ui: Ui

    @property
    def json_mode(self) -> bool:
        return self.options.json_output

    def credentials(self) -> tuple[str, str]:
        """The client id and secret, or a usage error naming how to give them."""
        client_id, secret = self.options.client_id, self.options.client_secret
        if not client_id or not secret:
            missing = " and ".join(
                name
                for name, value in (("client id", client_id), ("client secret", secret))
                if not value
            )
            raise UsageProblem(f"no {missing} given: {CREDENTIALS_HINT}")
        return client_id, secret

    @property
    def base_url(self) -> str:
        """The API's base URL: ``--base-url`` (a bare host gets the API's path) or the live one."""
        value = self.options.base_url
        if not value:
            return DEFAULT_BASE_URL
        url = _checked_url(value, "--base-url")
        return url + API_PATH if urlsplit(url).path in ("", "/") else url

    @property
    def mock_root(self) -> str:
        """The twin's root URL (``--base-url`` without the API's path), for its control API."""
        value = self.options.base_url
        if not value:
            return DEFAULT_MOCK_ROOT
        url = _checked_url(value, "--base-url")
        for suffix in (API_PATH, MOCK_PATH):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
        return url

    def mock_credentials(self) -> tuple[str, str]:
        """The credentials for the twin's control API: as given, else its local defaults."""
        client_id = self.options.client_id or LOCAL_CLIENT_ID
        secret = self.options.client_secret or (
            LOCAL_CLIENT_SECRET if client_id == LOCAL_CLIENT_ID else None
        )
        if not secret:
            raise UsageProblem(f"no client secret given: {CREDENTIALS_HINT}")
        return client_id, secret

    def shown_url(self) -> str:
        """The base URL as far as it is valid, for messages."""
        try:
            return self.base_url
        except UsageProblem:
            return str(self.options.base_url)

    def client(self) -> Vatanwa:
        """An SDK client for the options' service and credentials."""
        client_id, secret = self.credentials()
        self.ui.debug(f"{self.base_url} as client-id {client_id}")
        return Vatanwa(client_id, secret, base_url=self.base_url)

    def async_client(self) -> AsyncVatanwa:
        """The async SDK client for the same service."""
        client_id, secret = self.credentials()
        self.ui.debug(f"{self.base_url} as client-id {client_id}")
        return AsyncVatanwa(client_id, secret, base_url=self.base_url)


def _checked_url(value: str, option: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageProblem(f"{option} must be an http:// or https:// URL, not {value!r}")
    return value.strip().rstrip("/")


class _Redacting(logging.Filter):
    def __init__(self, ui: Ui) -> None:
        super().__init__()
        self._ui = ui

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._ui.redact(record.getMessage())
        record.args = None
        return True


@contextlib.contextmanager
def _verbose_logging(ui: Ui) -> Iterator[None]:
    if not ui.verbose:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("vatanwa: %(name)s: %(message)s"))
    handler.addFilter(_Redacting(ui))
    loggers = [logging.getLogger(name) for name in ("vatanwa", "httpx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def run(session: Session, body: Callable[[], None]) -> None:
    """Run ``body``; report any failure as one line and exit with its documented code."""
    ui = session.ui
    code = ExitCode.OK
    with _verbose_logging(ui):
        try:
            body()
        except CliError as error:
            ui.error(str(error))
            code = error.exit_code
        except APIError as error:
            ui.error(describe_api_error(error, session.shown_url()))
            code = ExitCode.FAILED
        except OSError as error:
            ui.error(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
            code = ExitCode.FAILED
        except KeyboardInterrupt:
            ui.error("interrupted")
            code = ExitCode.INTERRUPTED
        except Exception as error:
            # A defect of the command line itself: still one line (the traceback with --verbose).
            if ui.verbose:
                ui.debug("".join(traceback.format_exception(error)))
            ui.error(
                f"unexpected {type(error).__name__}: {error} (run it again with --verbose for "
                "the details, and report it)"
            )
            code = ExitCode.FAILED
    if code:
        raise typer.Exit(int(code))


def command(func: Callable[..., None]) -> Callable[..., None]:
    """Give a command function the common options and its :class:`Session`.

    ``func`` takes ``session: Session`` as a keyword; the wrapper's signature (what Typer reads)
    has the command's own parameters followed by the common options.
    """
    signature = inspect.signature(func, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "session"]
    common = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in _OPTIONS.items()
    ]
    context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        values = {name: kwargs.pop(name) for name in _OPTIONS}
        options = _merge(kwargs.pop(_CONTEXT), values)
        ui = Ui(
            json_mode=options.json_output,
            verbose=options.verbose,
            secret=options.client_secret,
        )
        session = Session(options=options, ui=ui)
        run(session, lambda: func(*args, session=session, **kwargs))

    parameters = [*own, *common, context]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=None
    )
    return wrapper
