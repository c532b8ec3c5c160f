"""``quart cors check`` and ``quart cors explain`` on Quart apps.

The tests are sync functions: ``explain`` runs its request context on an
event loop of its own, as it does under the ``quart`` command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from werkzeug.datastructures import Headers  # noqa: E402

from crossorigin import CORS, cross_origin, exempt  # noqa: E402
from crossorigin._cli import Query, Step, _explain, register_cli  # noqa: E402

APP_ORIGIN = "https://app.example.com"
ADMIN_ORIGIN = "https://admin.example.com"
WIDGET_ORIGIN = "https://widgets.example.com"


def make_app(calls: list[str] | None = None) -> Any:
    seen = calls if calls is not None else []
    app = quart.Quart("example")
    CORS(
        app,
        origins=[APP_ORIGIN],
        allow_headers=["Content-Type"],
        check_websocket_origin=True,
    )

    admin = quart.Blueprint("admin", __name__)
    CORS(admin, origins=ADMIN_ORIGIN, methods=["GET", "POST"])

    @admin.get("/users")
    async def users() -> list[str]:
        seen.append("users")
        return ["ann"]

    @admin.route("/locked", methods=["POST"], provide_automatic_options=False)
    async def locked() -> str:
        seen.append("locked")
        return "locked"

    app.register_blueprint(admin, url_prefix="/admin")

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    async def items() -> list[str]:
        seen.append("items")
        return []

    @app.get("/widgets")
    @cross_origin(origins=[WIDGET_ORIGIN], max_age=600)
    def widgets() -> list[str]:
        seen.append("widgets")
        return []

    @app.get("/health")
    @exempt
    async def health() -> str:
        seen.append("health")
        return "ok"

    return app


def invoke(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["cors", *args])


def test_register_cli_quart_adds_one_group() -> None:
    app = make_app()
    group = app.cli.commands["cors"]

    register_cli(app)

    assert app.cli.commands["cors"] is group


def test_check_quart_lists_every_scope() -> None:
    result = invoke(make_app(), "check")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "CORS policies of app 'example'" in out
    assert "CORS(app) (every path)" in out
    assert "check_websocket_origin=True" in out
    assert "CORS(blueprint 'admin') (/admin/locked, /admin/users)" in out
    assert "@cross_origin on view 'widgets' (/widgets)" in out
    assert "exempt view 'health' (/health): no CORS handling" in out
    assert "No warnings." in out


def test_check_quart_names_quart_cors_config_keys() -> None:
    app = quart.Quart("migrating")
    app.config["QUART_CORS_ALLOW_ORIGIN"] = APP_ORIGIN
    CORS(app, origins=[APP_ORIGIN])

    result = invoke(app, "check", "--strict")

    assert result.exit_code == 1
    assert "config key QUART_CORS_ALLOW_ORIGIN is not read by crossorigin" in (
        result.output
    )
    assert "use CORS_ORIGINS instead" in result.output


def test_explain_quart_allowed_request() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/api/items")

    assert result.exit_code == 0, result.output
    assert "policy: CORS(app)" in result.output
    assert f"Access-Control-Allow-Origin: {APP_ORIGIN}" in result.output
    assert "Result: allowed." in result.output


def test_explain_quart_refused_origin() -> None:
    result = invoke(make_app(), "explain", "https://app.example.net", "/api/items")

    assert result.exit_code == 1
    assert "decision: refused (origin not allowed)" in result.output
    assert f"why: the closest listed origin is '{APP_ORIGIN}'" in result.output
    assert "Result: refused." in result.output


def test_explain_quart_refused_header() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/api/items", "-H", "x-token")

    assert result.exit_code == 1
    assert (
        "why: header 'x-token' not allowed; the allowed headers are Content-Type"
        in result.output
    )
    assert "status: 403" in result.output


def test_explain_quart_never_runs_a_view() -> None:
    calls: list[str] = []
    app = make_app(calls)

    invoke(app, "explain", APP_ORIGIN, "/api/items", "-X", "PUT")
    invoke(app, "explain", WIDGET_ORIGIN, "/widgets")
    invoke(app, "explain", ADMIN_ORIGIN, "/admin/locked", "-X", "POST", "-H", "x-a")

    assert calls == []


# -- explain agrees with the app ------------------------------------------------------

SCENARIOS = [
    (APP_ORIGIN, "/api/items", "GET", ()),
    (APP_ORIGIN, "/api/items", "PUT", ("content-type",)),
    (APP_ORIGIN, "/api/items", "PUT", ("x-token",)),
    ("https://evil.example", "/api/items", "GET", ()),
    ("https://evil.example", "/api/items", "DELETE", ()),
    (APP_ORIGIN, "/nowhere", "PUT", ()),
    (ADMIN_ORIGIN, "/admin/users", "POST", ("x-a",)),
    (ADMIN_ORIGIN, "/admin/users", "DELETE", ()),
    (ADMIN_ORIGIN, "/admin/locked", "POST", ("x-a",)),
    ("https://evil.example", "/admin/locked", "POST", ("x-a",)),
    (WIDGET_ORIGIN, "/widgets", "PUT", ()),
    (WIDGET_ORIGIN, "/widgets", "GET", ()),
    (APP_ORIGIN, "/widgets", "GET", ()),
    (APP_ORIGIN, "/health", "PUT", ()),
]


def cors_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    # The test client reads header names off the ASGI messages, lower-cased.
    lowered = ((k.lower(), v) for k, v in headers)
    return sorted((k, v) for k, v in lowered if k.startswith("access-control-"))


def request_headers(step: Step, query: Query) -> Headers:
    headers = Headers({"Origin": query.origin})
    if step.preflight and query.needs_preflight:
        headers["Access-Control-Request-Method"] = query.method
        if query.request_headers:
            headers["Access-Control-Request-Headers"] = query.request_headers
    return headers


def assert_agrees(app: Any, query: Query) -> None:
    steps = _explain(app, query)

    async def send_all() -> list[Any]:
        client = app.test_client()
        return [
            await client.open(
                step.path, method=step.method, headers=request_headers(step, query)
            )
            for step in steps
        ]

    for step, response in zip(steps, asyncio.run(send_all()), strict=True):
        if step.decision is None:
            assert cors_headers(response.headers.items()) == [], step
            continue
        assert cors_headers(response.headers.items()) == cors_headers(
            step.decision.headers
        ), step
        vary = response.headers.get("Vary", "")
        assert ("Origin" in vary) == (("Vary", "Origin") in step.decision.headers)
        if step.handler in ("early", "view-answer"):
            assert response.status_code == step.decision.status, step
        if step.routing_status is not None:
            assert response.status_code == step.routing_status, step


@pytest.mark.parametrize(("origin", "path", "method", "headers"), SCENARIOS)
def test_explain_quart_agrees_with_the_app(
    origin: str, path: str, method: str, headers: tuple[str, ...]
) -> None:
    assert_agrees(make_app(), Query(origin, path, method, headers, False))


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        (WIDGET_ORIGIN, "GET", ()),
        (WIDGET_ORIGIN, "PUT", ("x-a",)),
        ("https://evil.example", "PUT", ()),
        ("https://evil.example", "GET", ()),
    ],
)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_explain_quart_agrees_with_a_decorator_alone(
    origin: str, method: str, headers: tuple[str, ...], is_async: bool
) -> None:
    app = quart.Quart("decorated")
    if is_async:

        @app.route("/w", methods=["GET", "PUT"])
        @cross_origin(origins=[WIDGET_ORIGIN])
        async def w() -> str:
            return "w"

    else:

        @app.route("/w", methods=["GET", "PUT"])
        @cross_origin(origins=[WIDGET_ORIGIN])
        def w() -> str:
            return "w"

    query = Query(origin, "/w", method, headers, False)

    assert _explain(app, query)[0].handler in ("view", "view-answer")
    assert_agrees(app, query)


def test_explain_quart_async_origin_callable_is_awaited() -> None:
    async def allowed(origin: str) -> bool:
        await asyncio.sleep(0)
        return origin.endswith(".partner.example")

    app = quart.Quart("callable")
    CORS(app, origins=[APP_ORIGIN, allowed])

    @app.get("/")
    async def index() -> str:
        return "ok"

    assert invoke(app, "explain", "https://a.partner.example").exit_code == 0
    assert invoke(app, "explain", "https://a.other.example").exit_code == 1
    assert_agrees(app, Query("https://a.partner.example", "/", "GET", (), False))
