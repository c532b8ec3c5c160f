"""Medians and spreads of interleaved rounds, and the derived comparisons.

Every comparison is paired by round: the overhead of a variant in round
``r`` is its time minus the bare app's time in the same round, so that a
slow moment of the machine moves both sides together. The figure reported
is the median over the rounds, with the interquartile range as its spread.

The ratio of two overheads is the ratio of their medians, as the targets
are worded ("crossorigin's overhead at most 0.3 of Flask-CORS's"), with
the quartiles of a bootstrap over the rounds as its spread. A median of
round-by-round ratios would be pulled up by every round in which the
denominator's noise makes it small.
"""

from __future__ import annotations

import math
import random
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


def ratio_of_medians(
    top: Sequence[float], bottom: Sequence[float], resamples: int = 2000
) -> Summary:
    """``median(top) / median(bottom)``, with a bootstrap spread.

    The rounds are resampled with replacement, each keeping its pair of
    values; ``q1``/``q3`` and ``min``/``max`` are the quartiles and the 2.5th
    and 97.5th percentiles of the resampled ratios. The seed is fixed, so a
    report can be made again from the same rounds.
    """
    pairs = [(t, b) for t, b in zip(top, bottom, strict=True) if math.isfinite(t + b)]
    nan = math.nan
    if not pairs:
        return Summary(nan, nan, nan, nan, nan, 0)

    def ratio(sample: Sequence[tuple[float, float]]) -> float:
        below = statistics.median(b for _, b in sample)
        return statistics.median(t for t, _ in sample) / below if below > 0 else nan

    rng = random.Random(len(pairs))
    resampled = sorted(
        r
        for r in (ratio(rng.choices(pairs, k=len(pairs))) for _ in range(resamples))
        if math.isfinite(r)
    )
    point = ratio(pairs)
    if not resampled:
        return Summary(point, nan, nan, nan, nan, len(pairs))

    def at(q: float) -> float:
        return resampled[min(len(resampled) - 1, int(q * len(resampled)))]

    return Summary(point, at(0.25), at(0.75), at(0.025), at(0.975), len(pairs))
