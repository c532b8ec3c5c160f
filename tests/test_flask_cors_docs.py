"""Apps written the way Flask-CORS's documentation shows, import changed only.

Each ``make_*`` function is the documented example with ``from flask_cors
import ...`` replaced by ``from crossorigin import ...``.
"""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint, Flask, jsonify

from crossorigin import CORS, ConfigError, cross_origin

ORIGIN = "https://app.example.com"
ACAO = "Access-Control-Allow-Origin"
JSON_PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


def make_simple() -> Flask:
    app = Flask(__name__)
    CORS(app)

    @app.route("/")
    def helloWorld() -> str:
        return "Hello, cross-origin-world!"

    return app


def make_resource_specific() -> Flask:
    app = Flask(__name__)
    CORS(app, resources={r"/api/*": {"origins": "*"}})

    @app.route("/api/v1/users")
    def list_users() -> str:
        return "user example"

    @app.route("/")
    def index() -> str:
        return "not under /api"

    return app


def make_route_specific() -> Flask:
    app = Flask(__name__)

    @app.route("/")
    @cross_origin()
    def helloWorld() -> str:
        return "Hello, cross-origin-world!"

    return app


def make_app_based_example() -> Flask:
    app = Flask("FlaskCorsAppBasedExample")

    # Exposes all resources matching /api/* to CORS and allows the
    # Content-Type header, which is necessary to POST JSON cross origin.
    CORS(app, resources=r"/api/*")

    @app.route("/")
    def helloWorld() -> str:
        return "Hello, cross-origin-world!"

    @app.route("/api/v1/users/")
    def list_users() -> object:
        return jsonify(user="joe")

    @app.route("/api/v1/users/create", methods=["POST"])
    def create_user() -> object:
        return jsonify(success=True)

    @app.route("/api/exception")
    def get_exception() -> str:
        raise Exception("example")

    @app.errorhandler(500)
    def server_error(e: Exception) -> tuple[str, int]:
        return "An internal error occured", 500

    return app


def make_blueprint_example() -> Flask:
    api_v1 = Blueprint("API_v1", __name__)
    CORS(api_v1)  # enable CORS on the API_v1 blueprint

    @api_v1.route("/api/v1/users/")
    def list_users() -> object:
        return jsonify(user="joe")

    @api_v1.route("/api/v1/users/create", methods=["POST"])
    def create_user() -> object:
        return jsonify(success=True)

    public_routes = Blueprint("public", __name__)

    @public_routes.route("/")
    def helloWorld() -> str:
        return "This route is not CORS enabled"

    app = Flask("CORSBlueprintBasedExample")
    app.register_blueprint(api_v1)
    app.register_blueprint(public_routes)
    return app


def make_view_based_example() -> Flask:
    app = Flask("FlaskCorsViewBasedExample")

    @app.route("/", methods=["GET"])
    @cross_origin()
    def helloWorld() -> str:
        return "Hello, cross-origin-world!"

    @app.route("/api/v1/users/create", methods=["GET", "POST"])
    @cross_origin(allow_headers=["Content-Type"])
    def cross_origin_json_post() -> object:
        return jsonify(success=True)

    return app


@pytest.mark.parametrize("make", [make_simple, make_route_specific])
def test_docs_hello_world_allows_any_origin(make: object) -> None:
    app = make()  # type: ignore[operator]
    client = app.test_client()

    response = client.get("/", headers={"Origin": ORIGIN})
    preflight = client.options("/", headers=JSON_PREFLIGHT)

    assert response.data == b"Hello, cross-origin-world!"
    assert response.headers[ACAO] == ORIGIN
    assert response.headers["Vary"] == "Origin"
    assert preflight.status_code == 200
    assert preflight.headers[ACAO] == ORIGIN
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"


def test_docs_resource_specific_covers_only_api() -> None:
    client = make_resource_specific().test_client()

    api = client.get("/api/v1/users", headers={"Origin": ORIGIN})
    other = client.get("/", headers={"Origin": ORIGIN})

    assert api.headers[ACAO] == ORIGIN
    assert ACAO not in other.headers


def test_docs_app_based_example() -> None:
    client = make_app_based_example().test_client()

    preflight = client.options("/api/v1/users/create", headers=JSON_PREFLIGHT)
    created = client.post("/api/v1/users/create", headers={"Origin": ORIGIN})
    error = client.get("/api/exception", headers={"Origin": ORIGIN})
    root = client.get("/", headers={"Origin": ORIGIN})

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    assert created.json == {"success": True}
    assert created.headers[ACAO] == ORIGIN
    assert error.status_code == 500
    assert error.data == b"An internal error occured"
    assert error.headers[ACAO] == ORIGIN
    assert ACAO not in root.headers


def test_docs_blueprint_example() -> None:
    client = make_blueprint_example().test_client()

    preflight = client.options("/api/v1/users/create", headers=JSON_PREFLIGHT)
    users = client.get("/api/v1/users/", headers={"Origin": ORIGIN})
    public = client.get("/", headers={"Origin": ORIGIN})

    assert preflight.status_code == 200
    assert preflight.headers[ACAO] == ORIGIN
    assert users.headers[ACAO] == ORIGIN
    assert public.data == b"This route is not CORS enabled"
    assert ACAO not in public.headers


def test_docs_view_based_example() -> None:
    client = make_view_based_example().test_client()

    allowed = client.options("/api/v1/users/create", headers=JSON_PREFLIGHT)
    refused = client.options(
        "/api/v1/users/create",
        headers={**JSON_PREFLIGHT, "Access-Control-Request-Headers": "x-custom"},
    )
    posted = client.post("/api/v1/users/create", headers={"Origin": ORIGIN})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Headers"] == "content-type"
    assert refused.status_code == 403
    assert posted.json == {"success": True}
    assert posted.headers[ACAO] == ORIGIN


def test_docs_cookies_example_is_refused_at_startup() -> None:
    app = Flask(__name__)

    # Flask-CORS's "Using CORS with cookies" example reflects every origin
    # with credentials; crossorigin asks for the list of origins instead.
    with pytest.raises(ConfigError, match="origins"):
        CORS(app, supports_credentials=True)

    CORS(app, origins=[ORIGIN], supports_credentials=True)


def test_docs_cors_headers_config_key_warns(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"

    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        CORS(app)

    assert "CORS_ALLOW_HEADERS" in caplog.text
