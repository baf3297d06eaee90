"""Helpers of the command line's tests: run ``vatanwa`` in-process or as a process, and look."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from typer.testing import CliRunner

from tests.support.servers import ROOT, MockServer
from vatanwa.cli import app

CLIENT_ID = "cli-tenant"
#: A secret no output may contain: every test checks stdout and stderr for it.
SECRET = "cli-s3cret-never-printed-7f3a"


@dataclass(frozen=True)
class Run:
    """What one ``vatanwa`` run printed, and its exit code."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as one JSON document."""
        return json.loads(self.stdout)

    def json_lines(self) -> list[Any]:
        """stdout as JSON Lines."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def cli_env(twin: MockServer, **extra: str) -> dict[str, str]:
    """The environment that points ``vatanwa`` at ``twin`` with the test tenant."""
    return {
        "VATANWA_BASE_URL": twin.base_url,
        "VATANWA_CLIENT_ID": CLIENT_ID,
        "VATANWA_CLIENT_SECRET": SECRET,
        **extra,
    }


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Run:
    """Run ``vatanwa ARGS`` in this process (Typer's CliRunner); the secret is never printed."""
    result = CliRunner().invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert SECRET not in run.stdout + run.stderr
    return run


def command_line(*args: str) -> list[str]:
    """The command line of ``vatanwa ARGS`` as a process."""
    return [sys.executable, "-m", "vatanwa.cli", *args]


def spawn(args: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[str]:
    """Start ``vatanwa ARGS`` as a process with text pipes."""
    return subprocess.Popen(
        command_line(*args),
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def control(twin: MockServer) -> httpx.Client:
    """A client of the twin's control API as the test tenant."""
    return httpx.Client(
        base_url=twin.root_url + "/_mock",
        headers={"client-id": CLIENT_ID, "client-secret": SECRET},
        timeout=30.0,
    )


def logged_in(twin: MockServer) -> str:
    """A connected device of the test tenant, logged in through the command line."""
    started = invoke(["login", "qr", "--no-wait", "--json"], cli_env(twin))
    assert started.exit_code == 0, started.stderr
    reg_id = str(started.json()["reg_id"])
    with control(twin) as mock:
        mock.post(f"/logins/{reg_id}/pair").raise_for_status()
    return reg_id


def messages(twin: MockServer, **filters: str) -> list[dict[str, Any]]:
    """The messages the twin captured for the test tenant."""
    with control(twin) as mock:
        answer = mock.get("/messages", params=filters)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found
