"""The benchmark's statistics: what the Performance figures are made of."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

# Loaded by path: benchmarks/ is not a package, and its module names
# (stats, apps, report) are too plain to put on sys.path for every test.
_spec = importlib.util.spec_from_file_location(
    "crossorigin_bench_stats",
    Path(__file__).resolve().parents[1] / "benchmarks" / "stats.py",
)
assert _spec is not None and _spec.loader is not None
stats = importlib.util.module_from_spec(_spec)
# dataclasses look their module up in sys.modules.
sys.modules[_spec.name] = stats
_spec.loader.exec_module(stats)
ratio_of_medians = stats.ratio_of_medians


def test_ratio_is_the_ratio_of_the_medians() -> None:
    ours = [5.0, 6.0, 7.0, 6.0, 100.0]
    theirs = [20.0, 24.0, 22.0, 1.0, 23.0]
    summary = ratio_of_medians(ours, theirs)
    assert summary.median == pytest.approx(6.0 / 22.0)
    assert summary.n == 5
    assert summary.low <= summary.q1 <= summary.q3 <= summary.high


def test_not_the_median_of_round_by_round_ratios() -> None:
    # Round by round: 3/8, 9/30, 6/4, 6/24, 7/26 -> median 0.3. Small
    # denominators from noise (the 4) push that up; the target compares
    # the overheads themselves: 6 / 24.
    summary = ratio_of_medians([3.0, 9.0, 6.0, 6.0, 7.0], [8.0, 30.0, 4.0, 24.0, 26.0])
    assert summary.median == pytest.approx(0.25)


def test_spread_is_repeatable() -> None:
    ours = [float(i % 7) for i in range(41)]
    theirs = [20.0 + i % 5 for i in range(41)]
    assert ratio_of_medians(ours, theirs) == ratio_of_medians(ours, theirs)


def test_no_ratio_without_a_positive_denominator() -> None:
    assert math.isnan(ratio_of_medians([1.0, 2.0], [-1.0, 0.0]).median)
    assert ratio_of_medians([], []).n == 0
