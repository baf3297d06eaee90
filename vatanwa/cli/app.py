"""The ``vatanwa`` command: the root group, its common options, and one-line usage errors."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

# Typer 0.27 vendors Click: its usage errors are this module's, not the click package's.
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from .._version import __version__
from . import bulk, devices, login, mock, send, webhook
from .errors import ExitCode
from .options import (
    BaseUrlOption,
    ClientIdOption,
    ClientSecretOption,
    JsonOption,
    VerboseOption,
    root_options,
)


class VatanwaGroup(TyperGroup):
    """Typer's group, reporting a usage error as one line on stderr (exit code 2)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except ClickException as error:
            context = getattr(error, "ctx", None)
            where = context.command_path if context is not None else "vatanwa"
            message = " ".join(error.format_message().split())
            if message:  # a group called without a command has shown its help already
                sys.stderr.write(f"vatanwa: error: {message} (see `{where} --help`)\n")
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.stderr.write("vatanwa: error: interrupted\n")
            sys.exit(ExitCode.INTERRUPTED)
        sys.exit(code if isinstance(code, int) else ExitCode.OK)


HELP = (
    "Log in, send, send in bulk and receive delivery reports with the Vatansms WhatsApp API.\n\n"
    "Works the same against the live service and against the offline twin "
    "(--base-url http://127.0.0.1:8080).\n\n"
    "Exit codes: 0 success; 1 the service refused, could not be reached, or some recipients "
    "were not sent; 2 a usage error; 130 interrupted."
)

app = typer.Typer(
    name="vatanwa",
    cls=VatanwaGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"vatanwa {__version__}\n")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    client_id: ClientIdOption = None,
    client_secret: ClientSecretOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
    verbose: VerboseOption = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    del version
    root_options(
        ctx,
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "base_url": base_url,
            "json_output": json_output,
            "verbose": verbose,
        },
    )


app.add_typer(login.app, name="login")
app.add_typer(webhook.app, name="webhook")
app.add_typer(mock.app, name="mock")
for _module in (login, devices, send, bulk):
    _module.register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``vatanwa`` command (the console script's entry point)."""
    app(args=list(argv) if argv is not None else None, prog_name="vatanwa")
