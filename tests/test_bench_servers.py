"""The real-server comparison: which result is whose, and how it is rated."""

from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[ModuleType, ModuleType]]:
    """benchmarks/servers.py and report.py, imported for this module only.

    Their own imports (apps, stats) are plain top-level names: they are put
    on sys.path and into sys.modules here, and taken out again afterwards.
    """
    before = set(sys.modules)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("servers"), importlib.import_module("report")
    finally:
        sys.path.remove(str(BENCHMARKS))
        for name in set(sys.modules) - before:
            del sys.modules[name]


def _result(requests: int, cpu_s: float | None, non_2xx: int = 0) -> dict[str, Any]:
    return {"requests": requests, "non_2xx": non_2xx, "cpu_s": cpu_s}


def _by_port(ports: list[int], *_: object) -> list[dict[str, Any]]:
    """A load generator that answers, for each port, that port's number."""
    return [{"requests": port, "non_2xx": 0, "socket_errors": ""} for port in ports]


@pytest.mark.parametrize("other_first", [False, True])
def test_paired_run_keeps_each_result_with_its_server(
    bench: tuple[ModuleType, ModuleType], other_first: bool
) -> None:
    servers, _ = bench
    pid = os.getpid()
    run = servers._paired_run(
        _by_port, (1111, pid), (2222, pid), other_first, ("GET", {}, 1, Path("."))
    )
    assert run["bare"]["requests"] == 1111
    assert run["other"]["requests"] == 2222
    if sys.platform == "linux":
        assert run["bare"]["cpu_s"] is not None and run["bare"]["cpu_s"] >= 0


def test_ratio_is_per_cpu_second_and_requests_ratio_is_plain(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    _, report = bench
    # In each run the other server got less of the shared CPU but served as
    # much per CPU-second: a ratio of 1, and a requests ratio below it.
    ours = [
        {"bare": _result(1000, 1.0), "other": _result(900, 0.9)},
        {"bare": _result(1200, 1.0), "other": _result(1000, 0.8)},
        {"bare": _result(800, 0.8), "other": _result(700, 0.7, non_2xx=3)},
    ]
    control = [{"bare": _result(1000, 1.0), "other": _result(1000, 1.0)}] * 3
    analysis = report.analyse_servers(
        {"seconds": 2, "runs": {"quart/simple": {"ours": ours, "control": control}}}
    )
    entry = analysis["quart/simple"]
    assert entry["ratio"]["median"] == pytest.approx(1.0)
    assert entry["ratio"]["min"] == pytest.approx(1.0)
    assert entry["requests_ratio"]["median"] == pytest.approx(0.875)
    assert entry["control_ratio"]["median"] == pytest.approx(1.0)
    assert entry["bare"]["median"] == pytest.approx(1000.0)
    assert entry["ours"]["median"] == pytest.approx(1000.0)
    assert entry["non_2xx"] == 3
    assert entry["per_cpu"] is True


def test_without_cpu_time_the_rate_is_per_second_of_the_run(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    _, report = bench
    ours = [{"bare": _result(1000, None), "other": _result(900, 0.5)}]
    entry = report.analyse_servers(
        {"seconds": 2, "runs": {"flask/simple": {"ours": ours}}}
    )["flask/simple"]
    assert entry["bare"]["median"] == pytest.approx(500.0)
    assert entry["ours"]["median"] == pytest.approx(1800.0)
    assert entry["per_cpu"] is False
    assert "control_ratio" not in entry
    assert not math.isnan(entry["ratio"]["median"])
