"""How a user's typed code uses crossorigin; ``mypy --strict`` must pass on it.

This module is type-checked (``nox -s types``), never imported by the test
suite. The checks rely on ``--strict``'s ``warn_unused_ignores``: each
``type: ignore`` below marks a call that must be an error, so if the API ever
accepted it (a misspelt option, a decorator that erased a view's signature),
the ignore would be unused and mypy would fail.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Awaitable, Callable

import flask
import quart

from crossorigin import (
    CORS,
    ConfigError,
    CORSOptions,
    Decision,
    Policy,
    cross_origin,
    exempt,
)

SHARED = Policy(
    origins=["https://app.example.com", "https://*.example.com"],
    methods=["GET", "POST"],
    allow_headers=["Content-Type", re.compile(r"x-custom-.*")],
    expose_headers="X-Total-Count",
    supports_credentials=True,
    max_age=datetime.timedelta(minutes=10),
)
OPTIONS: CORSOptions = {"origins": "https://app.example.com", "debug": True}


# -- Flask ----------------------------------------------------------------------


def make_flask_app() -> flask.Flask:
    app = flask.Flask(__name__)
    CORS(app, resources={"/api/*": {"origins": ["https://app.example.com"]}})

    bp = flask.Blueprint("admin", __name__)
    CORS(bp, policy=SHARED)
    app.register_blueprint(bp, url_prefix="/admin")

    cors = CORS(**OPTIONS)
    other = flask.Flask("other")
    cors.init_app(other, max_age=600, intercept_exceptions=False)

    @app.get("/items/<int:item_id>")
    @cross_origin(origins="https://app.example.com")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/stream")
    @cross_origin
    async def stream() -> str:
        return "ok"

    @app.get("/health")
    @exempt
    def health() -> str:
        return "ok"

    return app


# -- Quart ----------------------------------------------------------------------


def make_quart_app() -> quart.Quart:
    app = quart.Quart(__name__)
    CORS(app, origins=["https://app.example.com"], check_websocket_origin=True)

    bp = quart.Blueprint("admin", __name__)
    CORS(bp, origins=["https://admin.example.com"])
    app.register_blueprint(bp, url_prefix="/admin")

    @app.get("/items/<int:item_id>")
    @cross_origin(policy=SHARED)
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.websocket("/ws")
    @exempt
    async def ws() -> None:
        await quart.websocket.send("hello")

    return app


# -- Decorators keep the view's signature -------------------------------------


def sync_view(item_id: int, *, verbose: bool = False) -> str:
    return f"{item_id} {verbose}"


async def async_view(item_id: int) -> dict[str, int]:
    return {"id": item_id}


def check_decorators_keep_signatures() -> None:
    bare: Callable[[int], str] = cross_origin(sync_view)
    configured: Callable[[int], str] = cross_origin(origins=["https://a.example"])(
        sync_view
    )
    awaited: Callable[[int], Awaitable[dict[str, int]]] = cross_origin(max_age=60)(
        async_view
    )
    skipped: Callable[[int], str] = exempt(sync_view)
    skipped_async: Callable[[int], Awaitable[dict[str, int]]] = exempt(async_view)

    # Had a decorator returned Callable[..., Any], these would not be errors.
    cross_origin(methods="GET")(sync_view)(1, verbose="no")  # type: ignore[arg-type]
    cross_origin(sync_view)(1, unknown=True)  # type: ignore[call-arg]
    number: int = cross_origin(sync_view)(1)  # type: ignore[assignment]
    text: str = cross_origin(async_view)(1)  # type: ignore[assignment]
    pending = exempt(async_view)("1")  # type: ignore[arg-type]
    del pending, bare, configured, awaited, skipped, skipped_async, number, text


# -- Options are typed ----------------------------------------------------------


def check_options_are_typed(app: flask.Flask, qapp: quart.Quart) -> None:
    # Misspelt options (Flask-CORS habits, quart-cors names) are type errors.
    CORS(app, origin="https://app.example.com")  # type: ignore[call-arg]
    CORS(qapp, allow_origin="https://app.example.com")  # type: ignore[call-arg]
    cross_origin(support_credentials=True)  # type: ignore[call-overload]
    Policy(allow_credentials=True)  # type: ignore[call-arg]
    # So are values of the wrong type.
    CORS(app, supports_credentials="yes")  # type: ignore[arg-type]
    CORS(app, debug=1.5)  # type: ignore[arg-type]
    Policy(max_age=[600])  # type: ignore[arg-type]
    # And positional options, which Flask-CORS silently ignored.
    cross_origin("https://app.example.com")  # type: ignore[call-overload]


# -- The core, without a framework -----------------------------------------------


def check_core() -> None:
    decision: Decision = SHARED.decide(
        "OPTIONS",
        {
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
        },
    )
    status: int | None = decision.status
    headers: tuple[tuple[str, str], ...] = decision.headers
    allowed: bool = decision.allowed and decision.preflight
    reason: str = decision.reason
    warnings: tuple[str, ...] = SHARED.warnings
    narrower: Policy = SHARED.replace(methods=["GET"])
    try:
        Policy(origins="*", supports_credentials=True)
    except ConfigError as exc:
        problems: tuple[str, ...] = exc.problems
        assert isinstance(exc, ValueError)
        del problems
    del status, headers, allowed, reason, warnings, narrower
