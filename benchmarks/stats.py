"""Percentiles and the plain-text result table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NO_GOAL = "—"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    """Seconds shown as milliseconds, with a precision that suits the size."""
    if math.isnan(seconds):
        return "n/a"
    value = seconds * 1000
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


@dataclass(frozen=True)
class Row:
    metric: str
    result: str
    goal: str = NO_GOAL
    met: bool | None = None

    @property
    def verdict(self) -> str:
        if self.met is None:
            return ""
        return "yes" if self.met else "NO"


class Table:
    """Rows of metric | result | goal | met?, printed with aligned columns."""

    HEADER = ("metric", "result", "goal", "met?")

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def add(self, metric: str, result: str, goal: str = NO_GOAL, met: bool | None = None) -> None:
        self.rows.append(Row(metric, result, goal, met))

    def render(self) -> str:
        cells = [self.HEADER, *((r.metric, r.result, r.goal, r.verdict) for r in self.rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.HEADER))]

        def line(row: Sequence[str]) -> str:
            return " | ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()

        rule = "-+-".join("-" * width for width in widths)
        return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])

    @property
    def all_met(self) -> bool:
        return all(row.met is not False for row in self.rows)
