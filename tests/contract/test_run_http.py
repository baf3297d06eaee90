"""The judge of the run over HTTP fails a run that did not prove the contract."""

from __future__ import annotations

import collections
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.contract import mock, run_http, spec
from tests.support.servers import run_mock

PASSED: dict[str, Any] = {
    "exit_code": 0,
    "complete": True,
    "phases": {phase: {"status": "success"} for phase in run_http.PHASES},
}


def full_summary(cases: int) -> run_http.RunSummary:
    summary = run_http.RunSummary()
    summary.cases = collections.Counter({op.label: cases for op in spec.operations()})
    summary.transitions = collections.Counter(dict.fromkeys(run_http.declared_links(), 1))
    return summary


def test_the_contract_declares_links_from_both_logins() -> None:
    sources = {link.split(" -> ")[0] for link in run_http.declared_links()}
    assert sources == {spec.operation("login_phone").label, spec.operation("login_qr").label}


def test_a_complete_run_passes() -> None:
    assert run_http.judge(PASSED, full_summary(100), 100) == []


def test_a_link_never_followed_fails_the_run() -> None:
    summary = full_summary(100)
    missed = sorted(summary.transitions)[0]
    del summary.transitions[missed]
    assert run_http.judge(PASSED, summary, 100) == [
        f"the stateful phase never followed the link {missed}"
    ]


def test_too_few_cases_fail_the_run() -> None:
    problems = run_http.judge(PASSED, full_summary(99), 100)
    assert len(problems) == len(spec.operations())


def test_a_failed_or_skipped_phase_fails_the_run() -> None:
    report = {**PASSED, "phases": {**PASSED["phases"], "stateful": {"status": "skipped"}}}
    assert run_http.judge(report, full_summary(100), 100) == ["phase stateful: skipped"]
    assert run_http.judge({**PASSED, "exit_code": 1}, full_summary(100), 100)


def _scenario(phase: str, recorder: dict[str, object]) -> str:
    """One ``ScenarioFinished`` line as schemathesis writes it (empty fields left out)."""
    finished = {"id": "0", "phase": phase, "status": "success", "recorder": recorder}
    return json.dumps({"ScenarioFinished": finished})


def test_events_are_read_as_schemathesis_writes_them(tmp_path: Path) -> None:
    link = sorted(run_http.declared_links())[0]
    login = {"value": {"method": "POST", "path": "/login/qr"}, "is_transition_applied": False}
    check = {
        "value": {"method": "POST", "path": "/login/check"},
        "parent_id": "a",
        "transition": {"id": link},
        "is_transition_applied": True,
    }
    lines = [
        json.dumps({"Initialize": {"seed": 1}}),
        _scenario("fuzzing", {"label": "POST /login/qr", "cases": {"a": login}}),
        # Nothing was sent: schemathesis leaves the empty `cases` out.
        _scenario("stateful", {"label": "Stateful tests"}),
        _scenario("stateful", {"label": "Stateful tests", "cases": {"a": login, "b": check}}),
        _scenario("auth_bootstrap", {"label": "POST /login/qr", "cases": {"a": login}}),
        json.dumps({"EngineFinished": {"running_time": 1.0}}),
    ]
    events = tmp_path / "events.ndjson"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = run_http.read_events(events)

    assert summary.cases == {"POST /login/qr": 2, "POST /login/check": 1}
    assert summary.phases["stateful"] == {"POST /login/qr": 1, "POST /login/check": 1}
    assert summary.transitions == {link: 1}


def _run_once(tmp_path: Path, seed: int) -> list[str]:
    tmp_path.mkdir()
    with run_mock(*mock.ARGS, "--log-level", "warning", tmp_path=tmp_path) as server:
        command = run_http.schemathesis_command(
            server.base_url,
            tmp_path,
            max_examples=5,
            phases=("fuzzing", "stateful"),
            extra=("--seed", str(seed)),
        )
        finished = subprocess.run(
            command, cwd=spec.ROOT, capture_output=True, text=True, check=False
        )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return run_http.sent_cases(tmp_path / "events.ndjson")


def test_two_runs_with_one_seed_send_the_same_cases(tmp_path: Path) -> None:
    first = _run_once(tmp_path / "first", seed=7)
    second = _run_once(tmp_path / "second", seed=7)
    assert any('"stateful"' in case for case in first)
    assert first == second
