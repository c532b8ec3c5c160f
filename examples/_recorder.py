"""Record what each example server received and the CORS headers it sent.

The browser suite and the demo wrap the example apps in these middlewares:
they count preflights at the server and show the headers a browser saw even
when the browser hid the response from script. ``GET /__calls?tag=T`` lists
the requests whose query string carried ``tag=T``, oldest first.

Not part of the examples proper: a real deployment serves
``examples.flask_app:app`` or ``examples.quart_app:app`` directly.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

CALLS_PATH = "/__calls"

Entry = dict[str, Any]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _is_cors_header(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("access-control-") or lowered == "vary"


class CallLog:
    """A bounded, thread-safe list of request entries."""

    def __init__(self, limit: int = 10_000) -> None:
        self._entries: deque[Entry] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def select(self, tag: str | None) -> list[Entry]:
        with self._lock:
            return [e for e in self._entries if tag is None or e["tag"] == tag]

    def as_json(self, query: str) -> bytes:
        tag = parse_qs(query).get("tag", [None])[0]
        return json.dumps(self.select(tag)).encode()


def _entry(method: str, path: str, query: str, headers: dict[str, str]) -> Entry:
    return {
        "method": method,
        "path": path,
        "tag": parse_qs(query).get("tag", [None])[0],
        "origin": headers.get("origin"),
        "request_method": headers.get("access-control-request-method"),
        "request_headers": headers.get("access-control-request-headers"),
        "cookie": headers.get("cookie"),
        "authorization": headers.get("authorization"),
        "status": None,
        "cors": {},
    }


def _finish(entry: Entry, status: int, headers: Iterable[tuple[str, str]]) -> None:
    entry["status"] = status
    cors: dict[str, str] = {}
    for name, value in headers:
        if _is_cors_header(name):
            # ASGI servers send lower-case names; show one spelling for both.
            key = _title(name)
            cors[key] = f"{cors[key]}, {value}" if key in cors else value
    entry["cors"] = cors


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


class WsgiRecorder:
    """WSGI middleware recording each request and its response's headers."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.calls = CallLog()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if path == CALLS_PATH:
            body = self.calls.as_json(query)
            start_response(
                "200 OK",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]

        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        entry = _entry(environ["REQUEST_METHOD"], path, query, headers)
        self.calls.add(entry)

        def recording_start_response(
            status: str, response_headers: list[tuple[str, str]], *exc_info: Any
        ) -> Any:
            _finish(entry, int(status.split()[0]), response_headers)
            return start_response(status, response_headers, *exc_info)

        return self.app(environ, recording_start_response)


class AsgiRecorder:
    """ASGI middleware recording each HTTP request and its response's headers."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        self.calls = CallLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        query = scope.get("query_string", b"").decode("latin-1")
        if scope["path"] == CALLS_PATH:
            body = self.calls.as_json(query)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1")
            for k, v in scope["headers"]
        }
        entry = _entry(scope["method"], scope["path"], query, headers)
        self.calls.add(entry)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                pairs = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers", ())
                ]
                _finish(entry, message["status"], pairs)
            await send(message)

        await self.app(scope, receive, recording_send)


def recorded_flask(*, async_views: bool = True) -> WsgiRecorder:
    """The Flask example (async or sync views), recorded; a gunicorn factory."""
    from examples.flask_app import create_app

    return WsgiRecorder(create_app(async_views=async_views))


def recorded_quart() -> AsgiRecorder:
    """The Quart example, recorded; for hypercorn."""
    from examples.quart_app import app

    return AsgiRecorder(app)
