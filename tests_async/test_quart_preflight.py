"""Quart: preflights are answered first, before auth and the view."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart import Blueprint, Quart, abort, request  # noqa: E402

from crossorigin import CORS, cross_origin, exempt  # noqa: E402

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"


async def preflight(
    app: Quart, path: str, origin: str = ORIGIN, method: str = "PUT", **extra: str
) -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return await app.test_client().options(path, headers=headers)


def require_token(view: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """An auth decorator that knows nothing of CORS: it refuses OPTIONS too."""

    @functools.wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)
        return await view(*args, **kwargs)

    return wrapper


def make_app(**options: Any) -> tuple[Quart, list[str]]:
    """An app whose auth hook and views record that they ran."""
    app = Quart(__name__)
    calls: list[str] = []

    @app.before_request
    async def auth() -> None:
        calls.append("before_request")
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    CORS(app, **options)

    @app.route("/items", methods=["GET", "PUT"])
    async def items() -> str:
        calls.append("view")
        return "items"

    return app, calls


async def test_preflight_answered_before_earlier_before_request() -> None:
    app, calls = make_app(origins=[ORIGIN])

    response = await preflight(app, "/items", Access_Control_Request_Headers="x-token")

    assert response.status_code == 200
    assert await response.get_data() == b""
    assert response.headers[ACAO] == ORIGIN
    assert response.headers["Access-Control-Allow-Headers"] == "x-token"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Vary"] == "Origin"
    assert calls == []


async def test_preflight_refused_is_403_without_cors_headers() -> None:
    app, calls = make_app(origins=[ORIGIN])

    response = await preflight(app, "/items", origin=EVIL)

    assert response.status_code == 403
    assert not [h for h in response.headers if h[0].lower().startswith("access-")]
    assert response.headers["Vary"] == "Origin"
    assert calls == []


async def test_preflight_refused_method_is_403() -> None:
    app, calls = make_app(origins=[ORIGIN], methods=["GET", "PUT"])

    response = await preflight(app, "/items", method="DELETE")

    assert response.status_code == 403
    assert ACAO not in response.headers
    assert calls == []


async def test_preflight_hooks_are_async_and_first() -> None:
    app, _ = make_app()

    @app.before_request
    async def later() -> None:
        return None

    first = app.before_request_funcs[None][0]
    last_after = app.after_request_funcs[None][0]
    first_ws = app.before_websocket_funcs[None][0]
    assert first.__name__ == "answer_preflight"
    assert last_after.__name__ == "add_headers"
    assert first_ws.__name__ == "check_websocket"
    for hook in (first, last_after, first_ws):
        assert inspect.iscoroutinefunction(hook)


async def test_preflight_hooks_installed_once_for_app_and_blueprints() -> None:
    app = Quart(__name__)
    first = Blueprint("first", __name__)
    second = Blueprint("second", __name__)
    CORS(first)
    CORS(second)
    CORS(app)
    app.register_blueprint(first)
    app.register_blueprint(second)

    assert len(app.before_request_funcs[None]) == 1
    assert len(app.after_request_funcs[None]) == 1
    assert len(app.before_websocket_funcs[None]) == 1


async def test_preflight_answered_before_auth_decorator() -> None:
    app = Quart(__name__)
    CORS(app, origins=[ORIGIN])
    ran: list[str] = []

    @app.put("/secret")
    @require_token
    async def secret() -> str:
        ran.append("view")
        return "secret"

    allowed = await preflight(app, "/secret")
    actual = await app.test_client().put("/secret", headers={"Origin": ORIGIN})

    assert allowed.status_code == 200
    assert allowed.headers[ACAO] == ORIGIN
    assert actual.status_code == 401
    assert actual.headers[ACAO] == ORIGIN
    assert ran == []


async def test_preflight_answered_before_quart_auth_login_required() -> None:
    quart_auth = pytest.importorskip("quart_auth")
    app = Quart(__name__)
    app.secret_key = "test only"
    quart_auth.QuartAuth(app)
    CORS(app, origins=[ORIGIN], supports_credentials=True)

    @app.route("/me", methods=["GET", "PATCH"])
    @quart_auth.login_required
    async def me() -> str:
        return "me"

    answer = await preflight(app, "/me", method="PATCH")
    actual = await app.test_client().patch("/me", headers={"Origin": ORIGIN})

    assert answer.status_code == 200
    assert answer.headers[ACAO] == ORIGIN
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert actual.status_code == 401
    assert actual.headers[ACAO] == ORIGIN
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"


async def test_preflight_decorated_view_answered_by_early_hook() -> None:
    app, calls = make_app(resources={})

    @app.route("/one", methods=["PUT"])
    @cross_origin(origins=[ORIGIN])
    async def one() -> str:
        calls.append("one")
        return "one"

    allowed = await preflight(app, "/one")
    refused = await preflight(app, "/one", origin=EVIL)

    assert allowed.status_code == 200
    assert allowed.headers[ACAO] == ORIGIN
    assert refused.status_code == 403
    assert calls == []


async def test_preflight_decorator_alone_answers_after_before_request() -> None:
    app = Quart(__name__)
    calls: list[str] = []

    @app.before_request
    async def auth() -> None:
        calls.append("before_request")

    @app.route("/alone", methods=["PUT"])
    @cross_origin(origins=[ORIGIN])
    async def alone() -> str:
        calls.append("view")
        return "alone"

    response = await preflight(app, "/alone")

    assert response.status_code == 200
    assert await response.get_data() == b""
    assert response.headers[ACAO] == ORIGIN
    assert calls == ["before_request"]


@pytest.mark.parametrize("hooks", [True, False], ids=["with-cors-app", "decorator"])
async def test_preflight_to_sync_view_answered(hooks: bool) -> None:
    app = Quart(__name__)
    if hooks:
        CORS(app, resources={})
    threads: list[str] = []

    @app.route("/sync", methods=["GET", "PUT"])
    @cross_origin(origins=[ORIGIN])
    def sync_view() -> str:
        threads.append(threading.current_thread().name)
        return "sync"

    allowed = await preflight(app, "/sync")
    refused = await preflight(app, "/sync", origin=EVIL)
    actual = await app.test_client().get("/sync", headers={"Origin": ORIGIN})

    assert allowed.status_code == 200
    assert await allowed.get_data() == b""
    assert allowed.headers[ACAO] == ORIGIN
    assert refused.status_code == 403
    assert ACAO not in refused.headers
    assert actual.headers[ACAO] == ORIGIN
    assert await actual.get_data() == b"sync"
    # Quart ran the sync view in a worker thread, and only for the GET.
    assert len(threads) == 1
    assert threads[0] != threading.current_thread().name


@pytest.mark.parametrize("hooks", [True, False], ids=["with-cors-app", "decorator"])
@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
async def test_preflight_plain_options_gets_default_answer(
    hooks: bool, is_async: bool
) -> None:
    app = Quart(__name__)
    if hooks:
        CORS(app, resources={})
    ran: list[str] = []

    if is_async:

        @app.route("/v", methods=["GET", "PUT"])
        @cross_origin(origins=[ORIGIN])
        async def view() -> str:
            ran.append("view")
            return "view"

    else:

        @app.route("/v", methods=["GET", "PUT"])
        @cross_origin(origins=[ORIGIN])
        def view() -> str:
            ran.append("view")
            return "view"

    response = await app.test_client().options("/v", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
    }
    assert response.headers[ACAO] == ORIGIN
    assert ran == []


async def test_preflight_automatic_options_false_goes_to_app() -> None:
    app, calls = make_app(origins=[ORIGIN], automatic_options=False)

    response = await preflight(app, "/items")

    assert response.status_code == 401
    assert response.headers[ACAO] == ORIGIN
    assert calls == ["before_request"]


async def test_preflight_exempt_view_gets_no_answer() -> None:
    app, calls = make_app(origins=[ORIGIN])

    @app.route("/health", methods=["GET", "PUT"])
    @exempt
    async def health() -> str:
        return "ok"

    response = await preflight(app, "/health")

    assert response.status_code == 401
    assert ACAO not in response.headers
    assert "Vary" not in response.headers
    assert calls == ["before_request"]


async def test_preflight_blueprint_policy_is_a_boundary() -> None:
    app = Quart(__name__)
    api = Blueprint("api", __name__, url_prefix="/api")
    CORS(api, origins=["https://partner.example.org"])
    CORS(app, origins=[ORIGIN])

    @api.put("/thing")
    async def thing() -> str:
        return "thing"

    @app.put("/other")
    async def other() -> str:
        return "other"

    app.register_blueprint(api)

    partner = await preflight(app, "/api/thing", origin="https://partner.example.org")
    app_origin_on_bp = await preflight(app, "/api/thing")
    app_origin = await preflight(app, "/other")

    assert partner.status_code == 200
    assert app_origin_on_bp.status_code == 403
    assert app_origin.status_code == 200


async def test_preflight_unknown_path_gets_app_404_with_headers() -> None:
    app, calls = make_app(origins=[ORIGIN])

    response = await preflight(app, "/nowhere")

    assert response.status_code == 401  # the auth hook runs, as for any 404
    assert response.headers[ACAO] == ORIGIN
    assert calls == ["before_request"]


async def test_preflight_not_redirected_by_strict_slashes() -> None:
    app = Quart(__name__)
    CORS(app, origins=[ORIGIN])

    @app.put("/folder/")
    async def folder() -> str:
        return "folder"

    response = await preflight(app, "/folder")

    assert response.status_code == 200
    assert response.headers[ACAO] == ORIGIN


async def test_preflight_route_without_options_found_by_requested_method() -> None:
    app = Quart(__name__)
    api = Blueprint("api", __name__)
    CORS(api, origins=["https://partner.example.org"])
    CORS(app, origins=[ORIGIN])

    async def upload() -> str:
        return "up"

    api.add_url_rule(
        "/upload", view_func=upload, methods=["PUT"], provide_automatic_options=False
    )
    app.register_blueprint(api)

    partner = await preflight(app, "/upload", origin="https://partner.example.org")
    app_origin = await preflight(app, "/upload")

    assert partner.status_code == 200
    assert partner.headers[ACAO] == "https://partner.example.org"
    assert app_origin.status_code == 403


async def test_preflight_resources_without_match_goes_to_app() -> None:
    app, calls = make_app(resources={"/api/*": {"origins": [ORIGIN]}})

    response = await preflight(app, "/items")

    assert response.status_code == 401
    assert ACAO not in response.headers
    assert calls == ["before_request"]


async def test_preflight_async_origin_callable_awaited_on_loop() -> None:
    seen: list[tuple[str, int]] = []

    async def allowed(origin: str) -> bool:
        seen.append((origin, threading.get_ident()))
        return origin.endswith(".example.com")

    app, calls = make_app(origins=["https://listed.example.org", allowed])

    ok = await preflight(app, "/items", origin="https://ok.example.com")
    listed = await preflight(app, "/items", origin="https://listed.example.org")
    refused = await preflight(app, "/items", origin=EVIL)

    assert ok.status_code == 200
    assert ok.headers[ACAO] == "https://ok.example.com"
    assert listed.status_code == 200
    assert refused.status_code == 403
    # Listed origins never reach the callable; the others are awaited on
    # this event loop's thread, not in a worker thread.
    assert [o for o, _ in seen] == ["https://ok.example.com", EVIL]
    assert {t for _, t in seen} == {threading.get_ident()}
    assert calls == []
