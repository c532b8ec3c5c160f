"""The scenario matrix on Flask's test client: sync views and async views.

Each scenario runs twice per target: once in order, and once as many
interleaved copies on several threads (different origins per copy,
preflights and credentialed requests mixed), each response checked against
its own expectation.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from .apps import build_app
from .checks import (
    Observed,
    assert_all,
    describe,
    instantiate,
    interleaved,
    problems,
)
from .scenarios import SCENARIOS, Req, Scenario

FLASK_TARGETS = ("flask-sync", "flask-async")
#: The test client's own origin (``http://localhost``).
SELF_ORIGIN = "http://localhost"
COPIES = 8
THREADS = 8

CASES = [
    pytest.param(target, scenario, id=f"{target}-{scenario.name}")
    for target in FLASK_TARGETS
    for scenario in SCENARIOS
    if scenario.applies_to(target)
]


def send(client: Any, request: Req) -> Observed:
    response = client.open(
        request.path, method=request.method, headers=list(request.headers)
    )
    try:
        return Observed(
            response.status_code,
            tuple(response.headers.items()),
            response.get_data(),
        )
    finally:
        response.close()


@pytest.mark.parametrize(("target", "scenario"), CASES)
def test_matrix_flask_sequential(target: str, scenario: Scenario) -> None:
    """Every request of the scenario, in order, gets what the table says."""
    client = build_app(target, scenario).test_client()
    failures = []
    for index, template in enumerate(scenario.requests):
        request = instantiate(template, 0, SELF_ORIGIN)
        found = problems(request.expect, send(client, request))
        failures.extend(
            f"{describe(scenario, target, index, request)}: {p}" for p in found
        )

    assert_all(failures)


@pytest.mark.parametrize(("target", "scenario"), CASES)
def test_matrix_flask_concurrent(target: str, scenario: Scenario) -> None:
    """Interleaved copies on threads each get their own headers."""
    app = build_app(target, scenario)
    local = threading.local()

    def run(item: tuple[int, Req]) -> list[str]:
        index, request = item
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = app.test_client()
        found = problems(request.expect, send(client, request))
        return [f"{describe(scenario, target, index, request)}: {p}" for p in found]

    work = interleaved(scenario, COPIES, SELF_ORIGIN, seed=len(scenario.requests))
    with ThreadPoolExecutor(THREADS) as pool:
        failures = [p for found in pool.map(run, work) for p in found]

    assert len(work) == COPIES * len(scenario.requests)
    assert_all(failures)
