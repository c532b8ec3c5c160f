"""Medians and spreads of interleaved rounds, and the derived comparisons.

Every comparison is paired by round: the overhead of a variant in round
``r`` is its time minus the bare app's time in the same round, and a ratio
is taken between figures of the same round, so that a slow moment of the
machine moves both sides together. The figure reported is the median over
the rounds, with the interquartile range as its spread.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    median: float
    q1: float
    q3: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "min": self.low,
            "max": self.high,
            "n": self.n,
        }


def summarise(values: Sequence[float]) -> Summary:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        nan = math.nan
        return Summary(nan, nan, nan, nan, nan, 0)
    if len(finite) == 1:
        v = finite[0]
        return Summary(v, v, v, v, v, 1)
    q1, _, q3 = statistics.quantiles(finite, n=4, method="inclusive")
    return Summary(
        statistics.median(finite), q1, q3, min(finite), max(finite), len(finite)
    )


def differences(values: Sequence[float], base: Sequence[float]) -> list[float]:
    return [v - b for v, b in zip(values, base, strict=True)]


def ratios(top: Sequence[float], bottom: Sequence[float]) -> list[float]:
    """Round-by-round ratios; a round whose denominator is not positive is
    left out (it would say nothing about the ratio, only about noise)."""
    return [t / b if b > 0 else math.nan for t, b in zip(top, bottom, strict=True)]
