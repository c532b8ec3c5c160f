"""Quart under hypercorn on 127.0.0.1: the adapter over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

import pytest

quart = pytest.importorskip("quart")
httpx = pytest.importorskip("httpx")
pytest.importorskip("hypercorn")

from hypercorn.asyncio import serve  # noqa: E402
from hypercorn.config import Config  # noqa: E402
from quart import Quart, abort, request, websocket  # noqa: E402

from crossorigin import CORS  # noqa: E402

pytestmark = pytest.mark.integration

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
TIMEOUT = 10.0


def make_app() -> Quart:
    app = Quart(__name__)

    @app.before_request
    async def auth() -> None:
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    CORS(
        app,
        origins=[ORIGIN],
        supports_credentials=True,
        check_websocket_origin=True,
    )

    @app.route("/items", methods=["GET", "PUT"])
    async def items() -> str:
        return "items"

    @app.websocket("/ws")
    async def ws() -> None:
        await websocket.accept()
        await websocket.send("hello")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until_listening(server: asyncio.Task[None], port: int) -> None:
    while True:
        if server.done():
            server.result()  # raises the server's start-up error
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


@contextlib.asynccontextmanager
async def running(app: Quart) -> AsyncIterator[str]:
    """Serve ``app`` with hypercorn on a free local port; stop it after."""
    config = Config()
    port = free_port()
    config.bind = [f"127.0.0.1:{port}"]
    config.graceful_timeout = 1.0
    config.accesslog = None
    config.errorlog = logging.getLogger("test-hypercorn")
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    try:
        await asyncio.wait_for(until_listening(server, port), TIMEOUT)
        yield f"127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.wait_for(server, TIMEOUT)


async def handshake(address: str, origin: str) -> bytes:
    """Open a websocket by hand; return the status line of the answer."""
    host, _, port = address.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /ws HTTP/1.1\r\n"
            f"Host: {address}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"Origin: {origin}\r\n"
            "\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.readline(), TIMEOUT)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_integration_hypercorn_preflight_credentials_and_refusals() -> None:
    async with running(make_app()) as address:
        base = f"http://{address}"
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
            preflight = await client.options(
                "/items",
                headers={
                    "Origin": ORIGIN,
                    "Access-Control-Request-Method": "PUT",
                    "Access-Control-Request-Headers": "authorization",
                },
            )
            refused = await client.options(
                "/items",
                headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"},
            )
            unauthorised = await client.put("/items", headers={"Origin": ORIGIN})
            actual = await client.put(
                "/items",
                headers={"Origin": ORIGIN, "Authorization": "Bearer ok"},
            )

        foreign_ws = await handshake(address, EVIL)
        allowed_ws = await handshake(address, ORIGIN)

    # The preflight is answered ahead of the auth hook, with an empty body.
    assert preflight.status_code == 200
    assert preflight.content == b""
    assert preflight.headers[ACAO] == ORIGIN
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization"

    assert refused.status_code == 403
    assert not [k for k in refused.headers if k.lower().startswith("access-")]

    assert unauthorised.status_code == 401
    assert unauthorised.headers[ACAO] == ORIGIN

    assert actual.status_code == 200
    assert actual.text == "items"
    assert actual.headers[ACAO] == ORIGIN
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"
    assert actual.headers["Vary"] == "Origin"

    assert foreign_ws.startswith(b"HTTP/1.1 403")
    assert allowed_ws.startswith(b"HTTP/1.1 101")
