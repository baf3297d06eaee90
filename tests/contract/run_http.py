"""Run ``schemathesis run`` against ``python -m vatanwa_mock`` over real HTTP, and judge the run.

``python -m tests.contract.run_http`` starts the mock on a free loopback port (with the settings
of :mod:`tests.contract.mock`), runs every phase and every check of schemathesis against it
with ``schemathesis.toml``, writes the JUnit, NDJSON and JSON reports into ``--report-dir``,
stops the mock, and then fails unless all of this holds:

- schemathesis exited 0 and its JSON report shows every phase ran and passed;
- each operation of the contract got at least ``--max-examples`` generated cases;
- the stateful phase followed every link the contract declares (``links`` of each response).

Any further arguments go to ``schemathesis run`` unchanged (``--seed 1``, ``--max-time 60``).

Two runs with the same ``--seed`` send the same cases, apart from the identifiers the mock draws
at random (``regId``, pairing codes): Hypothesis keeps no example database between runs
(``schemathesis.toml``) and logins pair faster than any request comes back
(:mod:`tests.contract.mock`). The reports of an earlier run in ``--report-dir`` are replaced,
and the run says so.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.contract import mock, spec
from tests.support.servers import run_mock

PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_REPORT_DIR = spec.ROOT / "build" / "contract"


@dataclass
class RunSummary:
    """What the NDJSON events of one run say about the cases sent."""

    cases: collections.Counter[str] = field(default_factory=collections.Counter)
    phases: dict[str, collections.Counter[str]] = field(default_factory=dict)
    transitions: collections.Counter[str] = field(default_factory=collections.Counter)


def read_events(path: Path) -> RunSummary:
    """Count generated cases per operation (and phase) and the stateful transitions taken.

    The NDJSON report holds one event a line, ``{"<EventName>": {<fields>}}``. schemathesis
    writes a field only when it holds something: ``null``, ``{}`` and ``[]`` are left out (its
    ``reporting/ndjson.py``). So a scenario that sent nothing (a skipped operation, a stateful
    scenario whose every step was rejected) has a ``recorder`` without ``cases``, and a case
    that did not follow a link has no ``transition``. Scenarios of schemathesis' internal
    phases (authentication bootstrap) are not test cases and are not counted.
    """
    summary = RunSummary()
    with path.open(encoding="utf-8") as events:
        for line in events:
            event: dict[str, Any] = json.loads(line)
            payload = event.get("ScenarioFinished")
            if payload is None or payload.get("phase") not in PHASES:
                continue
            phase = summary.phases.setdefault(payload["phase"], collections.Counter())
            for node in payload.get("recorder", {}).get("cases", {}).values():
                label = f"{node['value']['method']} {node['value']['path']}"
                summary.cases[label] += 1
                phase[label] += 1
                if transition := node.get("transition"):
                    summary.transitions[transition["id"]] += 1
    return summary


#: A run of digits as long as a ``regId``: the mock draws these at random in every run.
_DRAWN_ID = re.compile(r"\d{10}")


def sent_cases(path: Path) -> list[str]:
    """Every case of the NDJSON report in the order sent: phase, request and answered status.

    The identifiers the mock draws at random are masked, so two runs that sent the same cases
    give the same list.
    """
    sent = []
    with path.open(encoding="utf-8") as events:
        for line in events:
            payload = json.loads(line).get("ScenarioFinished")
            if payload is None:
                continue
            recorder = payload.get("recorder", {})
            interactions = recorder.get("interactions", {})
            for case_id, node in recorder.get("cases", {}).items():
                case = node["value"]
                response = (interactions.get(case_id) or {}).get("response") or {}
                request = {key: case.get(key) for key in ("method", "path", "query", "body")}
                fingerprint = json.dumps(
                    [payload.get("phase"), request, response.get("status_code")], sort_keys=True
                )
                sent.append(_DRAWN_ID.sub("<id>", fingerprint))
    return sent


def declared_links() -> set[str]:
    """Every link of the contract, named as schemathesis names a transition along it."""
    links = set()
    for op in spec.operations():
        for status, response in op.definition["responses"].items():
            for name, link in spec.resolve(response).get("links", {}).items():
                target = spec.operation(spec.resolve(link)["operationId"])
                links.add(f"{op.label} -> [{status}] {name} -> {target.label}")
    return links


def judge(report: dict[str, Any], summary: RunSummary, min_cases: int) -> list[str]:
    """Every reason the run does not prove the contract; empty when it does."""
    problems = []
    if report.get("exit_code") != 0 or not report.get("complete"):
        problems.append(f"schemathesis did not pass (exit code {report.get('exit_code')})")
    for phase in PHASES:
        status = (report.get("phases") or {}).get(phase, {}).get("status")
        if status != "success":
            problems.append(f"phase {phase}: {status}")
    for op in spec.operations():
        if summary.cases[op.label] < min_cases:
            problems.append(
                f"{op.label}: {summary.cases[op.label]} generated cases, fewer than {min_cases}"
            )
    taken = set(summary.transitions)
    for link in sorted(declared_links() - taken):
        problems.append(f"the stateful phase never followed the link {link}")
    return problems


def describe(summary: RunSummary) -> str:
    lines = ["Generated cases per operation (examples/coverage/fuzzing/stateful):"]
    for op in spec.operations():
        per_phase = "/".join(
            str(summary.phases.get(p, collections.Counter()).get(op.label, 0)) for p in PHASES
        )
        lines.append(f"  {op.label:32} {summary.cases[op.label]:6}  ({per_phase})")
    declared = declared_links()
    lines.append(f"Links of the contract followed in the stateful phase ({len(declared)}):")
    for link in sorted(declared):
        lines.append(f"  {summary.transitions[link]:5}  {link}")
    inferred = sorted(set(summary.transitions) - declared)
    if inferred:
        lines.append(f"Links schemathesis inferred and followed as well: {len(inferred)}")
    return "\n".join(lines)


def schemathesis_command(
    base_url: str,
    report_dir: Path,
    max_examples: int,
    phases: Sequence[str],
    extra: Sequence[str] = (),
) -> list[str]:
    """``schemathesis run`` against the mock at ``base_url``, reports into ``report_dir``."""
    return [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(spec.ROOT / "schemathesis.toml"),
        "run",
        str(spec.SPEC_PATH),
        "--url",
        base_url,
        "--checks",
        "all",
        "--phases",
        ",".join(phases),
        "--max-examples",
        str(max_examples),
        "--report",
        "junit,ndjson,json",
        "--report-dir",
        str(report_dir),
        "--report-junit-path",
        str(report_dir / "junit.xml"),
        "--report-ndjson-path",
        str(report_dir / "events.ndjson"),
        "--report-json-path",
        str(report_dir / "run.json"),
        "--no-color",
        *extra,
    ]


def run(report_dir: Path, max_examples: int, extra: Sequence[str]) -> int:
    """Start the mock, run schemathesis against it, judge the reports; the exit status."""
    report_dir.mkdir(parents=True, exist_ok=True)
    junit, ndjson, report = (
        report_dir / name for name in ("junit.xml", "events.ndjson", "run.json")
    )
    stale = [junit, ndjson, report, *report_dir.glob("mock-*.log")]
    if any(path.exists() for path in stale):
        print(f"replacing the reports of the previous run in {report_dir}", flush=True)
    for path in stale:
        path.unlink(missing_ok=True)
    with run_mock(*mock.ARGS, "--log-level", "warning", tmp_path=report_dir) as server:
        command = schemathesis_command(server.base_url, report_dir, max_examples, PHASES, extra)
        print("$", " ".join(command), flush=True)
        exit_code = subprocess.run(command, check=False, cwd=spec.ROOT).returncode
        if server.process.poll() is not None:
            print(f"the mock died during the run:\n{server.log()}", file=sys.stderr)
            return 1
    if not report.exists() or not ndjson.exists():
        print(f"schemathesis wrote no report (exit code {exit_code})", file=sys.stderr)
        return exit_code or 1
    summary = read_events(ndjson)
    print(describe(summary))
    problems = judge(json.loads(report.read_text(encoding="utf-8")), summary, max_examples)
    for problem in problems:
        print(f"contract run FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"contract run passed; JUnit report: {junit}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    parser.add_argument(
        "--max-examples",
        type=int,
        default=100,
        help="generated cases per operation and phase, and the least each operation must get",
    )
    args, extra = parser.parse_known_args(argv)
    return run(args.report_dir.resolve(), args.max_examples, extra)


if __name__ == "__main__":
    raise SystemExit(main())
