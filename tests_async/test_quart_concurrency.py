"""Quart: many requests in flight at once each get exactly their headers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart import Quart, request  # noqa: E402

from crossorigin import CORS, cross_origin  # noqa: E402

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
IN_FLIGHT = 500


async def dynamic(origin: str) -> bool:
    # Yield to the loop, so that other requests run between the start and
    # the end of this one's decision.
    await asyncio.sleep(0)
    return origin.endswith(".example.org")


def make_app(in_view: list[int] | None = None) -> Quart:
    """``in_view`` gets the number of requests inside the view, per entry."""
    app = Quart(__name__)
    now = [0]
    CORS(
        app,
        origins=["https://*.example.com", dynamic],
        supports_credentials=True,
        expose_headers=["X-Request"],
    )

    @app.route("/echo", methods=["GET", "PUT"])
    async def echo() -> Any:
        now[0] += 1
        if in_view is not None:
            in_view.append(now[0])
        await asyncio.sleep(0)
        now[0] -= 1
        return "", 200, {"X-Request": request.headers["X-Request"]}

    @app.get("/sync")
    @cross_origin(origins=["https://*.example.com"])
    def sync_view() -> Any:
        return "", 200, {"X-Request": request.headers["X-Request"]}

    return app


def scenario(i: int) -> tuple[str, str, dict[str, str], str | None]:
    """Request ``i``: method, path, headers and the ACAO it must get."""
    kind = i % 5
    listed = f"https://c{i}.example.com"
    headers = {"X-Request": str(i)}
    if kind == 0:
        return "GET", "/echo", {**headers, "Origin": listed}, listed
    if kind == 1:
        origin = f"https://c{i}.example.org"  # allowed by the async callable
        return "GET", "/echo", {**headers, "Origin": origin, "Cookie": "s=1"}, origin
    if kind == 2:
        origin = f"https://c{i}.evil.net"
        return "GET", "/echo", {**headers, "Origin": origin}, None
    if kind == 3:
        preflight = {
            "Origin": listed,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": f"x-c{i}",
        }
        return "OPTIONS", "/echo", {**headers, **preflight}, listed
    return "GET", "/sync", {**headers, "Origin": listed}, listed


async def test_concurrency_each_request_gets_its_own_headers() -> None:
    in_view: list[int] = []
    app = make_app(in_view)
    client = app.test_client()
    scenarios = [scenario(i) for i in range(IN_FLIGHT)]

    responses = await asyncio.gather(
        *(
            client.open(path, method=method, headers=headers)
            for method, path, headers, _ in scenarios
        )
    )

    for i, ((method, path, _, expected), response) in enumerate(
        zip(scenarios, responses, strict=True)
    ):
        assert response.headers.get(ACAO) == expected, (i, method, path)
        assert response.headers["Vary"] == "Origin"
        if method == "OPTIONS":
            assert response.status_code == 200
            assert response.headers["Access-Control-Allow-Headers"] == f"x-c{i}"
            assert response.headers[ACAC] == "true"
            continue
        assert response.headers["X-Request"] == str(i)
        if path == "/echo" and expected is not None:
            assert response.headers[ACAC] == "true"
            assert response.headers["Access-Control-Expose-Headers"] == "X-Request"
        else:
            assert ACAC not in response.headers
    # The requests really were in flight together.
    assert max(in_view) > 1


async def test_concurrency_refused_preflights_interleaved_with_allowed() -> None:
    app = make_app()
    client = app.test_client()

    def headers(i: int) -> dict[str, str]:
        host = "example.org" if i % 2 else "evil.net"
        return {
            "Origin": f"https://p{i}.{host}",
            "Access-Control-Request-Method": "PUT",
        }

    responses = await asyncio.gather(
        *(client.options("/echo", headers=headers(i)) for i in range(IN_FLIGHT))
    )

    for i, response in enumerate(responses):
        if i % 2:
            assert response.status_code == 200
            assert response.headers[ACAO] == f"https://p{i}.example.org"
        else:
            assert response.status_code == 403
            assert ACAO not in response.headers
