"""Flask: preflights are answered first, before auth and the view."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask, abort, request

from crossorigin import CORS, cross_origin, exempt

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"


def preflight(
    app: Flask, path: str, origin: str = ORIGIN, method: str = "PUT", **extra: str
) -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return app.test_client().options(path, headers=headers)


def require_token(view: Callable[..., Any]) -> Callable[..., Any]:
    """An auth decorator that knows nothing of CORS: it refuses OPTIONS too."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)
        return view(*args, **kwargs)

    return wrapper


def make_app(**options: Any) -> tuple[Flask, list[str]]:
    """An app whose auth hook and views record that they ran."""
    app = Flask(__name__)
    calls: list[str] = []

    @app.before_request
    def auth() -> None:
        calls.append("before_request")
        if request.headers.get("Authorization") != "Bearer ok":
            abort(401)

    CORS(app, **options)

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> str:
        calls.append("view")
        return "items"

    return app, calls


def test_preflight_answered_before_earlier_before_request() -> None:
    app, calls = make_app(origins=[ORIGIN])

    response = preflight(app, "/items", Access_Control_Request_Headers="x-token")

    assert response.status_code == 200
    assert response.data == b""
    assert response.headers[ACAO] == ORIGIN
    assert response.headers["Access-Control-Allow-Headers"] == "x-token"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert calls == []


def test_preflight_hook_is_first_in_before_request_list() -> None:
    app, _ = make_app()
    first = app.before_request_funcs[None][0]

    @app.before_request
    def later() -> None:
        return None

    assert first.__module__ == "crossorigin._flask"
    assert app.before_request_funcs[None][-1] is later


def test_preflight_refused_origin_is_403_without_cors_headers() -> None:
    app, calls = make_app(origins=[ORIGIN])

    response = preflight(app, "/items", origin=EVIL)

    assert response.status_code == 403
    assert response.data == b""
    assert not [h for h in response.headers if h[0].startswith("Access-Control-")]
    assert response.headers["Vary"] == "Origin"
    assert calls == []


def test_preflight_refused_method_is_403() -> None:
    app, _ = make_app(origins=[ORIGIN], methods=["GET", "POST"])

    response = preflight(app, "/items", method="DELETE")

    assert response.status_code == 403
    assert ACAO not in response.headers


def test_preflight_refused_header_is_403() -> None:
    app, _ = make_app(origins=[ORIGIN], allow_headers=["Content-Type"])

    response = preflight(app, "/items", Access_Control_Request_Headers="x-secret")

    assert response.status_code == 403
    assert ACAO not in response.headers


def test_preflight_with_credentials_before_auth() -> None:
    app, calls = make_app(origins=[ORIGIN], supports_credentials=True)

    response = preflight(app, "/items", Access_Control_Request_Headers="authorization")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    assert calls == []


def test_unauthenticated_actual_request_gets_headers_on_401() -> None:
    app, _ = make_app(origins=[ORIGIN], supports_credentials=True)

    response = app.test_client().get("/items", headers={"Origin": ORIGIN})

    assert response.status_code == 401
    assert response.headers[ACAO] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_preflight_before_custom_auth_decorator() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])
    ran: list[str] = []

    @app.route("/secret", methods=["GET", "OPTIONS"])
    @require_token
    def secret() -> str:
        ran.append("view")
        return "secret"

    response = preflight(app, "/secret", method="GET")

    assert response.status_code == 200
    assert response.headers[ACAO] == ORIGIN
    assert ran == []
    unauthenticated = app.test_client().get("/secret", headers={"Origin": ORIGIN})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers[ACAO] == ORIGIN


def test_preflight_before_flask_login_required() -> None:
    flask_login = pytest.importorskip("flask_login")
    app = Flask(__name__)
    app.secret_key = "test"
    manager = flask_login.LoginManager(app)
    manager.user_loader(lambda user_id: None)
    CORS(app, origins=[ORIGIN], supports_credentials=True)
    ran: list[str] = []

    @app.route("/me", methods=["GET", "OPTIONS"])
    @flask_login.login_required
    def me() -> str:
        ran.append("view")
        return "me"

    response = preflight(app, "/me", method="GET")
    actual = app.test_client().get("/me", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert response.data == b""
    assert ran == []
    assert actual.status_code == 401
    assert actual.headers[ACAO] == ORIGIN
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"


def test_decorated_view_preflight_answered_before_auth_hook() -> None:
    app, calls = make_app(resources={})

    @app.put("/decorated")
    @cross_origin(origins=["https://other.example"])
    def decorated() -> str:
        calls.append("view")
        return "decorated"

    allowed = preflight(app, "/decorated", origin="https://other.example")
    refused = preflight(app, "/decorated")

    assert allowed.status_code == 200
    assert allowed.headers[ACAO] == "https://other.example"
    assert refused.status_code == 403
    assert calls == []


def test_decorator_alone_answers_preflight_after_app_hooks() -> None:
    app = Flask(__name__)
    calls: list[str] = []

    @app.before_request
    def record() -> None:
        calls.append("before_request")

    @app.put("/only")
    @cross_origin(origins=[ORIGIN])
    def only() -> str:
        calls.append("view")
        return "only"

    response = preflight(app, "/only")

    assert response.status_code == 200
    assert response.data == b""
    assert response.headers[ACAO] == ORIGIN
    assert calls == ["before_request"]


def test_decorator_alone_refused_preflight_is_403() -> None:
    app = Flask(__name__)

    @app.put("/only")
    @cross_origin(origins=[ORIGIN])
    def only() -> str:
        return "only"

    response = preflight(app, "/only", origin=EVIL)

    assert response.status_code == 403
    assert ACAO not in response.headers


def test_blueprint_preflight_answered_before_auth_hook() -> None:
    app = Flask(__name__)
    bp = Blueprint("api", __name__, url_prefix="/api")
    ran: list[str] = []

    @bp.before_request
    def bp_auth() -> None:
        ran.append("bp_auth")
        abort(401)

    @bp.put("/thing")
    def thing() -> str:
        return "thing"

    CORS(bp, origins=[ORIGIN])
    app.register_blueprint(bp)

    response = preflight(app, "/api/thing")

    assert response.status_code == 200
    assert response.headers[ACAO] == ORIGIN
    assert ran == []


def test_automatic_options_false_lets_app_answer_with_headers() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN], automatic_options=False)
    ran: list[str] = []

    @app.route("/own", methods=["PUT", "OPTIONS"])
    def own() -> tuple[str, int]:
        ran.append(request.method)
        return "own options", 204

    response = preflight(app, "/own")

    assert ran == ["OPTIONS"]
    assert response.status_code == 204
    assert response.headers[ACAO] == ORIGIN
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_non_preflight_options_goes_to_app() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    @app.route("/things", methods=["GET", "POST"])
    def things() -> str:
        return "things"

    response = app.test_client().options("/things", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert set(response.allow) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert response.headers[ACAO] == ORIGIN
    assert "Access-Control-Allow-Methods" not in response.headers


def test_decorated_view_non_preflight_options_not_run() -> None:
    app = Flask(__name__)
    CORS(app, resources={})
    ran: list[str] = []

    @app.get("/deco")
    @cross_origin(origins=[ORIGIN])
    def deco() -> str:
        ran.append("view")
        return "deco"

    response = app.test_client().options("/deco", headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert "GET" in response.allow
    assert response.headers[ACAO] == ORIGIN
    assert ran == []


def test_exempt_view_preflight_goes_to_app() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.post("/hook")
    @exempt
    def hook() -> str:
        return "hook"

    response = preflight(app, "/hook", method="POST")

    assert response.status_code == 200
    assert "POST" in response.allow
    assert ACAO not in response.headers
    assert "Vary" not in response.headers


def test_preflight_to_unknown_path_gets_404_with_headers() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    response = preflight(app, "/missing")

    assert response.status_code == 404
    assert response.headers[ACAO] == ORIGIN


def test_preflight_to_strict_slash_redirect_is_answered() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    @app.put("/folder/")
    def folder() -> str:
        return "folder"

    response = preflight(app, "/folder")

    assert response.status_code == 200
    assert response.headers[ACAO] == ORIGIN


def test_preflight_on_route_without_automatic_options() -> None:
    app = Flask(__name__)
    bp = Blueprint("bp", __name__)

    @bp.put("/strict", provide_automatic_options=False)
    def strict() -> str:
        return "strict"

    CORS(bp, origins=["https://bp.example"])
    app.register_blueprint(bp)
    CORS(app, origins="*")

    refused = preflight(app, "/strict")
    allowed = preflight(app, "/strict", origin="https://bp.example")
    unknown_method = preflight(app, "/strict", method="PATCH")

    # The blueprint's policy answers, found through the requested method.
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.headers[ACAO] == "https://bp.example"
    assert unknown_method.status_code == 405


def test_preflight_without_origin_goes_to_app() -> None:
    app, calls = make_app()

    response = app.test_client().options(
        "/items", headers={"Access-Control-Request-Method": "PUT"}
    )

    assert response.status_code == 401
    assert calls == ["before_request"]
