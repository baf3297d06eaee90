"""A stock schemathesis run against the twin finds nothing but the documented 400.

"Stock" is schemathesis as a user downloads it, pointed at the contract: no hooks, no
``schemathesis.toml`` (it runs in an empty folder), every phase and every default check, 60
examples per operation, and the two credential headers on the command line. A twin stricter
than its own contract shows up here as "schema-valid request rejected".

The one answer such a run may call a failure is the contract's 400 for a device that is not
connected: the twin is started with ``--login-delay 0``, so a login pairs only through the
control API, which schemathesis does not call, and every send, check or logout from a device
it logged in is refused with that documented 400 ("The device ... is not connected", or for
``/login/check`` "No login was detected within ..."). ``--login-timeout 2`` keeps the long
poll of ``/login/check`` within schemathesis' request timeout.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.servers import ROOT, run_mock
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET

SPEC = ROOT / "openapi" / "vatanwa.yaml"
PHASES = {"examples", "coverage", "fuzzing", "stateful"}
NOT_CONNECTED = re.compile(r"^(The device \d+ is not connected \(|No login was detected within )")


def _schemathesis() -> str:
    return str(Path(sys.executable).parent / "schemathesis")


def _content(response: dict[str, Any]) -> bytes:
    content = response.get("content") or {}
    if "$base64" in content:
        return base64.b64decode(content["$base64"])
    return str(content.get("string", "")).encode()


def _judge(events: Path) -> tuple[list[str], set[str], int]:
    """Every failure that is not the documented 400, the phases that ran, the cases sent."""
    unexpected: list[str] = []
    phases: set[str] = set()
    cases = 0
    for line in events.read_text(encoding="utf-8").splitlines():
        event: dict[str, Any] = json.loads(line)
        (kind, payload), *_ = event.items()
        if kind in ("NonFatalError", "FatalError"):
            unexpected.append(f"{kind}: {json.dumps(payload)[:500]}")
        elif kind == "PhaseFinished" and payload["phase"]["name"] in PHASES:
            if payload["phase"]["is_enabled"] and payload["status"] != "skipped":
                phases.add(payload["phase"]["name"])
        elif kind == "ScenarioFinished":
            recorder = payload["recorder"]
            cases += len(recorder.get("cases", {}))
            for case_id, checks in recorder.get("checks", {}).items():
                for check in checks:
                    if check["status"] == "success":
                        continue
                    response = recorder["interactions"][case_id]["response"]
                    if _is_not_connected(check["name"], response):
                        continue
                    case = recorder["cases"][case_id]["value"]
                    unexpected.append(
                        f"{check['name']} on {case['method']} {case['path']} "
                        f"({case.get('media_type')}): {response['status_code']} "
                        f"{_content(response)[:300]!r}"
                    )
    return unexpected, phases, cases


def _is_not_connected(check: str, response: dict[str, Any]) -> bool:
    if check != "positive_data_acceptance" or response["status_code"] != 400:
        return False
    envelope = json.loads(_content(response))
    return (
        envelope.get("code") == 400
        and envelope.get("status") == "error"
        and bool(NOT_CONNECTED.match(str(envelope.get("description"))))
    )


def test_a_stock_run_finds_nothing_but_the_documented_400(tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    assert not any(
        (folder / "schemathesis.toml").exists() for folder in [workdir, *workdir.parents]
    )
    # Nothing of the project's configuration comes in through the environment either.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEMATHESIS_", "VATANWA_"))}
    events = tmp_path / "events.ndjson"
    args = ("--login-delay", "0", "--login-timeout", "2", "--speed-factor", "0.01")
    with run_mock(*args, tmp_path=tmp_path) as twin:
        run = subprocess.run(
            [
                _schemathesis(),
                "run",
                str(SPEC),
                "--url",
                twin.base_url,
                "-H",
                f"client-id: {CLIENT_ID}",
                "-H",
                f"client-secret: {CLIENT_SECRET}",
                "--max-examples",
                "60",
                "--seed",
                "1",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(events),
            ],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert twin.process.poll() is None, twin.log()
        assert "Traceback" not in twin.log(), twin.log()

    # 1 = failures were found (the documented 400, judged below); anything else is an error.
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    unexpected, phases, cases = _judge(events)
    assert not unexpected, "\n".join(unexpected)
    assert phases == PHASES, phases
    assert cases >= 60 * 10, cases
