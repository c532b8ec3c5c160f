"""Quart: check_websocket_origin refuses foreign origins' handshakes."""

from __future__ import annotations

from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart import Blueprint, Quart, websocket  # noqa: E402
from quart.testing import WebsocketResponseError  # noqa: E402

from crossorigin import CORS, cross_origin, exempt  # noqa: E402

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"


def make_app(**options: Any) -> tuple[Quart, list[str]]:
    app = Quart(__name__)
    ran: list[str] = []
    CORS(app, **options)

    @app.before_websocket
    async def auth() -> None:
        ran.append("before_websocket")

    @app.websocket("/ws")
    async def ws() -> None:
        ran.append("handler")
        await websocket.accept()
        await websocket.send("hello")

    @app.websocket("/open")
    @exempt
    async def open_ws() -> None:
        ran.append("handler")
        await websocket.send("open")

    return app, ran


async def connect(
    app: Quart, path: str, origin: str | None, scheme: str = "ws", host: str = ""
) -> Any:
    """Return the handshake's refusal status, or the first message."""
    headers = {"Origin": origin} if origin is not None else {}
    if host:
        headers["Host"] = host
    try:
        async with app.test_client().websocket(
            path, headers=headers, scheme=scheme
        ) as ws:
            return await ws.receive()
    except WebsocketResponseError as error:
        return error.response.status_code


async def test_websocket_foreign_origin_refused_before_handler() -> None:
    app, ran = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/ws", EVIL) == 403
    assert ran == []


async def test_websocket_allowed_origin_connects() -> None:
    app, ran = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/ws", ORIGIN) == "hello"
    assert ran == ["before_websocket", "handler"]


@pytest.mark.parametrize(
    ("scheme", "host", "origin"),
    [
        ("ws", "localhost", "http://localhost"),
        ("ws", "API.example.com:80", "http://api.example.com"),
        ("wss", "api.example.com", "https://api.example.com"),
        ("wss", "api.example.com:443", "https://API.example.com"),
        ("ws", "api.example.com:8080", "http://api.example.com:8080"),
    ],
)
async def test_websocket_same_origin_passes(
    scheme: str, host: str, origin: str
) -> None:
    app, _ = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/ws", origin, scheme=scheme, host=host) == "hello"


@pytest.mark.parametrize(
    ("scheme", "host", "origin"),
    [
        ("ws", "api.example.com", "https://api.example.com"),
        ("wss", "api.example.com", "http://api.example.com"),
        ("ws", "api.example.com:8080", "http://api.example.com"),
        ("ws", "api.example.com", "http://api.example.com.evil.net"),
    ],
)
async def test_websocket_other_scheme_host_or_port_is_foreign(
    scheme: str, host: str, origin: str
) -> None:
    app, _ = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/ws", origin, scheme=scheme, host=host) == 403


async def test_websocket_without_origin_passes() -> None:
    app, _ = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/ws", None) == "hello"


async def test_websocket_check_off_by_default() -> None:
    app, _ = make_app(origins=[ORIGIN])

    assert await connect(app, "/ws", EVIL) == "hello"


async def test_websocket_exempt_route_not_checked() -> None:
    app, _ = make_app(origins=[ORIGIN], check_websocket_origin=True)

    assert await connect(app, "/open", EVIL) == "open"


async def test_websocket_async_origin_callable_awaited() -> None:
    async def allowed(origin: str) -> bool:
        return origin == "https://dynamic.example.com"

    app, _ = make_app(origins=[allowed], check_websocket_origin=True)

    assert await connect(app, "/ws", "https://dynamic.example.com") == "hello"
    assert await connect(app, "/ws", EVIL) == 403


async def test_websocket_malformed_origin_refused() -> None:
    app, _ = make_app(check_websocket_origin=True)

    assert await connect(app, "/ws", "null") == 403
    assert await connect(app, "/ws", "https://ok.example.com") == "hello"


async def test_websocket_blueprint_scope_checked() -> None:
    app = Quart(__name__)
    live = Blueprint("live", __name__, url_prefix="/live")
    CORS(live, origins=[ORIGIN], check_websocket_origin=True)

    @live.websocket("/feed")
    async def feed() -> None:
        await websocket.send("feed")

    app.register_blueprint(live)

    assert await connect(app, "/live/feed", EVIL) == 403
    assert await connect(app, "/live/feed", ORIGIN) == "feed"


@pytest.mark.parametrize("hooks", [True, False], ids=["with-cors-app", "decorator"])
async def test_websocket_decorated_handler_checks_its_own_origins(hooks: bool) -> None:
    app = Quart(__name__)
    if hooks:
        CORS(app, origins=[ORIGIN], check_websocket_origin=True)
    ran: list[str] = []

    @app.websocket("/partner")
    @cross_origin(origins=["https://partner.example.org"], check_websocket_origin=True)
    async def partner() -> None:
        ran.append("handler")
        await websocket.send("partner")

    assert await connect(app, "/partner", "https://partner.example.org") == "partner"
    assert await connect(app, "/partner", ORIGIN) == 403
    assert await connect(app, "/partner", None) == "partner"
    assert ran == ["handler", "handler"]
