"""``python -m bench``: run the benchmark, print the table, write ``build/bench/``.

``--check`` runs the short version (a few seconds per server) and exits 1 when a ratio falls
below its target by more than the run's noise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import load, scenarios, servers
from bench.results import Ratio, Run, Sample, Target, failures, ratio, render

SEND = "POST /messages/send"
MULTIPART = "POST /messages/send (multipart, 100 KB PNG)"
#: The benchmarked requests that store a message each.
SENDS = (SEND, MULTIPART)
STORED = "POST /messages/send, 1,000,000 stored"

#: The goals, as ratios measured in one run.
TARGETS = (
    Target("twin / prism, " + SEND, at_least=4.0),
    Target("twin / bare, " + SEND, at_least=0.15),
    Target("sdk / httpx, per send", at_most=1.1),
)
#: Only the full run stores a million messages first.
STORE_TARGET = Target("twin with 1,000,000 stored / empty, " + SEND, at_least=0.9)
#: Every send the twin answered with a 2xx must be a stored message (both runs check it).
UNSTORED = "twin: sends answered 2xx but not stored"
STORED_TARGET = Target(UNSTORED, at_most=0)
#: Figures that are counts or rates, not ratios: shown against their goals.
FIGURE_TARGETS = (
    STORED_TARGET,
    Target("delivery reports/s", at_least=1500),
    Target("drain 100,000: messages/s", at_least=2000),
    Target("drain 100,000: /_mock/health p99 ms", at_most=50),
)


@dataclass(frozen=True)
class Profile:
    rounds: int
    seconds: float
    scenarios: tuple[str, ...]
    sdk_calls: int
    full: bool


FULL = Profile(
    rounds=3,
    seconds=6,
    scenarios=(
        SEND,
        "POST /login/check/active",
        "GET /devices",
        MULTIPART,
    ),
    sdk_calls=300,
    full=True,
)
CHECK = Profile(rounds=3, seconds=2, scenarios=(SEND,), sdk_calls=150, full=False)


def sample(scenario: str, server: str, rnd: int, figures: load.Figures) -> Sample:
    return Sample(
        scenario=scenario,
        server=server,
        round=rnd,
        requests_per_s=round(figures.requests_per_s, 1),
        p50_ms=figures.p50_ms,
        p99_ms=figures.p99_ms,
        requests=figures.requests,
        non_2xx=figures.status_errors,
        socket_errors=figures.socket_errors,
    )


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def interleaved(run: Run, profile: Profile, out: Path) -> None:
    """The four requests on twin, Prism and bare handler, round by round (A B C A B C ...)."""
    logs = out / "logs"
    with contextlib.ExitStack() as stack:
        twin = stack.enter_context(servers.twin(logs / "twin.log"))
        reg_id = scenarios.connected_device(twin.root_url)
        ours = scenarios.requests(reg_id, scenarios.BASE_PATH)
        theirs = scenarios.requests(reg_id, "")
        table = {f"{r.method} {r.path}": scenarios.answer(twin.root_url, r) for r in ours.values()}
        responses = out / "bare-responses.json"
        responses.write_text(json.dumps(table), encoding="utf-8")
        callbacks = stack.enter_context(servers.Receiver())
        prism = stack.enter_context(servers.prism(logs / "prism.log", callbacks.url))
        bare = stack.enter_context(servers.bare(logs / "bare.log", responses))
        plan = [(twin, ours), (prism, theirs), (bare, ours)]
        # Every send the twin answers is counted, warm-up and the answers above included, to
        # be compared with the messages it stored.
        answered = sum(1 for scenario in ours if scenario in SENDS)
        for server, requests in plan:  # warm up (Prism's JIT, first connections); not counted
            for scenario in profile.scenarios:
                figures = load.run(server.root_url, requests[scenario], out / "wrk", seconds=1)
                if server is twin and scenario in SENDS:
                    answered += figures.requests - figures.status_errors
        for rnd in range(1, profile.rounds + 1):
            for scenario in profile.scenarios:
                for server, requests in plan:
                    figures = load.run(
                        server.root_url, requests[scenario], out / "wrk", seconds=profile.seconds
                    )
                    run.samples.append(sample(scenario, server.name, rnd, figures))
                    log(f"round {rnd} {scenario} {server.name}: {figures.requests_per_s:,.0f}/s")
                    if server is twin and scenario in SENDS:
                        answered += figures.requests - figures.status_errors
        stored = scenarios.stored_messages(twin.root_url)
        run.figures["twin: sends answered 2xx"] = answered
        run.figures["twin: messages stored"] = stored
        # wrk counts the answers it read; a request still in flight when a run ends is stored
        # without being counted, so the store may hold a few more, never fewer.
        run.figures[UNSTORED] = max(0, answered - stored)
    run.figures["callbacks Prism posted to the loopback receiver"] = callbacks.count
    for scenario in profile.scenarios:
        run.ratios.append(
            ratio(f"twin / prism, {scenario}", run.samples, scenario, "twin", "prism")
        )
        run.ratios.append(ratio(f"twin / bare, {scenario}", run.samples, scenario, "twin", "bare"))
        run.ratios.append(
            ratio(
                f"bare / twin (load generator headroom), {scenario}",
                run.samples,
                scenario,
                "bare",
                "twin",
            )
        )


def store_growth(run: Run, profile: Profile, out: Path, stored: int = 1_000_000) -> None:
    """``POST /messages/send`` on an empty twin and on one holding ``stored`` messages."""
    logs = out / "logs"
    with (
        servers.twin(logs / "twin-empty.log") as empty,
        servers.twin(logs / "twin-stored.log") as full,
    ):
        devices = {
            "empty": scenarios.connected_device(empty.root_url),
            "stored": scenarios.connected_device(full.root_url),
        }
        batch = 100_000
        body = scenarios.n_to_n(devices["stored"], batch)
        for _ in range(stored // batch):
            scenarios.post_n_to_n(full.root_url, body)
        log(f"stored {stored:,} messages")
        for rnd in range(1, profile.rounds + 1):
            for name, server in (("empty", empty), ("stored", full)):
                request = scenarios.requests(devices[name], scenarios.BASE_PATH)[SEND]
                figures = load.run(server.root_url, request, out / "wrk", seconds=profile.seconds)
                run.samples.append(sample(STORED, f"twin ({name})", rnd, figures))
                log(f"round {rnd} {name}: {figures.requests_per_s:,.0f}/s")
    run.ratios.append(
        ratio(STORE_TARGET.ratio, run.samples, STORED, "twin (stored)", "twin (empty)")
    )


def delivery(run: Run, out: Path, reports: int = 5000) -> None:
    """Delivery reports per second from the twin to a loopback receiver."""
    with servers.Receiver() as receiver:
        options = ("--callback-url", receiver.url, "--speed-factor", "0.00001")
        with servers.twin(out / "logs" / "twin-delivery.log", *options) as twin:
            reg_id = scenarios.connected_device(twin.root_url)
            scenarios.post_n_to_n(twin.root_url, scenarios.n_to_n(reg_id, reports, report_id=7))
            deadline = time.monotonic() + 300
            while receiver.count < reports and time.monotonic() < deadline:
                time.sleep(0.1)
    spread = receiver.last - receiver.first
    run.figures["delivery reports received"] = receiver.count
    run.figures["delivery reports/s"] = receiver.count / spread if spread else 0.0


def n_to_n(run: Run, out: Path) -> None:
    """``nToN`` with 10,000 and 100,000 entries: time to the 200, the twin's peak memory."""
    with servers.twin(out / "logs" / "twin-ntom.log") as twin:
        reg_id = scenarios.connected_device(twin.root_url)
        run.figures["twin peak memory at start, MiB"] = twin.peak_memory_mb()
        for entries in (10_000, 100_000):
            seconds = scenarios.post_n_to_n(twin.root_url, scenarios.n_to_n(reg_id, entries))
            run.figures[f"nToN {entries:,}: seconds to 200"] = seconds
            run.figures[f"nToN {entries:,}: twin peak memory MiB"] = twin.peak_memory_mb()


def drain(run: Run, out: Path, messages: int = 100_000) -> None:
    """Draining ``messages`` queued at a tiny speed factor, with health probed meanwhile."""
    with servers.twin(out / "logs" / "twin-drain.log", "--speed-factor", "0.00001") as twin:
        reg_id = scenarios.connected_device(twin.root_url)
        result = scenarios.drain(twin.root_url, reg_id, messages)
    run.figures[f"drain {messages:,}: messages/s"] = result.messages_per_s
    run.figures[f"drain {messages:,}: messages/s, queueing included"] = (
        result.messages_per_s_from_request
    )
    run.figures[f"drain {messages:,}: /_mock/health p99 ms"] = result.health_p99_ms


def sdk(run: Run, profile: Profile, out: Path) -> None:
    with servers.twin(out / "logs" / "twin-sdk.log") as twin:
        reg_id = scenarios.connected_device(twin.root_url)
        per_round = scenarios.sdk_overhead(twin.root_url, reg_id, profile.rounds, profile.sdk_calls)
    run.ratios.append(Ratio("sdk / httpx, per send", per_round))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--check", action="store_true", help="short run; exit 1 on a missed target")
    parser.add_argument("--out", type=Path, default=Path("build/bench"), help="results folder")
    parser.add_argument("--rounds", type=int, help="rounds of the interleaved runs")
    parser.add_argument("--seconds", type=float, help="seconds of each wrk run")
    args = parser.parse_args(argv)
    profile = CHECK if args.check else FULL
    if args.rounds or args.seconds:
        profile = Profile(
            rounds=args.rounds or profile.rounds,
            seconds=args.seconds or profile.seconds,
            scenarios=profile.scenarios,
            sdk_calls=profile.sdk_calls,
            full=profile.full,
        )
    load.require_wrk()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    run = Run()
    load_average = os.getloadavg()
    run.notes.append(
        f"{os.cpu_count()} CPUs; load average at start {load_average[0]:.2f}; wrk 1 thread, "
        f"32 connections, {profile.seconds:g} s per run, {profile.rounds} rounds interleaved"
    )
    targets = list(TARGETS)
    interleaved(run, profile, out)
    sdk(run, profile, out)
    if profile.full:
        targets.append(STORE_TARGET)
        store_growth(run, profile, out)
        delivery(run, out)
        n_to_n(run, out)
        drain(run, out)
    table = render(run, targets, FIGURE_TARGETS)
    name = "check" if args.check else "bench"
    (out / f"{name}.json").write_text(
        json.dumps(run.to_json([*targets, *FIGURE_TARGETS]), indent=2), encoding="utf-8"
    )
    (out / f"{name}.md").write_text(table, encoding="utf-8")
    print(table)
    if args.check:
        missed = failures(run, [*targets, STORED_TARGET])
        for line in missed:
            print(f"bench-check: missed {line}", file=sys.stderr)
        return 1 if missed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
