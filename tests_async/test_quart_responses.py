"""Quart: every kind of response gets the headers its request calls for."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart import Blueprint, Quart, Response, abort, redirect  # noqa: E402

from crossorigin import CORS, Policy, cross_origin, exempt  # noqa: E402

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


async def get(app: Quart, path: str, origin: str | None = ORIGIN, **kw: Any) -> Any:
    headers = {"Origin": origin} if origin is not None else {}
    return await app.test_client().get(path, headers=headers, **kw)


def make_app(**options: Any) -> Quart:
    app = Quart(__name__)
    CORS(app, **options)

    @app.get("/ok")
    async def ok() -> str:
        return "ok"

    @app.get("/abort")
    async def aborted() -> str:
        abort(418)

    @app.get("/boom")
    async def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/moved")
    async def moved() -> Any:
        return redirect("/ok")

    @app.get("/own")
    async def own() -> Any:
        return "own", {ACAO: "https://chosen.example.com", "Vary": "Accept"}

    @app.get("/health")
    @exempt
    async def health() -> str:
        return "healthy"

    return app


async def test_responses_view_gets_headers() -> None:
    app = make_app(origins=[ORIGIN], supports_credentials=True, expose_headers="X-N")

    response = await get(app, "/ok")

    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-N"
    assert response.headers["Vary"] == "Origin"


async def test_responses_refused_origin_gets_only_vary() -> None:
    app = make_app(origins=[ORIGIN])

    response = await get(app, "/ok", origin=EVIL)

    assert response.status_code == 200  # CORS is not access control
    assert ACAO not in response.headers
    assert response.headers["Vary"] == "Origin"


async def test_responses_without_origin_any_origin_policy_sends_star() -> None:
    app = make_app()

    response = await get(app, "/ok", origin=None)

    assert response.headers[ACAO] == "*"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/abort", 418), ("/nowhere", 404), ("/moved", 302), ("/boom", 500)],
)
async def test_responses_errors_and_redirects_get_headers(
    path: str, status: int
) -> None:
    app = make_app(origins=[ORIGIN])

    response = await get(app, path)

    assert response.status_code == status
    assert response.headers[ACAO] == ORIGIN
    assert response.headers["Vary"] == "Origin"


async def test_responses_405_gets_headers() -> None:
    app = make_app(origins=[ORIGIN])

    response = await app.test_client().delete("/ok", headers={"Origin": ORIGIN})

    assert response.status_code == 405
    assert response.headers[ACAO] == ORIGIN


async def test_responses_strict_slash_redirect_gets_headers() -> None:
    app = make_app(origins=[ORIGIN])

    @app.get("/folder/")
    async def folder() -> str:
        return "folder"

    response = await get(app, "/folder")

    assert response.status_code in (301, 308)
    assert response.headers[ACAO] == ORIGIN


async def test_responses_error_handler_response_gets_headers() -> None:
    app = make_app(origins=[ORIGIN])

    @app.errorhandler(418)
    async def teapot(error: Exception) -> Any:
        return {"error": "teapot"}, 418

    response = await get(app, "/abort")

    assert response.status_code == 418
    assert await response.get_json() == {"error": "teapot"}
    assert response.headers[ACAO] == ORIGIN


async def test_responses_unhandled_exception_skipped_when_not_intercepted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(origins=[ORIGIN], intercept_exceptions=False)

    with caplog.at_level(logging.CRITICAL, logger="quart.app"):
        boom = await get(app, "/boom")
    aborted = await get(app, "/abort")

    assert boom.status_code == 500
    assert ACAO not in boom.headers
    assert "Vary" not in boom.headers
    # abort() is not an unhandled exception: it keeps its headers.
    assert aborted.headers[ACAO] == ORIGIN


async def test_responses_unhandled_exception_mark_is_per_request() -> None:
    app = make_app(origins=[ORIGIN], intercept_exceptions=False)
    client = app.test_client()
    logging.getLogger("quart.app").disabled = True
    try:
        await client.get("/boom", headers={"Origin": ORIGIN})
    finally:
        logging.getLogger("quart.app").disabled = False

    after = await client.get("/ok", headers={"Origin": ORIGIN})

    assert after.headers[ACAO] == ORIGIN


async def test_responses_decorator_alone_skips_unhandled_exception() -> None:
    app = Quart(__name__)

    @app.get("/boom")
    @cross_origin(origins=[ORIGIN], intercept_exceptions=False)
    async def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/boom2")
    @cross_origin(origins=[ORIGIN])
    async def boom2() -> str:
        raise RuntimeError("boom")

    logging.getLogger("quart.app").disabled = True
    try:
        skipped = await get(app, "/boom")
        covered = await get(app, "/boom2")
    finally:
        logging.getLogger("quart.app").disabled = False

    assert skipped.status_code == covered.status_code == 500
    assert ACAO not in skipped.headers
    assert covered.headers[ACAO] == ORIGIN


async def test_responses_view_own_headers_left_alone_but_vary() -> None:
    app = make_app(origins=[ORIGIN])

    response = await get(app, "/own")

    assert response.headers.getlist(ACAO) == ["https://chosen.example.com"]
    assert response.headers["Vary"] == "Accept, Origin"


async def test_responses_exempt_view_untouched() -> None:
    app = make_app(origins=[ORIGIN])

    response = await get(app, "/health")

    assert ACAO not in response.headers
    assert "Vary" not in response.headers


async def test_responses_after_request_vary_merged_once() -> None:
    app = make_app(origins=[ORIGIN])

    @app.after_request
    async def vary(response: Response) -> Response:
        response.headers["Vary"] = "Accept-Encoding, origin"
        return response

    response = await get(app, "/ok")

    assert response.headers.getlist("Vary") == ["Accept-Encoding, origin"]
    assert response.headers[ACAO] == ORIGIN


async def test_responses_streamed_body_not_consumed() -> None:
    app = make_app(origins=[ORIGIN])
    pulled: list[int] = []

    @app.get("/stream")
    async def stream() -> Any:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(3):
                pulled.append(i)
                yield f"chunk{i};".encode()

        return chunks(), 200, {"Content-Type": "text/plain"}

    async with app.test_request_context(
        "/stream", method="GET", headers={"Origin": ORIGIN}
    ):
        response = await app.full_dispatch_request()
        assert response.headers[ACAO] == ORIGIN
        assert pulled == []  # the headers are set, the body still unread
        body = await response.get_data()

    assert body == b"chunk0;chunk1;chunk2;"
    assert pulled == [0, 1, 2]


async def test_responses_head_gets_headers() -> None:
    app = make_app(origins=[ORIGIN])

    response = await app.test_client().head("/ok", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert response.headers[ACAO] == ORIGIN


@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
async def test_responses_decorator_alone_covers_abort(is_async: bool) -> None:
    app = Quart(__name__)

    if is_async:

        @app.get("/v")
        @cross_origin(origins=[ORIGIN], supports_credentials=True)
        async def view() -> str:
            abort(403)

    else:

        @app.get("/v")
        @cross_origin(origins=[ORIGIN], supports_credentials=True)
        def view() -> str:
            abort(403)

    response = await get(app, "/v")

    assert response.status_code == 403
    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"


@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
async def test_responses_decorator_async_origin_callable(is_async: bool) -> None:
    async def allowed(origin: str) -> bool:
        return origin == "https://dynamic.example.com"

    app = Quart(__name__)

    if is_async:

        @app.get("/v")
        @cross_origin(origins=[allowed])
        async def view() -> str:
            return "v"

    else:

        @app.get("/v")
        @cross_origin(origins=[allowed])
        def view() -> str:
            return "v"

    ok = await get(app, "/v", origin="https://dynamic.example.com")
    refused = await get(app, "/v", origin=EVIL)

    assert ok.headers[ACAO] == "https://dynamic.example.com"
    assert ACAO not in refused.headers
    assert refused.headers["Vary"] == "Origin"


async def test_responses_decorator_overrides_app_policy() -> None:
    app = make_app(origins=[ORIGIN])

    @app.get("/partner")
    @cross_origin(origins=["https://partner.example.org"])
    async def partner() -> str:
        return "partner"

    theirs = await get(app, "/partner", origin="https://partner.example.org")
    ours = await get(app, "/partner")

    assert theirs.headers[ACAO] == "https://partner.example.org"
    assert ACAO not in ours.headers


async def test_responses_policy_object_shared() -> None:
    policy = Policy(origins=[ORIGIN], max_age=600)
    app = make_app(policy=policy)

    answer = await app.test_client().options(
        "/ok", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )

    assert answer.headers["Access-Control-Max-Age"] == "600"


async def test_responses_init_app_factory_and_config_keys() -> None:
    cors = CORS(supports_credentials=True)

    def create_app() -> Quart:
        app = Quart(__name__)
        app.config["CORS_ORIGINS"] = [ORIGIN]
        app.config["CORS_EXPOSE_HEADERS"] = ["X-Total"]
        cors.init_app(app, max_age=30)

        @app.get("/ok")
        async def ok() -> str:
            return "ok"

        return app

    first, second = create_app(), create_app()
    response = await get(first, "/ok")
    refused = await get(second, "/ok", origin=EVIL)

    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert ACAO not in refused.headers


async def test_responses_resources_most_specific_rule() -> None:
    app = make_app(
        resources={
            "/api/*": {"origins": [ORIGIN]},
            "/api/public/*": {"origins": "*"},
        }
    )

    @app.get("/api/x")
    async def api_x() -> str:
        return "x"

    @app.get("/api/public/y")
    async def public_y() -> str:
        return "y"

    private = await get(app, "/api/x", origin=EVIL)
    public = await get(app, "/api/public/y", origin=EVIL)
    outside = await get(app, "/ok")

    assert ACAO not in private.headers
    assert public.headers[ACAO] == EVIL  # "*" echoes unless send_wildcard
    assert ACAO not in outside.headers
    assert "Vary" not in outside.headers


async def test_responses_nested_blueprint_policy() -> None:
    app = Quart(__name__)
    outer = Blueprint("outer", __name__, url_prefix="/outer")
    inner = Blueprint("inner", __name__, url_prefix="/inner")
    CORS(outer, origins=["https://outer.example.org"])
    CORS(inner, origins=["https://inner.example.org"])

    @inner.get("/x")
    async def x() -> str:
        return "x"

    @outer.get("/y")
    async def y() -> str:
        return "y"

    outer.register_blueprint(inner)
    app.register_blueprint(outer)

    inner_ok = await get(app, "/outer/inner/x", origin="https://inner.example.org")
    inner_no = await get(app, "/outer/inner/x", origin="https://outer.example.org")
    outer_ok = await get(app, "/outer/y", origin="https://outer.example.org")

    assert inner_ok.headers[ACAO] == "https://inner.example.org"
    assert ACAO not in inner_no.headers
    assert outer_ok.headers[ACAO] == "https://outer.example.org"
