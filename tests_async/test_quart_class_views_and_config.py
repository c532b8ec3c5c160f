"""Quart: marks on class-based view methods, CORS_* keys on decorators, and
the websocket check of a decorated sync handler."""

from __future__ import annotations

import asyncio

import pytest

quart = pytest.importorskip("quart")

from quart.views import MethodView  # noqa: E402

from crossorigin import CORS, cross_origin, exempt  # noqa: E402

A = "https://a.example.com"
B = "https://b.example.com"
ACAO = "Access-Control-Allow-Origin"


async def _preflight(
    app: quart.Quart, path: str, origin: str
) -> tuple[int, str | None]:
    response = await app.test_client().options(
        path, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"}
    )
    return response.status_code, response.headers.get(ACAO)


async def test_quart_method_view_method_decorator_answers_its_preflight() -> None:
    app = quart.Quart(__name__)

    class Items(MethodView):
        async def get(self) -> str:
            return "g"

        @cross_origin(origins=[A])
        async def put(self) -> str:
            return "p"

    app.add_url_rule("/r", view_func=Items.as_view("r"))
    CORS(app, origins=[B])
    client = app.test_client()

    assert await _preflight(app, "/r", A) == (200, A)
    assert (await _preflight(app, "/r", B))[0] == 403
    assert (await client.put("/r", headers={"Origin": A})).headers[ACAO] == A
    assert (await client.get("/r", headers={"Origin": B})).headers[ACAO] == B


async def test_quart_method_view_exempt_method_gets_no_cors_headers() -> None:
    app = quart.Quart(__name__)

    class Items(MethodView):
        async def get(self) -> str:
            return "g"

        @exempt
        async def put(self) -> str:
            return "p"

    app.add_url_rule("/r", view_func=Items.as_view("r"))
    CORS(app, origins=[A])
    client = app.test_client()

    assert (await _preflight(app, "/r", A))[1] is None
    assert ACAO not in (await client.put("/r", headers={"Origin": A})).headers
    assert (await client.get("/r", headers={"Origin": A})).headers[ACAO] == A


async def test_quart_decorator_ignores_cors_resources_config() -> None:
    app = quart.Quart(__name__)
    app.config["CORS_RESOURCES"] = {"/api/*": {"origins": [B]}}

    @app.route("/api/x")
    @cross_origin(origins=[A])
    async def in_api() -> str:
        return "x"

    client = app.test_client()

    assert (await client.get("/api/x", headers={"Origin": A})).headers[ACAO] == A
    assert ACAO not in (await client.get("/api/x", headers={"Origin": B})).headers


async def test_quart_decorator_reads_placement_from_config() -> None:
    app = quart.Quart(__name__)
    app.config["CORS_INTERCEPT_EXCEPTIONS"] = False

    @app.route("/boom")
    @cross_origin(origins=[A])
    async def boom() -> str:
        raise RuntimeError("boom")

    response = await app.test_client().get("/boom", headers={"Origin": A})

    assert response.status_code == 500
    assert ACAO not in response.headers


async def test_quart_decorated_sync_websocket_refuses_foreign_origin() -> None:
    app = quart.Quart(__name__)
    ran: list[str] = []

    @app.websocket("/ws")
    @cross_origin(origins=[A], check_websocket_origin=True)
    def handler() -> None:
        ran.append(quart.websocket.headers.get("Origin", ""))

    client = app.test_client()
    with pytest.raises(Exception) as info:
        async with client.websocket(
            "/ws", headers={"Origin": "https://evil.com"}
        ) as ws:
            await ws.send("x")
            # Bounded: a handler that wrongly ran would leave this waiting.
            await asyncio.wait_for(ws.receive(), timeout=5)

    assert getattr(getattr(info.value, "response", None), "status_code", None) == 403
    assert ran == []
