"""Refusals leave a trace: one record per decision, none forged (Quart)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart.testing import WebsocketResponseError  # noqa: E402

from crossorigin import CORS, cross_origin  # noqa: E402

ALLOWED = "https://app.example.com"
FOREIGN = "https://evil.example"
FORGED = "2024-01-01 INFO forged entry"


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "crossorigin" or r.name.startswith("crossorigin.")
    ]


def make_app(*, debug: bool = False, decorator_only: bool = False) -> Any:
    app = quart.Quart("logged")
    if not decorator_only:
        CORS(
            app,
            origins=[ALLOWED],
            allow_headers=["Content-Type"],
            check_websocket_origin=True,
            debug=debug,
        )

    @app.route("/items", methods=["GET", "PUT"])
    async def items() -> str:
        return "items"

    @app.get("/deco")
    @cross_origin(origins=[ALLOWED], debug=debug)
    async def deco() -> str:
        return "deco"

    @app.get("/deco-sync")
    @cross_origin(origins=[ALLOWED], debug=debug)
    def deco_sync() -> str:
        return "deco"

    @app.websocket("/ws")
    async def ws() -> None:
        await quart.websocket.accept()
        await quart.websocket.send("hello")

    return app


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="crossorigin")
    return caplog


async def test_log_quart_allowed_request_is_one_debug_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    await make_app().test_client().get("/items", headers={"Origin": ALLOWED})

    [record] = records(debug_logs)
    assert record.levelno == logging.DEBUG
    assert (
        record.getMessage() == f"GET '/items' from origin '{ALLOWED}': origin allowed"
    )


async def test_log_quart_refusal_is_info_under_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="crossorigin")

    client = make_app(debug=True).test_client()
    await client.get("/items", headers={"Origin": ALLOWED})
    await client.get("/items", headers={"Origin": FOREIGN})

    [record] = records(caplog)
    assert record.levelno == logging.INFO
    assert (
        record.getMessage()
        == f"GET '/items' from origin '{FOREIGN}': origin not allowed"
    )


async def test_log_quart_refusal_is_debug_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="crossorigin")

    await make_app().test_client().get("/items", headers={"Origin": FOREIGN})

    assert records(caplog) == []


async def test_log_quart_refused_preflight_is_one_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    response = (
        await make_app(debug=True)
        .test_client()
        .options(
            "/items",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-token",
            },
        )
    )

    [record] = records(debug_logs)
    assert response.status_code == 403
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"OPTIONS '/items' from origin '{ALLOWED}': a requested header is not allowed"
    )


@pytest.mark.parametrize("path", ["/deco", "/deco-sync"])
async def test_log_quart_decorator_alone_logs_each_decision(
    debug_logs: pytest.LogCaptureFixture, path: str
) -> None:
    client = make_app(decorator_only=True, debug=True).test_client()
    await client.get(path, headers={"Origin": ALLOWED})
    await client.get(path, headers={"Origin": FOREIGN})

    allowed, refused = records(debug_logs)
    assert (allowed.levelno, refused.levelno) == (logging.DEBUG, logging.INFO)
    assert allowed.getMessage().endswith(": origin allowed")
    assert (
        refused.getMessage()
        == f"GET {path!r} from origin '{FOREIGN}': origin not allowed"
    )


async def test_log_quart_refused_websocket_is_one_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    client = make_app(debug=True).test_client()

    with pytest.raises(WebsocketResponseError) as refused:
        async with client.websocket("/ws", headers={"Origin": FOREIGN}) as socket:
            await socket.receive()

    [record] = records(debug_logs)
    assert refused.value.response.status_code == 403
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"WEBSOCKET '/ws' from origin '{FOREIGN}': origin not allowed"
    )


async def test_log_quart_crlf_in_path_stays_in_one_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    # Quart decodes %0D%0A into a real CR LF in request.path.
    await (
        make_app(debug=True)
        .test_client()
        .get(f"/items%0D%0A{FORGED}", headers={"Origin": FOREIGN})
    )

    [record] = records(debug_logs)
    message = record.getMessage()
    assert "\r" not in message
    assert "\n" not in message
    assert f"'/items\\r\\n{FORGED}'" in message


async def test_log_quart_crlf_in_origin_never_reaches_a_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    # Quart builds Werkzeug Headers from the ASGI scope, which refuse a
    # value with CR or LF before any hook runs: no record can be forged.
    app = make_app(debug=True)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/items",
        "raw_path": b"/items",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"origin", f"{ALLOWED}\r\n{FORGED}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "extensions": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with pytest.raises(ValueError, match="newline"):
        await app(scope, receive, send)

    assert sent == []
    assert records(debug_logs) == []
