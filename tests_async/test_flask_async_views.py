"""Flask async views (run through asgiref by ``ensure_sync``)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from flask import Flask, abort
from flask.views import MethodView

from crossorigin import CORS, cross_origin, exempt

pytest.importorskip("asgiref")

ORIGIN = "https://app.example.com"
OTHER = "https://other.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


def preflight(app: Flask, path: str, origin: str = ORIGIN, method: str = "PUT") -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    return app.test_client().options(path, headers=headers)


def get(app: Flask, path: str, origin: str = ORIGIN) -> Any:
    return app.test_client().get(path, headers={"Origin": origin})


def make_app(*, with_cors_app: bool, **options: Any) -> tuple[Flask, list[str]]:
    """Async views under ``@cross_origin``, with or without ``CORS(app)``."""
    app = Flask(__name__)
    ran: list[str] = []
    if with_cors_app:
        CORS(app, resources={})

    @app.route("/data", methods=["GET", "PUT"])
    @cross_origin(**options)
    async def data() -> str:
        await asyncio.sleep(0)
        ran.append("data")
        return "data"

    @app.get("/abort")
    @cross_origin(**options)
    async def aborted() -> str:
        await asyncio.sleep(0)
        abort(404)

    @app.get("/boom")
    @cross_origin(**options)
    async def boom() -> str:
        await asyncio.sleep(0)
        raise RuntimeError("boom")

    return app, ran


BOTH = pytest.mark.parametrize(
    "with_cors_app", [False, True], ids=["decorator_alone", "with_cors_app"]
)


@BOTH
def test_async_view_decorated_preflight(with_cors_app: bool) -> None:
    app, ran = make_app(with_cors_app=with_cors_app, origins=[ORIGIN])

    allowed = preflight(app, "/data")
    refused = preflight(app, "/data", origin=EVIL)

    assert allowed.status_code == 200
    assert allowed.data == b""
    assert allowed.headers[ACAO] == ORIGIN
    assert refused.status_code == 403
    assert ACAO not in refused.headers
    assert ran == []


@BOTH
def test_async_view_decorated_actual_request(with_cors_app: bool) -> None:
    app, ran = make_app(
        with_cors_app=with_cors_app, origins=[ORIGIN], supports_credentials=True
    )

    response = get(app, "/data")
    refused = get(app, "/data", EVIL)

    assert response.data == b"data"
    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert response.headers.getlist("Vary") == ["Origin"]
    assert ACAO not in refused.headers
    assert ran == ["data", "data"]


@BOTH
def test_async_view_abort_gets_headers(with_cors_app: bool) -> None:
    app, _ = make_app(with_cors_app=with_cors_app, origins=[ORIGIN])

    response = get(app, "/abort")

    assert response.status_code == 404
    assert response.headers[ACAO] == ORIGIN


@BOTH
def test_async_view_unhandled_exception_gets_headers(with_cors_app: bool) -> None:
    app, _ = make_app(with_cors_app=with_cors_app, origins=[ORIGIN])
    skipping, _ = make_app(
        with_cors_app=with_cors_app, origins=[ORIGIN], intercept_exceptions=False
    )

    response = get(app, "/boom")
    skipped = get(skipping, "/boom")

    assert response.status_code == 500
    assert response.headers[ACAO] == ORIGIN
    assert skipped.status_code == 500
    assert ACAO not in skipped.headers


def test_bare_decorator_on_async_view() -> None:
    app = Flask(__name__)

    @app.get("/bare")
    @cross_origin
    async def bare() -> str:
        return "bare"

    response = get(app, "/bare", EVIL)

    assert response.data == b"bare"
    assert response.headers[ACAO] == EVIL
    assert inspect.iscoroutinefunction(app.view_functions["bare"])


def test_hooks_stay_inline_under_ensure_sync() -> None:
    app = Flask(__name__)
    CORS(app)

    # ensure_sync returns plain functions unchanged: no event loop per hook.
    early = app.before_request_funcs[None][0]
    late = app.after_request_funcs[None][0]
    assert app.ensure_sync(early) is early
    assert app.ensure_sync(late) is late


def test_async_view_under_cors_app() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    @app.put("/plain")
    async def plain() -> str:
        return "plain"

    assert preflight(app, "/plain").status_code == 200
    assert (
        app.test_client().put("/plain", headers={"Origin": ORIGIN}).headers[ACAO]
        == ORIGIN
    )


def test_async_exempt_view() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.get("/health")
    @exempt
    async def health() -> str:
        return "up"

    response = get(app, "/health")

    assert response.data == b"up"
    assert ACAO not in response.headers


def test_async_method_view() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    class Item(MethodView):
        decorators = [cross_origin(origins=[OTHER])]  # noqa: RUF012 - Flask's API

        async def get(self) -> str:
            await asyncio.sleep(0)
            return "item"

    app.add_url_rule("/item", view_func=Item.as_view("item"))

    assert get(app, "/item", OTHER).headers[ACAO] == OTHER
    assert ACAO not in get(app, "/item", ORIGIN).headers


# -- Async origin callables ---------------------------------------------------


def allow_other(calls: list[str]) -> Any:
    async def check(origin: str) -> bool:
        await asyncio.sleep(0)
        calls.append(origin)
        return origin == OTHER

    return check


def test_async_origin_callable_under_cors_app() -> None:
    calls: list[str] = []
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN, allow_other(calls)])

    @app.put("/x")
    def x() -> str:
        return "x"

    listed = get(app, "/x")
    checked = get(app, "/x", OTHER)
    refused = get(app, "/x", EVIL)
    answered = preflight(app, "/x", origin=OTHER)

    assert listed.headers[ACAO] == ORIGIN
    assert checked.headers[ACAO] == OTHER
    assert ACAO not in refused.headers
    assert answered.status_code == 200
    assert answered.headers[ACAO] == OTHER
    # Listed origins never reach the callable.
    assert calls == [OTHER, EVIL, OTHER]


@pytest.mark.parametrize("async_view", [False, True], ids=["sync_view", "async_view"])
def test_async_origin_callable_decorator_alone(async_view: bool) -> None:
    calls: list[str] = []
    app = Flask(__name__)
    decorate = cross_origin(origins=allow_other(calls))

    if async_view:

        async def view() -> str:
            return "v"

    else:

        def view() -> str:
            return "v"

    app.add_url_rule("/v", "v", decorate(view), methods=["GET", "PUT"])

    allowed = get(app, "/v", OTHER)
    refused = get(app, "/v", EVIL)
    answered = preflight(app, "/v", origin=OTHER)
    denied = preflight(app, "/v", origin=EVIL)

    assert allowed.headers[ACAO] == OTHER
    assert ACAO not in refused.headers
    assert answered.status_code == 200
    assert denied.status_code == 403
    assert calls == [OTHER, EVIL, OTHER, EVIL]


def test_failing_async_origin_callable_refuses() -> None:
    async def broken(origin: str) -> bool:
        raise RuntimeError("database down")

    app = Flask(__name__)
    CORS(app, origins=broken)

    @app.get("/x")
    def x() -> str:
        return "x"

    response = get(app, "/x", OTHER)

    assert response.status_code == 200
    assert ACAO not in response.headers
