"""Exit codes and the one-line messages of everything that can go wrong.

| code | meaning |
| --- | --- |
| 0 | success |
| 1 | the service refused (with its ``description``), was not reached, or rows were not sent |
| 2 | a usage error: a missing or malformed option, argument or input file |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

from enum import IntEnum

from vatanwa import APIConnectionError, APIError, APIStatusError, APITimeoutError, RateLimitError


class ExitCode(IntEnum):
    """The documented exit codes of ``vatanwa``."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


class CliError(Exception):
    """A failure to report as one line on stderr, ending the command with ``exit_code``."""

    exit_code = ExitCode.FAILED


class UsageProblem(CliError):
    """The command line or an input file is wrong: nothing was sent (exit code 2)."""

    exit_code = ExitCode.USAGE


class Failed(CliError):
    """The command ran but did not succeed (exit code 1)."""


class Interrupted(CliError):
    """Ctrl-C (or SIGTERM) stopped the command (exit code 130)."""

    exit_code = ExitCode.INTERRUPTED


CREDENTIALS_HINT = (
    "check --client-id and --client-secret, or VATANWA_CLIENT_ID and VATANWA_CLIENT_SECRET"
)

_HINTS = {
    400: "check the request; a device must be logged in to send: `vatanwa status REG_ID`",
    401: CREDENTIALS_HINT,
    404: "check the reg_id; `vatanwa devices` lists the connected devices",
    413: "send a smaller attachment, or fewer recipients a request",
    415: "attach a pdf, doc, docx, ppt, pptx, xls, xlsx, jpeg, jpg or png file",
    422: "fix the value the description names",
}


def describe_api_error(error: APIError, base_url: str) -> str:
    """The message of an SDK error: what the service said, and what to do about it."""
    if isinstance(error, APIStatusError):
        status = error.status_code
        if isinstance(error, RateLimitError):
            wait = f"{error.retry_after:g} s" if error.retry_after is not None else "a while"
            hint = f"too many requests: wait {wait} and run the command again"
        elif status >= 500:
            hint = "the service failed: try again later"
        else:
            hint = _HINTS.get(status, "check the request")
        return f"the service refused the request ({status}): {error.description} ({hint})"
    if isinstance(error, APITimeoutError):
        return (
            f"no answer from {base_url} in time: {error} (check the network; a send may "
            "have gone out, so check before sending again)"
        )
    if isinstance(error, APIConnectionError):
        return (
            f"could not reach {base_url}: {error} "
            "(check --base-url or VATANWA_BASE_URL, and the network)"
        )
    return f"the service's answer could not be read: {error}"
