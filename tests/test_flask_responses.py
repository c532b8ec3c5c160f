"""Flask: every response kind gets the same headers, once, with one Vary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, abort, redirect
from werkzeug.test import EnvironBuilder

from crossorigin import CORS, cross_origin

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
CORS_NAMES = (ACAO, ACAC, "Access-Control-Expose-Headers", "Vary")


def assert_no_duplicates(response: Any) -> None:
    for name in CORS_NAMES:
        assert len(response.headers.getlist(name)) <= 1, name


def make_app(*, decorated: bool = False, **options: Any) -> Flask:
    """One app with a route per response kind, under CORS(app) or decorators."""
    app = Flask(__name__)
    if decorated:

        def deco(view: Any) -> Any:
            return cross_origin(**options)(view)

    else:
        CORS(app, **options)

        def deco(view: Any) -> Any:
            return view

    @app.get("/ok")
    @deco
    def ok() -> str:
        return "ok"

    @app.get("/abort")
    @deco
    def aborted() -> str:
        abort(418)

    @app.get("/boom")
    @deco
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/handled")
    @deco
    def handled() -> str:
        raise KeyError("handled")

    @app.errorhandler(KeyError)
    def on_key_error(error: KeyError) -> tuple[str, int]:
        return "handled", 409

    @app.get("/redirect")
    @deco
    def moved() -> Response:
        return redirect("/ok")

    @app.get("/slash/")
    @deco
    def slash() -> str:
        return "slash"

    @app.get("/vary")
    @deco
    def vary() -> Response:
        return Response("vary", headers={"Vary": "Accept-Encoding"})

    @app.get("/vary-origin")
    @deco
    def vary_origin() -> Response:
        return Response("vary", headers={"Vary": "origin"})

    @app.get("/own")
    @deco
    def own() -> Response:
        return Response("own", headers={ACAO: "https://mine.example"})

    consumed: list[str] = []
    app.config["consumed"] = consumed

    @app.get("/stream")
    @deco
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            consumed.append("first")
            yield "a"
            consumed.append("second")
            yield "b"

        return Response(chunks())

    return app


def get(app: Flask, path: str, origin: str | None = ORIGIN, method: str = "GET") -> Any:
    headers = {"Origin": origin} if origin else {}
    return app.test_client().open(path, method=method, headers=headers)


BOTH = pytest.mark.parametrize("decorated", [False, True], ids=["cors_app", "deco"])


@BOTH
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ok", 200),
        ("/abort", 418),
        ("/handled", 409),
        ("/boom", 500),
        ("/redirect", 302),
        ("/vary", 200),
    ],
)
def test_response_kind_gets_cors_headers(
    decorated: bool, path: str, status: int
) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN], supports_credentials=True)

    response = get(app, path)

    assert response.status_code == status
    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert_no_duplicates(response)


@BOTH
def test_refused_origin_gets_only_vary(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN])

    response = get(app, "/ok", origin=EVIL)

    assert response.status_code == 200
    assert response.data == b"ok"
    assert ACAO not in response.headers
    assert response.headers.getlist("Vary") == ["Origin"]


@BOTH
def test_unhandled_exception_skipped_without_intercept(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN], intercept_exceptions=False)

    boom = get(app, "/boom")
    aborted = get(app, "/abort")

    assert boom.status_code == 500
    assert ACAO not in boom.headers
    assert aborted.status_code == 418
    assert aborted.headers[ACAO] == ORIGIN


def test_unhandled_exception_propagates_in_testing_mode() -> None:
    app = make_app(origins=[ORIGIN])
    app.testing = True

    with pytest.raises(RuntimeError, match="boom"):
        get(app, "/boom")


def test_routing_404_gets_app_headers() -> None:
    app = make_app(origins=[ORIGIN])

    response = get(app, "/nowhere")

    assert response.status_code == 404
    assert response.headers[ACAO] == ORIGIN
    assert_no_duplicates(response)


def test_routing_405_gets_app_headers() -> None:
    app = make_app(origins=[ORIGIN])

    response = get(app, "/ok", method="DELETE")

    assert response.status_code == 405
    assert response.headers[ACAO] == ORIGIN


@BOTH
def test_strict_slashes_redirect_gets_headers(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN])

    response = get(app, "/slash")

    # Routing happens before the view: only an app policy covers the 308.
    assert response.status_code == 308
    assert (response.headers.get(ACAO) == ORIGIN) is not decorated


@BOTH
def test_head_request_gets_headers(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN])

    response = get(app, "/ok", method="HEAD")

    assert response.status_code == 200
    assert response.data == b""
    assert response.headers[ACAO] == ORIGIN


@BOTH
def test_streamed_response_is_not_consumed(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN])
    consumed = app.config["consumed"]
    environ = EnvironBuilder("/stream", headers={"Origin": ORIGIN}).get_environ()
    started: list[tuple[str, list[tuple[str, str]]]] = []

    # Called as a WSGI server would: Werkzeug's test client pulls the first
    # chunk itself, which would hide a hook that reads the body.
    body = app.wsgi_app(environ, lambda s, h, e=None: started.append((s, h)))

    assert dict(started[0][1])[ACAO] == ORIGIN
    assert consumed == []
    assert b"".join(body) == b"ab"
    assert consumed == ["first", "second"]
    body.close()  # type: ignore[attr-defined]


@BOTH
def test_vary_is_merged_not_duplicated(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN])

    merged = get(app, "/vary")
    existing = get(app, "/vary-origin")

    assert merged.headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert existing.headers.getlist("Vary") == ["origin"]


@BOTH
def test_view_own_allow_origin_left_alone(decorated: bool) -> None:
    app = make_app(decorated=decorated, origins=[ORIGIN], supports_credentials=True)

    response = get(app, "/own")

    assert response.headers.getlist(ACAO) == ["https://mine.example"]
    assert ACAC not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_no_origin_any_origin_policy_sends_star() -> None:
    app = make_app()

    response = get(app, "/ok", origin=None)

    assert response.headers[ACAO] == "*"
    assert_no_duplicates(response)


def test_no_origin_listed_origins_sends_only_vary() -> None:
    app = make_app(origins=[ORIGIN, "https://other.example"])

    response = get(app, "/ok", origin=None)

    assert ACAO not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_other_after_request_hooks_do_not_cause_duplicates() -> None:
    app = Flask(__name__)

    @app.after_request
    def add_vary(response: Response) -> Response:
        response.headers.add("Vary", "Cookie")
        return response

    CORS(app, origins=[ORIGIN], expose_headers=["X-Total"])

    @app.after_request
    def add_more_vary(response: Response) -> Response:
        response.headers.add("Vary", "Accept")
        return response

    @app.get("/x")
    def x() -> str:
        return "x"

    response = get(app, "/x")

    # The CORS hook runs last, whenever the others were registered.
    assert response.headers.getlist("Vary") == ["Accept, Cookie, Origin"]
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert_no_duplicates(response)


def test_error_handler_for_500_gets_headers() -> None:
    app = make_app(origins=[ORIGIN])

    @app.errorhandler(500)
    def on_500(error: Exception) -> tuple[str, int]:
        return "custom 500", 500

    response = get(app, "/boom")

    assert response.status_code == 500
    assert response.data == b"custom 500"
    assert response.headers[ACAO] == ORIGIN
