"""Flask: which policy governs a request, and configuration errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask

from crossorigin import CORS, ConfigError, Policy, cross_origin, exempt

ORIGIN = "https://app.example.com"
OTHER = "https://other.example.com"
EVIL = "https://evil.example.net"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


def acao(app: Flask, path: str, origin: str = ORIGIN) -> str | None:
    response = app.test_client().get(path, headers={"Origin": origin})
    return response.headers.get(ACAO)  # type: ignore[no-any-return]


def preflight_status(app: Flask, path: str, origin: str = ORIGIN) -> int:
    headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
    response = app.test_client().options(path, headers=headers)
    return int(response.status_code)


def app_with_routes(*paths: str) -> Flask:
    app = Flask(__name__)
    for path in paths:
        app.add_url_rule(path, path, lambda: "ok", methods=["GET", "PUT"])
    return app


def test_cors_app_with_options() -> None:
    app = app_with_routes("/x")
    CORS(app, origins=[ORIGIN], supports_credentials=True)

    response = app.test_client().get("/x", headers={"Origin": ORIGIN})

    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert acao(app, "/x", EVIL) is None


def test_cors_app_with_policy() -> None:
    app = app_with_routes("/x")
    CORS(app, policy=Policy(origins=[OTHER]))

    assert acao(app, "/x", OTHER) == OTHER
    assert acao(app, "/x", ORIGIN) is None


def test_app_factory_init_app_options_win() -> None:
    cors = CORS(origins=[ORIGIN])
    app = app_with_routes("/x")
    app.config["CORS_ORIGINS"] = [EVIL]
    app.config["CORS_EXPOSE_HEADERS"] = ["X-From-Config"]

    cors.init_app(app, supports_credentials=True)
    response = app.test_client().get("/x", headers={"Origin": ORIGIN})

    # Precedence: CORS_* keys < CORS(...) options < init_app(...) options.
    assert response.headers[ACAO] == ORIGIN
    assert response.headers[ACAC] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-From-Config"
    assert acao(app, "/x", EVIL) is None


def test_app_factory_serves_two_apps() -> None:
    cors = CORS(origins=[ORIGIN])
    first, second = app_with_routes("/x"), app_with_routes("/x")
    second.config["CORS_SUPPORTS_CREDENTIALS"] = True

    cors.init_app(first)
    cors.init_app(second)

    assert acao(first, "/x") == ORIGIN
    assert ACAC not in first.test_client().get("/x", headers={"Origin": ORIGIN}).headers
    second_response = second.test_client().get("/x", headers={"Origin": ORIGIN})
    assert second_response.headers[ACAC] == "true"


def test_config_keys_alone() -> None:
    app = app_with_routes("/x")
    app.config.update(
        CORS_ORIGINS=[ORIGIN],
        CORS_SUPPORTS_CREDENTIALS=True,
        CORS_MAX_AGE=600,
        CORS_ALLOW_HEADERS=["Content-Type"],
    )
    CORS(app)

    response = app.test_client().options(
        "/x",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code == 200
    assert response.headers[ACAC] == "true"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"


def test_config_key_none_is_skipped() -> None:
    app = app_with_routes("/x")
    app.config["CORS_ORIGINS"] = None
    CORS(app)

    assert acao(app, "/x", EVIL) == EVIL


def test_resources_choose_by_longest_prefix() -> None:
    app = app_with_routes("/api/public/x", "/api/x", "/apiary", "/other")
    CORS(
        app,
        resources={
            "/api/*": {"origins": [ORIGIN]},
            "/api/public/*": {"origins": "*"},
        },
    )

    assert acao(app, "/api/x") == ORIGIN
    assert acao(app, "/api/x", EVIL) is None
    assert acao(app, "/api/public/x", EVIL) == EVIL
    assert acao(app, "/apiary") is None
    assert acao(app, "/other") is None
    assert preflight_status(app, "/other") == 200


def test_resources_unmatched_path_preflight_goes_to_app() -> None:
    app = app_with_routes("/api/x", "/other")
    CORS(app, resources={"/api/*": {"origins": [ORIGIN]}})

    response = app.test_client().options(
        "/other", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
    )

    # No rule: Flask's own OPTIONS answer, no CORS headers.
    assert response.status_code == 200
    assert "PUT" in response.allow
    assert ACAO not in response.headers


def test_blueprint_policy_only_on_its_routes() -> None:
    app = Flask(__name__)
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/x", "x", lambda: "x")
    app.add_url_rule("/plain", "plain", lambda: "plain")
    CORS(bp, origins=[ORIGIN])
    app.register_blueprint(bp)

    assert acao(app, "/api/x") == ORIGIN
    assert acao(app, "/plain") is None
    # A routing 404 belongs to no blueprint.
    assert acao(app, "/api/missing") is None


def test_blueprint_starts_from_app_config() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [ORIGIN]
    bp = Blueprint("api", __name__)
    bp.add_url_rule("/x", "x", lambda: "x")
    CORS(bp)
    app.register_blueprint(bp)

    assert acao(app, "/x") == ORIGIN
    assert acao(app, "/x", EVIL) is None


def test_blueprint_refusal_is_final() -> None:
    app = Flask(__name__)
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/x", "x", lambda: "x", methods=["GET", "PUT"])
    CORS(bp, origins=[ORIGIN])
    app.register_blueprint(bp)
    app.add_url_rule("/open", "open", lambda: "open")
    CORS(app, origins="*")

    assert acao(app, "/api/x", EVIL) is None
    assert preflight_status(app, "/api/x", EVIL) == 403
    assert acao(app, "/open", EVIL) == EVIL


def test_nested_blueprint_uses_innermost_policy() -> None:
    app = Flask(__name__)
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")
    parent.add_url_rule("/x", "x", lambda: "parent")
    child.add_url_rule("/x", "x", lambda: "child")
    CORS(parent, origins=[ORIGIN])
    CORS(child, origins=[OTHER])
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert acao(app, "/p/x") == ORIGIN
    assert acao(app, "/p/c/x", OTHER) == OTHER
    assert acao(app, "/p/c/x", ORIGIN) is None


def test_decorator_overrides_app_policy_both_ways() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    @app.get("/deco")
    @cross_origin(origins=[OTHER])
    def deco() -> str:
        return "deco"

    assert acao(app, "/deco", OTHER) == OTHER
    assert acao(app, "/deco", ORIGIN) is None


def test_bare_decorator_uses_defaults_and_config() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [ORIGIN]

    @app.get("/bare")
    @cross_origin
    def bare() -> str:
        return "bare"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    assert acao(app, "/bare") == ORIGIN
    assert acao(app, "/bare", EVIL) is None
    assert acao(app, "/plain") is None


def test_decorator_with_policy() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.put("/p")
    @cross_origin(policy=Policy(origins=[ORIGIN], methods=["PUT"]))
    def p() -> str:
        return "p"

    assert preflight_status(app, "/p") == 200
    assert preflight_status(app, "/p", EVIL) == 403


def test_exempt_view_gets_nothing() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.get("/health")
    @exempt
    def health() -> str:
        return "up"

    response = app.test_client().get("/health", headers={"Origin": ORIGIN})

    assert response.data == b"up"
    assert ACAO not in response.headers
    assert "Vary" not in response.headers


def test_decorator_on_method_view_method_applies_itself() -> None:
    from flask.views import MethodView

    app = Flask(__name__)
    CORS(app, origins="*")

    class Things(MethodView):
        @cross_origin(origins=[ORIGIN])
        def get(self) -> str:
            return "things"

    app.add_url_rule("/things", view_func=Things.as_view("things"))

    # The method's decorator is not on the endpoint; it applies its own
    # decision and the app-wide hook keeps out.
    assert acao(app, "/things") == ORIGIN
    assert acao(app, "/things", EVIL) is None
    # A preflight names its method, so the method's decorator answers it.
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "GET"}
    refused = app.test_client().options("/things", headers=headers)
    assert refused.status_code == 403
    headers["Origin"] = ORIGIN
    allowed = app.test_client().options("/things", headers=headers)
    assert allowed.headers[ACAO] == ORIGIN


def test_second_cors_app_is_config_error() -> None:
    app = Flask(__name__)
    CORS(app, origins=[ORIGIN])

    with pytest.raises(ConfigError, match="already called"):
        CORS(app, origins=[OTHER])


def test_cors_blueprint_after_registration_is_config_error() -> None:
    app = Flask(__name__)
    bp = Blueprint("api", __name__)
    app.register_blueprint(bp)

    with pytest.raises(ConfigError, match=r"before app\.register_blueprint"):
        CORS(bp)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"origin": ORIGIN}, "did you mean origins"),
        ({"support_credentials": True}, "did you mean supports_credentials"),
        ({"supports_credentials": True}, "supports_credentials"),
        ({"origins": "https://app.example.com/"}, "origins"),
        ({"supports_credentials": "False"}, "environment variable"),
        ({"policy": Policy(), "origins": [ORIGIN]}, "policy"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    app = Flask(__name__)

    with pytest.raises(ConfigError, match=message):
        CORS(app, **options)
    with pytest.raises(ConfigError, match=message):
        cross_origin(**options)


def test_bad_config_key_value_is_config_error_at_startup() -> None:
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    with pytest.raises(ConfigError, match="supports_credentials"):
        CORS(app)


def test_positional_decorator_argument_is_config_error() -> None:
    with pytest.raises(ConfigError, match="origins="):
        cross_origin(ORIGIN)  # type: ignore[call-overload]
