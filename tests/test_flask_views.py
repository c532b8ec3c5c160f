"""Flask: class-based views and the REST extensions built on them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, abort
from flask.views import MethodView, View

from crossorigin import CORS, cross_origin

ORIGIN = "https://app.example.com"
OTHER = "https://other.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"


def preflight(app: Flask, path: str, origin: str = ORIGIN, method: str = "PUT") -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    return app.test_client().options(path, headers=headers)


def get(app: Flask, path: str, origin: str = ORIGIN) -> Any:
    return app.test_client().get(path, headers={"Origin": origin})


def test_method_view_under_cors_app() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])
    ran: list[str] = []

    class Item(MethodView):
        def get(self, item_id: int) -> str:
            return f"item {item_id}"

        def put(self, item_id: int) -> str:
            ran.append("put")
            return "stored"

        def delete(self, item_id: int) -> str:
            abort(403)

    app.add_url_rule("/items/<int:item_id>", view_func=Item.as_view("item"))

    answered = preflight(app, "/items/1", method="DELETE")
    response = get(app, "/items/1")
    forbidden = app.test_client().delete("/items/1", headers={"Origin": ORIGIN})

    assert answered.status_code == 200
    assert answered.headers[ACAO] == ORIGIN
    assert ran == []
    assert response.data == b"item 1"
    assert response.headers[ACAO] == ORIGIN
    assert forbidden.status_code == 403
    assert forbidden.headers[ACAO] == ORIGIN


def test_method_view_decorators_attribute() -> None:
    app = Flask(__name__)
    CORS(app, origins="*")

    class Item(MethodView):
        decorators = [cross_origin(origins=[OTHER])]  # noqa: RUF012 - Flask's API

        def get(self) -> str:
            return "item"

        def put(self) -> str:
            return "stored"

    app.add_url_rule("/item", view_func=Item.as_view("item"))

    assert preflight(app, "/item", origin=OTHER).status_code == 200
    assert preflight(app, "/item", origin=EVIL).status_code == 403
    assert get(app, "/item", OTHER).headers[ACAO] == OTHER
    assert ACAO not in get(app, "/item", EVIL).headers


def _hello_view() -> Any:
    class Hello(View):
        methods = ["GET", "PUT"]  # noqa: RUF012 - Flask's API
        decorators = [cross_origin(origins=[ORIGIN])]  # noqa: RUF012

        def dispatch_request(self) -> str:
            return "hello"

    return Hello.as_view("hello")


def test_plain_view_with_decorators_and_no_cors_app_misses_preflights() -> None:
    """The documented limit: as_view() resets provide_automatic_options.

    Flask then answers the preflight itself, without CORS headers; actual
    requests still get them from the decorator.
    """
    app = Flask(__name__)
    app.add_url_rule("/hello", view_func=_hello_view())

    answered = preflight(app, "/hello")
    response = get(app, "/hello")

    assert answered.status_code == 200
    assert ACAO not in answered.headers
    assert response.headers[ACAO] == ORIGIN
    assert ACAO not in get(app, "/hello", EVIL).headers


def test_plain_view_with_decorators_and_early_hook_answers_preflights() -> None:
    app = Flask(__name__)
    CORS(app, resources={})
    app.add_url_rule("/hello", view_func=_hello_view())

    answered = preflight(app, "/hello")

    assert answered.status_code == 200
    assert answered.data == b""
    assert answered.headers[ACAO] == ORIGIN
    assert preflight(app, "/hello", origin=EVIL).status_code == 403
    assert get(app, "/hello").headers[ACAO] == ORIGIN


def test_flask_smorest_blueprint() -> None:
    smorest = pytest.importorskip("flask_smorest")
    app = Flask(__name__)
    app.config.update(
        API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.2", TESTING=False
    )
    api = smorest.Api(app)
    blp = smorest.Blueprint("pets", __name__, url_prefix="/pets")
    CORS(blp, origins=[ORIGIN], supports_credentials=True)

    @blp.route("/")
    class Pets(MethodView):
        def get(self) -> list[str]:
            return ["cat"]

        def post(self) -> list[str]:
            smorest.abort(422, message="bad pet")
            return []

    api.register_blueprint(blp)
    CORS(app, origins="*")

    answered = preflight(app, "/pets/", method="POST")
    refused = preflight(app, "/pets/", origin=EVIL, method="POST")
    listed = get(app, "/pets/")
    invalid = app.test_client().post("/pets/", headers={"Origin": ORIGIN})
    spec = get(app, "/openapi.json", EVIL)

    assert answered.status_code == 200
    assert answered.headers["Access-Control-Allow-Credentials"] == "true"
    assert refused.status_code == 403
    assert listed.json == ["cat"]
    assert listed.headers[ACAO] == ORIGIN
    assert invalid.status_code == 422
    assert invalid.headers[ACAO] == ORIGIN
    # Outside the blueprint, the app policy applies.
    assert spec.headers[ACAO] == EVIL


def test_flask_restx_resources() -> None:
    restx = pytest.importorskip("flask_restx")
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])
    api = restx.Api(app)
    ran: list[str] = []

    @api.route("/todo/<int:todo_id>")
    class Todo(restx.Resource):  # type: ignore[misc]
        def get(self, todo_id: int) -> dict[str, int]:
            return {"id": todo_id}

        def put(self, todo_id: int) -> dict[str, int]:
            ran.append("put")
            return {"id": todo_id}

        def delete(self, todo_id: int) -> None:
            restx.abort(404, "no such todo")

    @api.route("/special")
    class Special(restx.Resource):  # type: ignore[misc]
        method_decorators = [cross_origin(origins=[OTHER])]  # noqa: RUF012

        def get(self) -> dict[str, str]:
            return {"special": "yes"}

    answered = preflight(app, "/todo/3")
    fetched = get(app, "/todo/3")
    missing = app.test_client().delete("/todo/3", headers={"Origin": ORIGIN})
    special = get(app, "/special", OTHER)
    special_refused = get(app, "/special", ORIGIN)

    assert answered.status_code == 200
    assert ran == []
    assert fetched.json == {"id": 3}
    assert fetched.headers[ACAO] == ORIGIN
    assert missing.status_code == 404
    assert missing.headers[ACAO] == ORIGIN
    assert special.headers[ACAO] == OTHER
    assert ACAO not in special_refused.headers
