"""Flask: marks on class-based view methods, and CORS_* keys on decorators."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.views import MethodView

from crossorigin import CORS, cross_origin, exempt

A = "https://a.example.com"
B = "https://b.example.com"
ACAO = "Access-Control-Allow-Origin"


def _preflight(
    app: Flask, path: str, origin: str, method: str
) -> tuple[int, str | None]:
    response = app.test_client().options(
        path, headers={"Origin": origin, "Access-Control-Request-Method": method}
    )
    return response.status_code, response.headers.get(ACAO)


def test_method_view_method_decorator_answers_its_preflight() -> None:
    app = Flask(__name__)

    class Items(MethodView):
        def get(self) -> str:
            return "g"

        @cross_origin(origins=[A])
        def put(self) -> str:
            return "p"

    app.add_url_rule("/r", view_func=Items.as_view("r"))
    CORS(app, origins=[B])

    assert _preflight(app, "/r", A, "PUT") == (200, A)
    assert _preflight(app, "/r", B, "PUT")[0] == 403
    assert app.test_client().put("/r", headers={"Origin": A}).headers[ACAO] == A
    # The other methods keep the app policy.
    assert app.test_client().get("/r", headers={"Origin": B}).headers[ACAO] == B
    assert ACAO not in app.test_client().get("/r", headers={"Origin": A}).headers


def test_method_view_exempt_method_gets_no_cors_headers() -> None:
    app = Flask(__name__)

    class Items(MethodView):
        def get(self) -> str:
            return "g"

        @exempt
        def put(self) -> str:
            return "p"

    app.add_url_rule("/r", view_func=Items.as_view("r"))
    CORS(app, origins=[A])
    client = app.test_client()

    # Flask's own OPTIONS answer, without CORS headers.
    assert _preflight(app, "/r", A, "PUT") == (200, None)
    assert ACAO not in client.put("/r", headers={"Origin": A}).headers
    assert client.get("/r", headers={"Origin": A}).headers[ACAO] == A


@pytest.mark.parametrize("with_cors_app", [False, True])
def test_decorator_ignores_cors_resources_config(with_cors_app: bool) -> None:
    app = Flask(__name__)
    app.config["CORS_RESOURCES"] = {"/api/*": {"origins": [B]}}

    @app.route("/api/x")
    @cross_origin(origins=[A])
    def in_api() -> str:
        return "x"

    @app.route("/other")
    @cross_origin(origins=[A])
    def elsewhere() -> str:
        return "y"

    if with_cors_app:
        CORS(app, resources={})
    client = app.test_client()

    for path in ("/api/x", "/other"):
        assert client.get(path, headers={"Origin": A}).headers[ACAO] == A
        assert ACAO not in client.get(path, headers={"Origin": B}).headers


@pytest.mark.parametrize("with_cors_bp", [False, True])
def test_decorator_reads_placement_from_config(with_cors_bp: bool) -> None:
    from flask import Blueprint

    app = Flask(__name__)
    app.config["CORS_INTERCEPT_EXCEPTIONS"] = False

    @app.route("/boom")
    @cross_origin(origins=[A])
    def boom() -> str:
        raise RuntimeError("boom")

    if with_cors_bp:
        bp = Blueprint("unrelated", __name__)
        CORS(bp)
        app.register_blueprint(bp)
    response = app.test_client().get("/boom", headers={"Origin": A})

    assert response.status_code == 500
    assert ACAO not in response.headers
