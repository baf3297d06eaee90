"""The benchmark's own arithmetic: ratios per round, noise, verdicts, the table, wrk's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load import Request, lua_script, parse
from bench.results import Ratio, Run, Sample, Target, failures, ratio, render


def sample(server: str, rnd: int, rate: float, scenario: str = "send") -> Sample:
    return Sample(scenario, server, rnd, rate, 1.0, 5.0, int(rate), 0)


def test_a_ratio_is_taken_within_each_round() -> None:
    samples = [
        sample("twin", 1, 2000),
        sample("prism", 1, 500),
        sample("twin", 2, 1000),
        sample("prism", 2, 400),
        sample("twin", 3, 900, scenario="other"),
    ]
    measured = ratio("twin / prism", samples, "send", "twin", "prism")
    assert measured.per_round == (4.0, 2.5)
    assert measured.value == pytest.approx(3.25)
    assert measured.noise == pytest.approx(0.75)


def test_a_round_missing_a_server_is_left_out() -> None:
    samples = [sample("twin", 1, 2000), sample("prism", 2, 500)]
    assert ratio("r", samples, "send", "twin", "prism").per_round == ()


@pytest.mark.parametrize(
    ("per_round", "verdict"),
    [((4.5, 4.1), "ok"), ((3.9, 3.5, 4.3), "noise"), ((3.0, 3.1), "MISS")],
)
def test_a_floor_is_missed_only_beyond_the_noise(
    per_round: tuple[float, ...], verdict: str
) -> None:
    assert Target("r", at_least=4.0).verdict(Ratio("r", per_round)) == verdict


@pytest.mark.parametrize(
    ("per_round", "verdict"), [((1.05,), "ok"), ((1.15, 1.0, 1.3), "noise"), ((1.3, 1.4), "MISS")]
)
def test_a_ceiling_is_missed_only_beyond_the_noise(
    per_round: tuple[float, ...], verdict: str
) -> None:
    assert Target("r", at_most=1.1).verdict(Ratio("r", per_round)) == verdict


def test_failures_name_missed_and_unmeasured_targets() -> None:
    run = Run(ratios=[Ratio("fast", (5.0, 5.2)), Ratio("slow", (2.0, 2.1))])
    targets = [
        Target("fast", at_least=4),
        Target("slow", at_least=4),
        Target("absent", at_least=1),
    ]
    missed = failures(run, targets)
    assert [line.split(":")[0] for line in missed] == ["slow", "absent"]


def test_a_figure_with_a_target_is_checked_too() -> None:
    run = Run(figures={"unstored": 3, "stored ok": 0})
    targets = [Target("unstored", at_most=0), Target("stored ok", at_most=0)]
    assert [line.split(":")[0] for line in failures(run, targets)] == ["unstored"]


def test_the_table_shows_medians_ratios_verdicts_and_figures() -> None:
    run = Run(
        samples=[sample("twin", 1, 2000), sample("twin", 2, 3000), sample("prism", 1, 500)],
        ratios=[Ratio("twin / prism", (4.0, 6.0))],
        figures={"delivery reports/s": 1234.5},
        notes=["2 CPUs"],
    )
    text = render(
        run, [Target("twin / prism", at_least=4)], [Target("delivery reports/s", at_least=1500)]
    )
    lines = text.splitlines()
    assert lines[0].startswith("| scenario ")
    assert any("| twin " in line and "2,500" in line for line in lines)
    ratio_line = next(line for line in lines if line.startswith("| twin / prism"))
    assert "| 5 " in ratio_line
    assert ">= 4" in ratio_line
    assert "| ok " in ratio_line
    figure_line = next(line for line in lines if line.startswith("| delivery reports/s"))
    assert "1,234" in figure_line or "1,235" in figure_line
    assert "MISS" in figure_line
    assert text.rstrip().endswith("2 CPUs")


def test_the_json_holds_every_target_with_its_verdict() -> None:
    run = Run(ratios=[Ratio("r", (1.0,))], figures={"f": 10.0})
    data = run.to_json([Target("r", at_least=2), Target("f", at_most=20), Target("x", at_most=1)])
    assert [t["verdict"] for t in data["targets"]] == ["MISS", "ok", "not run"]


def test_the_wrk_result_line_is_parsed() -> None:
    figures = parse("Running 2s test\nBENCH-RESULT 4000 2000000 3 0 1 0 0 1500.0 9000.0\n")
    assert figures.requests_per_s == 2000
    assert (figures.status_errors, figures.socket_errors) == (3, 1)
    assert (figures.p50_ms, figures.p99_ms) == (1.5, 9.0)
    with pytest.raises(RuntimeError):
        parse("no line here")


def test_the_lua_script_sets_method_headers_and_body_file(tmp_path: Path) -> None:
    body = tmp_path / "b.body"
    script = lua_script(Request("POST", "/x", {"client-id": "a"}, b"{}"), body)
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["client-id"] = "a"' in script
    assert str(body) in script
    assert "done = function" in script
    assert "io.open" not in lua_script(Request("GET", "/x", {}), body)


def test_prism_posts_the_contracts_callbacks_to_the_receiver(tmp_path: Path) -> None:
    import yaml

    from bench.servers import CONTRACT, callbacks_to

    url = "http://127.0.0.1:9/reports"
    copy = yaml.safe_load(callbacks_to(CONTRACT, tmp_path / "c.yaml", url).read_text("utf-8"))
    original = yaml.safe_load(CONTRACT.read_text("utf-8"))
    assert copy["paths"].keys() == original["paths"].keys()
    callbacks = [
        callback
        for item in copy["paths"].values()
        for operation in item.values()
        for callback in operation.get("callbacks", {}).values()
    ]
    assert len(callbacks) == 3
    assert all(list(callback) == [url] for callback in callbacks)
