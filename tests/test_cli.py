"""``flask cors check`` and ``flask cors explain`` on Flask apps."""

from __future__ import annotations

from collections.abc import Iterable

import click
import pytest
from flask import Blueprint, Flask
from werkzeug.datastructures import Headers

from crossorigin import CORS, cross_origin, exempt
from crossorigin._cli import Query, Step, _explain, register_cli

APP_ORIGIN = "https://app.example.com"
ADMIN_ORIGIN = "https://admin.example.com"
WIDGET_ORIGIN = "https://widgets.example.com"


def make_app(calls: list[str] | None = None) -> Flask:
    """Every kind of scope: resources, a blueprint, decorators, exempt."""
    seen = calls if calls is not None else []
    app = Flask("example")
    CORS(
        app,
        resources={
            "/api/*": {
                "origins": [APP_ORIGIN],
                "allow_headers": ["Content-Type", "X-Requested-With"],
                "supports_credentials": True,
            },
            "/public/*": {"send_wildcard": True},
        },
    )

    admin = Blueprint("admin", __name__)
    CORS(admin, origins=ADMIN_ORIGIN, methods=["GET", "POST"])

    @admin.get("/users")
    def users() -> list[str]:
        seen.append("users")
        return ["ann"]

    @admin.route("/locked", methods=["POST"], provide_automatic_options=False)
    def locked() -> str:
        seen.append("locked")
        return "locked"

    app.register_blueprint(admin, url_prefix="/admin")

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> list[str]:
        seen.append("items")
        return []

    @app.route("/api/strict", methods=["PUT"], provide_automatic_options=False)
    def strict() -> str:
        seen.append("strict")
        return "ok"

    @app.get("/public/info")
    async def info() -> str:
        seen.append("info")
        return "info"

    @app.get("/widgets")
    @cross_origin(origins=[WIDGET_ORIGIN], max_age=600)
    async def widgets() -> list[str]:
        seen.append("widgets")
        return []

    @app.get("/health")
    @exempt
    def health() -> str:
        seen.append("health")
        return "ok"

    return app


def invoke(app: Flask, *args: str) -> click.testing.Result:
    return app.test_cli_runner().invoke(args=["cors", *args])


# -- Registration ---------------------------------------------------------------


def test_register_cli_adds_one_group_per_app() -> None:
    app = make_app()
    group = app.cli.commands["cors"]

    register_cli(app)

    assert app.cli.commands["cors"] is group
    assert sorted(group.commands) == ["check", "explain"]  # type: ignore[attr-defined]


def test_register_cli_blueprint_alone_registers_the_group() -> None:
    app = Flask("bp_only")
    bp = Blueprint("api", __name__)
    CORS(bp, origins=APP_ORIGIN)
    assert "cors" not in app.cli.commands

    app.register_blueprint(bp)

    assert "cors" in app.cli.commands


def test_register_cli_keeps_the_apps_own_cors_command() -> None:
    app = Flask("own")

    @app.cli.command("cors")
    def own() -> None:
        click.echo("mine")

    CORS(app)

    assert invoke(app).output == "mine\n"


# -- cors check -----------------------------------------------------------------


def test_check_lists_every_scope_with_its_settings() -> None:
    result = invoke(make_app(), "check")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "CORS(app) (paths its resources match)" in out
    assert "resources['/api/*']:" in out
    assert "resources['/public/*']:" in out
    assert "paths no resources rule matches: no CORS headers" in out
    assert "CORS(blueprint 'admin') (/admin/locked, /admin/users)" in out
    assert f"origins                {ADMIN_ORIGIN}" in out
    assert "methods                GET, POST" in out
    assert "@cross_origin on view 'widgets' (/widgets)" in out
    assert "max_age                600" in out
    assert "exempt view 'health' (/health): no CORS handling" in out
    assert "answered by crossorigin's early hook" in out
    assert "No warnings." in out


def test_check_shows_each_warning_once_with_its_scopes() -> None:
    app = Flask("warned")
    app.config["CORS_HEADERS"] = "Content-Type"
    CORS(app, origins=[APP_ORIGIN])

    @app.get("/w")
    @cross_origin(origins=[WIDGET_ORIGIN])
    def w() -> str:
        return "w"

    result = invoke(app, "check")

    assert result.exit_code == 0
    assert "Warnings (1):" in result.output
    assert (
        "config key CORS_HEADERS is not read by crossorigin; use CORS_ALLOW_HEADERS"
        " instead [CORS(app), @cross_origin on view 'w']"
    ) in result.output


def test_check_strict_fails_on_warnings() -> None:
    app = Flask("warned")
    CORS(app, origins=[APP_ORIGIN], max_age=10**6)

    assert invoke(app, "check").exit_code == 0
    result = invoke(app, "check", "--strict")

    assert result.exit_code == 1
    assert "max_age: 1000000 is more than browsers keep a preflight" in result.output


def test_check_strict_passes_without_warnings() -> None:
    assert invoke(make_app(), "check", "--strict").exit_code == 0


def test_check_reports_a_decorator_the_config_makes_invalid() -> None:
    app = Flask("invalid")
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    CORS(app, origins=[APP_ORIGIN])

    @app.get("/open")
    @cross_origin
    def open_view() -> str:
        return "open"

    result = invoke(app, "check")

    assert result.exit_code == 1
    assert "@cross_origin on view 'open_view' (/open): INVALID" in result.output
    assert "supports_credentials" in result.output


def test_check_without_app_hooks_says_decorators_answer_in_the_view() -> None:
    app = Flask("decorated")

    @app.get("/w")
    @cross_origin(origins=[WIDGET_ORIGIN])
    def w() -> str:
        return "w"

    register_cli(app)
    result = invoke(app, "check")

    assert "CORS(app): not called" in result.output
    assert "a decorated view answers them inside the view call" in result.output


# -- cors explain: the words ------------------------------------------------------


def test_explain_allowed_simple_request() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/api/items")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "policy: CORS(app), resources['/api/*']" in out
    assert "decision: allowed (origin allowed)" in out
    assert f"Access-Control-Allow-Origin: {APP_ORIGIN}" in out
    assert "Access-Control-Allow-Credentials: true" in out
    assert "preflight" not in out.lower()
    assert out.rstrip().endswith(
        f"Result: allowed. The page on {APP_ORIGIN} can read the response."
    )


def test_explain_refused_origin_names_the_closest_listed_origin() -> None:
    result = invoke(make_app(), "explain", "https://app.example.org", "/api/items")

    assert result.exit_code == 1
    out = result.output
    assert "decision: refused (origin not allowed)" in out
    assert (
        "why: origin 'https://app.example.org' is not in the list of allowed origins"
        in out
    )
    assert f"why: the closest listed origin is '{APP_ORIGIN}'" in out
    assert "Access-Control-Allow-Origin" not in out
    assert "Result: refused." in out
    assert "it is not access control" in out


def test_explain_refused_header_names_it() -> None:
    result = invoke(
        make_app(),
        "explain",
        APP_ORIGIN,
        "/api/items",
        "--header",
        "X-Requested-With",
        "--header",
        "X-Token",
    )

    assert result.exit_code == 1
    out = result.output
    assert "The browser sends a preflight first, because it sets" in out
    assert "Access-Control-Request-Headers: x-requested-with,x-token" in out
    assert "decision: refused (a requested header is not allowed)" in out
    assert (
        "why: header 'x-token' not allowed; the allowed headers are"
        " Content-Type, X-Requested-With"
    ) in out
    assert "status: 403" in out
    assert "Actual request: not sent" in out


def test_explain_refused_method_lists_the_allowed_ones() -> None:
    result = invoke(make_app(), "explain", ADMIN_ORIGIN, "/admin/users", "-X", "DELETE")

    assert result.exit_code == 1
    out = result.output
    assert "policy: CORS(blueprint 'admin')" in out
    assert "because DELETE is not a CORS-safelisted method" in out
    assert (
        "why: method 'DELETE' is not allowed; the allowed methods are GET, POST" in out
    )


def test_explain_allowed_preflight_then_actual_request() -> None:
    result = invoke(
        make_app(),
        "explain",
        APP_ORIGIN,
        "/api/items",
        "--method",
        "put",
        "-H",
        "x-requested-with",
        "--credentials",
    )

    assert result.exit_code == 0, result.output
    out = result.output
    assert "Preflight: OPTIONS /api/items (Access-Control-Request-Method: PUT," in out
    assert "handled by: crossorigin's early hook" in out
    assert "status: 200" in out
    assert "Access-Control-Allow-Headers: x-requested-with" in out
    assert "Request: PUT /api/items" in out
    assert "Result: allowed." in out


def test_explain_method_case_follows_the_browser() -> None:
    # Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT.
    result = invoke(make_app(), "explain", WIDGET_ORIGIN, "/widgets", "-X", "patch")

    assert "Access-Control-Request-Method: patch" in result.output


def test_explain_credentials_without_supports_credentials_is_refused() -> None:
    result = invoke(
        make_app(), "explain", ADMIN_ORIGIN, "/admin/users", "--credentials"
    )

    assert result.exit_code == 1
    assert "decision: allowed (origin allowed)" in result.output
    assert "credentials: refused by the browser; there is no" in result.output
    assert "Result: refused." in result.output


def test_explain_credentials_with_a_wildcard_is_refused() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/public/info", "--credentials")

    assert result.exit_code == 1
    assert "never accepts Access-Control-Allow-Origin: * with" in result.output


def test_explain_exempt_view_has_no_cors() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/health")

    assert result.exit_code == 1
    assert "policy: view 'health' is exempt: no CORS handling" in result.output
    assert "decision: none; the response carries no CORS headers" in result.output


def test_explain_unknown_path_fails_the_preflight() -> None:
    result = invoke(make_app(), "explain", APP_ORIGIN, "/api/nowhere", "-X", "PUT")

    assert result.exit_code == 1
    out = result.output
    assert "routing: no route takes OPTIONS /api/nowhere (status 404)" in out
    assert "the browser fails a preflight whose status is not 2xx" in out


def test_explain_malformed_origin_says_what_an_origin_is() -> None:
    result = invoke(make_app(), "explain", f"{APP_ORIGIN}/", "/api/items")

    assert result.exit_code == 1
    assert "write scheme://host[:port], with no path" in result.output


def test_explain_never_runs_a_view() -> None:
    calls: list[str] = []
    app = make_app(calls)

    for args in (
        [APP_ORIGIN, "/api/items", "-X", "PUT", "-H", "content-type"],
        [ADMIN_ORIGIN, "/admin/users", "-X", "POST"],
        [WIDGET_ORIGIN, "/widgets"],
        [APP_ORIGIN, "/health"],
    ):
        invoke(app, "explain", *args)

    assert calls == []


# -- cors explain agrees with the app -----------------------------------------------

SCENARIOS = [
    (APP_ORIGIN, "/api/items", "GET", ()),
    (APP_ORIGIN, "/api/items", "PUT", ("content-type",)),
    (APP_ORIGIN, "/api/items", "PUT", ("x-token",)),
    ("https://evil.example", "/api/items", "GET", ()),
    ("https://evil.example", "/api/items", "DELETE", ()),
    (APP_ORIGIN, "/api/strict", "PUT", ()),
    ("https://any.example", "/public/info", "PATCH", ("x-a",)),
    ("https://any.example", "/public/nowhere", "GET", ()),
    ("https://any.example", "/elsewhere", "GET", ()),
    (ADMIN_ORIGIN, "/admin/users", "POST", ("x-a",)),
    (ADMIN_ORIGIN, "/admin/users", "DELETE", ()),
    (ADMIN_ORIGIN, "/admin/locked", "POST", ("x-a",)),
    ("https://evil.example", "/admin/locked", "POST", ("x-a",)),
    (APP_ORIGIN, "/admin/users", "GET", ()),
    (WIDGET_ORIGIN, "/widgets", "PUT", ()),
    (WIDGET_ORIGIN, "/widgets", "GET", ()),
    (APP_ORIGIN, "/widgets", "GET", ()),
    (APP_ORIGIN, "/health", "PUT", ()),
    ("null", "/api/items", "GET", ()),
]


def cors_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in headers if k.startswith("Access-Control-"))


def request_headers(step: Step, query: Query) -> Headers:
    headers = Headers({"Origin": query.origin})
    if step.preflight and query.needs_preflight:
        headers["Access-Control-Request-Method"] = query.method
        if query.request_headers:
            headers["Access-Control-Request-Headers"] = query.request_headers
    return headers


def assert_agrees(app: Flask, query: Query) -> None:
    """Each explained step matches the response the app really sends."""
    client = app.test_client()
    for step in _explain(app, query):
        headers = request_headers(step, query)
        response = client.open(step.path, method=step.method, headers=headers)
        vary = response.headers.get("Vary", "")

        if step.decision is None:
            assert cors_headers(response.headers.items()) == [], step
            continue
        assert cors_headers(response.headers.items()) == cors_headers(
            step.decision.headers
        ), step
        assert ("Origin" in vary) == (("Vary", "Origin") in step.decision.headers)
        if step.handler in ("early", "view-answer"):
            assert response.status_code == step.decision.status, step
        if step.routing_status is not None:
            assert response.status_code == step.routing_status, step


@pytest.mark.parametrize(("origin", "path", "method", "headers"), SCENARIOS)
def test_explain_agrees_with_the_app(
    origin: str, path: str, method: str, headers: tuple[str, ...]
) -> None:
    query = Query(origin, path, method, headers, credentials=False)

    assert_agrees(make_app(), query)


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
def test_explain_agrees_with_a_decorator_alone(
    origin: str, method: str, headers: tuple[str, ...], is_async: bool
) -> None:
    app = Flask("decorated")
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

    query = Query(origin, "/w", method, headers, credentials=False)
    steps = _explain(app, query)

    assert steps[0].handler in ("view", "view-answer")
    assert_agrees(app, query)


def test_explain_async_origin_callable_is_awaited() -> None:
    async def allowed(origin: str) -> bool:
        return origin.endswith(".partner.example")

    app = Flask("callable")
    CORS(app, origins=[APP_ORIGIN, allowed])

    @app.get("/")
    def index() -> str:
        return "ok"

    ok = invoke(app, "explain", "https://a.partner.example")
    refused = invoke(app, "explain", "https://a.other.example")

    assert ok.exit_code == 0, ok.output
    assert refused.exit_code == 1
    assert "no regular expression or callable of the policy accepted it" in (
        refused.output
    )
    assert_agrees(app, Query("https://a.partner.example", "/", "GET", (), False))
