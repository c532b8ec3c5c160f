"""The scenario matrix on Quart's test client (async views).

The same table as ``tests/matrix/test_matrix_flask.py``: each scenario runs
once in order, then as many interleaved copies under ``asyncio.gather``
(different origins per copy, preflights and credentialed requests mixed),
each response checked against its own expectation.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("quart")

# The table lives in tests/matrix, which pytest puts on sys.path only when it
# collects tests/ first; make it importable when this folder runs alone.
TESTS = str(Path(__file__).resolve().parent.parent / "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

apps = importlib.import_module("matrix.apps")
checks = importlib.import_module("matrix.checks")
table = importlib.import_module("matrix.scenarios")

TARGET = "quart"
#: The test client's own origin (``http://localhost``).
SELF_ORIGIN = "http://localhost"
COPIES = 8

CASES = [
    pytest.param(scenario, id=scenario.name)
    for scenario in table.SCENARIOS
    if scenario.applies_to(TARGET)
]


async def send(client: Any, request: Any) -> Any:
    from quart.testing.connections import WebsocketResponseError

    headers = list(request.headers)
    if request.method == "WEBSOCKET":
        try:
            async with client.websocket(request.path, headers=_headers(headers)) as ws:
                await ws.send("ping")
                echoed = await asyncio.wait_for(ws.receive(), timeout=5)
                assert echoed == "ping"
        except WebsocketResponseError as error:
            response = error.response
            body = await response.get_data()
            return checks.Observed(
                response.status_code, tuple(response.headers.items()), body
            )
        return checks.Observed(101, (), None)

    response = await client.open(
        request.path, method=request.method, headers=_headers(headers)
    )
    body = await response.get_data()
    return checks.Observed(response.status_code, tuple(response.headers.items()), body)


def _headers(pairs: list[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import Headers

    return Headers(pairs)


@pytest.mark.parametrize("scenario", CASES)
async def test_matrix_quart_sequential(scenario: Any) -> None:
    """Every request of the scenario, in order, gets what the table says."""
    client = apps.build_app(TARGET, scenario).test_client()
    failures = []
    for index, template in enumerate(scenario.requests):
        request = checks.instantiate(template, 0, SELF_ORIGIN)
        found = checks.problems(request.expect, await send(client, request))
        failures.extend(
            f"{checks.describe(scenario, TARGET, index, request)}: {p}" for p in found
        )

    checks.assert_all(failures)


@pytest.mark.parametrize("scenario", CASES)
async def test_matrix_quart_concurrent(scenario: Any) -> None:
    """Interleaved copies under asyncio.gather each get their own headers."""
    client = apps.build_app(TARGET, scenario).test_client()

    async def run(index: int, request: Any) -> list[str]:
        found = checks.problems(request.expect, await send(client, request))
        where = checks.describe(scenario, TARGET, index, request)
        return [f"{where}: {p}" for p in found]

    work = checks.interleaved(
        scenario, COPIES, SELF_ORIGIN, seed=len(scenario.requests)
    )
    results = await asyncio.wait_for(
        asyncio.gather(*(run(index, request) for index, request in work)),
        timeout=60,
    )

    assert len(results) == COPIES * len(scenario.requests)
    checks.assert_all([p for found in results for p in found])
