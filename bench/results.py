"""Figures of a run: ratios between servers measured in the same rounds, targets, the table.

Servers run interleaved (round 1: A B C, round 2: A B C, ...), so a ratio is taken within each
round and the rounds' spread is the noise of the run: a ratio misses its target only when it is
below the target by more than that noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One load run of one server on one scenario in one round."""

    scenario: str
    server: str
    round: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int = 0


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` per round: its median and its noise (half the spread)."""

    name: str
    per_round: tuple[float, ...]

    @property
    def value(self) -> float:
        return statistics.median(self.per_round) if self.per_round else float("nan")

    @property
    def noise(self) -> float:
        if len(self.per_round) < 2:
            return 0.0
        return (max(self.per_round) - min(self.per_round)) / 2


@dataclass(frozen=True)
class Target:
    """A ratio's floor (``at_least``) or ceiling (``at_most``), from the benchmark's goals."""

    ratio: str
    at_least: float | None = None
    at_most: float | None = None

    def describe(self) -> str:
        if self.at_least is not None:
            return f">= {self.at_least:g}"
        return f"<= {self.at_most:g}"

    def verdict(self, ratio: Ratio) -> str:
        """``ok``, ``noise`` (misses it by less than the run's noise) or ``MISS``."""
        value, noise = ratio.value, ratio.noise
        if self.at_least is not None:
            if value >= self.at_least:
                return "ok"
            return "noise" if value >= self.at_least - noise else "MISS"
        assert self.at_most is not None
        if value <= self.at_most:
            return "ok"
        return "noise" if value <= self.at_most + noise else "MISS"


@dataclass
class Run:
    """Everything one run measured."""

    samples: list[Sample] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def measured(self) -> dict[str, Ratio]:
        """Ratios and figures by name (a figure as a ratio of one round, without noise)."""
        found = {name: Ratio(name, (value,)) for name, value in self.figures.items()}
        return found | {r.name: r for r in self.ratios}

    def to_json(self, targets: Sequence[Target]) -> dict[str, Any]:
        by_name = self.measured()
        return {
            "samples": [asdict(s) for s in self.samples],
            "ratios": [
                {"name": r.name, "value": r.value, "noise": r.noise, "per_round": r.per_round}
                for r in self.ratios
            ],
            "targets": [
                {
                    "ratio": t.ratio,
                    "target": t.describe(),
                    "verdict": t.verdict(by_name[t.ratio]) if t.ratio in by_name else "not run",
                }
                for t in targets
            ],
            "figures": self.figures,
            "notes": self.notes,
        }


def ratio(name: str, samples: Iterable[Sample], scenario: str, top: str, bottom: str) -> Ratio:
    """The requests/s of server ``top`` over that of ``bottom`` on ``scenario``, per round."""
    rates: dict[tuple[str, int], float] = {
        (s.server, s.round): s.requests_per_s for s in samples if s.scenario == scenario
    }
    rounds = sorted({r for (_, r) in rates})
    per_round = tuple(
        rates[(top, r)] / rates[(bottom, r)]
        for r in rounds
        if (top, r) in rates and (bottom, r) in rates and rates[(bottom, r)] > 0
    )
    return Ratio(name, per_round)


def failures(run: Run, targets: Sequence[Target]) -> list[str]:
    """The targets a run misses by more than its noise (a target not measured is a failure)."""
    by_name = run.measured()
    missed = []
    for target in targets:
        measured = by_name.get(target.ratio)
        if measured is None or not measured.per_round:
            missed.append(f"{target.ratio}: not measured")
        elif target.verdict(measured) == "MISS":
            missed.append(
                f"{target.ratio}: {measured.value:.3g} (noise ±{measured.noise:.2g}), "
                f"target {target.describe()}"
            )
    return missed


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "| " + " | ".join("-" * w for w in widths) + " |",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def render(run: Run, targets: Sequence[Target], figure_targets: Sequence[Target] = ()) -> str:
    """The run as Markdown tables: load per scenario and server, ratios and targets, figures."""
    groups: dict[tuple[str, str], list[Sample]] = {}
    for s in run.samples:
        groups.setdefault((s.scenario, s.server), []).append(s)
    load_rows = [
        [
            scenario,
            server,
            f"{statistics.median(s.requests_per_s for s in group):,.0f}",
            f"{statistics.median(s.p50_ms for s in group):.2f}",
            f"{statistics.median(s.p99_ms for s in group):.2f}",
            str(sum(s.non_2xx + s.socket_errors for s in group)),
            str(len(group)),
        ]
        for (scenario, server), group in groups.items()
    ]
    out = [
        _table(
            ["scenario", "server", "requests/s", "p50 ms", "p99 ms", "non-2xx", "rounds"],
            load_rows,
        )
    ]
    by_target = {t.ratio: t for t in targets}
    ratio_rows = [
        [
            r.name,
            f"{r.value:.3g}",
            f"±{r.noise:.2g}",
            " ".join(f"{v:.3g}" for v in r.per_round),
            by_target[r.name].describe() if r.name in by_target else "",
            by_target[r.name].verdict(r) if r.name in by_target else "",
        ]
        for r in run.ratios
    ]
    if ratio_rows:
        out.append(
            _table(["ratio", "median", "noise", "per round", "target", "verdict"], ratio_rows)
        )
    goals = {t.ratio: t for t in figure_targets}
    figure_rows = [
        [
            name,
            f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}",
            goals[name].describe() if name in goals else "",
            goals[name].verdict(Ratio(name, (value,))) if name in goals else "",
        ]
        for name, value in run.figures.items()
    ]
    if figure_rows:
        out.append(_table(["figure", "value", "target", "verdict"], figure_rows))
    out += run.notes
    return "\n\n".join(out) + "\n"
