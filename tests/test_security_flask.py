"""Security cases through Flask's test client, with sync and async views.

The corpora come from ``fuzz/cases.py``. Requests are built as a WSGI server
delivers them: header values as Latin-1 strings in the environ (so a UTF-8
Origin arrives as its bytes), repeated lines joined with ", ", the path
percent-decoded once.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from crossorigin import CORS, ConfigError, cross_origin

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

cases: Any = importlib.import_module("fuzz.cases")

APP = "https://app.example.com"
TRUSTED = "https://trusted.example"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example"
ACAO = "Access-Control-Allow-Origin"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"


def wire(value: str) -> str:
    """A header value as a WSGI environ holds it: its UTF-8 bytes as Latin-1."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def send(app: Flask, method: str, path: str, headers: list[tuple[str, str]]) -> Any:
    environ: dict[str, str] = {}
    for name, value in headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = (
            f"{environ[key]}, {wire(value)}" if key in environ else wire(value)
        )
    return app.test_client().open(path, method=method, environ_overrides=environ)


def get(app: Flask, path: str, origin: str) -> Any:
    return send(app, "GET", path, [("Origin", origin)])


def preflight(app: Flask, path: str, origin: str, **extra: str) -> Any:
    headers = [("Origin", origin), (ACRM, extra.pop("method", "PUT"))]
    headers += [(name.replace("_", "-"), value) for name, value in extra.items()]
    return send(app, "OPTIONS", path, headers)


def cors_headers(response: Any) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def make_app(asynchronous: bool = False, **options: Any) -> Flask:
    """Routes for every case; each body names the view that ran."""
    app = Flask(__name__)
    if options:
        CORS(app, **options)

    def route(rule: str, name: str) -> None:
        if asynchronous:

            async def view(**kwargs: Any) -> str:
                return f"{name} {request.path}"

        else:

            def view(**kwargs: Any) -> str:
                return f"{name} {request.path}"

        app.add_url_rule(rule, name, view, methods=["GET", "PUT", "POST"])

    route("/items", "items")
    route("/files/<name>", "files")
    route("/public/<path:rest>", "public")
    route("/secret", "secret")
    route("/api/<path:rest>", "api")
    return app


@pytest.fixture(params=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param == "async")


def assert_safe(case: Any, origin: str, response: Any) -> None:
    """Nothing granted that the policy's oracle excludes; nothing crashed."""
    assert response.status_code < 500, origin
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, (origin, name)
    acao = response.headers.getlist(ACAO)
    assert len(acao) <= 1
    if not acao:
        assert "Access-Control-Allow-Credentials" not in response.headers
        return
    if acao[0] == "*":
        assert not case.credentials
        return
    assert acao[0] == wire(origin), origin
    if case.oracle is not None:
        assert case.oracle(acao[0].lower()), origin


# -- Malicious origins ----------------------------------------------------------


@pytest.mark.parametrize("case", cases.POLICIES, ids=lambda c: c.name)
def test_flask_malicious_origins_are_never_granted(
    case: Any, asynchronous: bool
) -> None:
    app = make_app(asynchronous, policy=case.policy)
    for origin in cases.MALICIOUS_ORIGINS:
        if origin == "null" and case.null:
            continue
        for response in (
            get(app, "/items", origin),
            preflight(app, "/items", origin, content_type="x", **{ACRPN: "true"}),
        ):
            assert_safe(case, origin, response)
            if case.oracle is not None:
                assert ACAO not in response.headers, origin


@pytest.mark.parametrize("case", cases.POLICIES, ids=lambda c: c.name)
def test_flask_good_origins_are_granted(case: Any, asynchronous: bool) -> None:
    app = make_app(asynchronous, policy=case.policy)
    for origin in cases.GOOD_ORIGINS.get(case.name, ()):
        response = get(app, "/items", origin)
        assert response.headers.get(ACAO) in (origin, "*"), origin


# -- Refused at configuration ---------------------------------------------------


@pytest.mark.parametrize("bad", cases.BAD_CONFIGS, ids=lambda b: b.id)
def test_flask_bad_config_refused_by_cors(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        CORS(Flask(__name__), **bad.options)
    cases.check_config_error(info.value)
    assert bad.fix in str(info.value)


@pytest.mark.parametrize("bad", cases.BAD_CONFIGS, ids=lambda b: b.id)
def test_flask_bad_config_refused_by_cross_origin(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        cross_origin(**bad.options)
    assert bad.fix in str(info.value)


@pytest.mark.parametrize(
    "bad",
    [b for b in cases.BAD_CONFIGS if "origin" not in b.options],
    ids=lambda b: b.id,
)
def test_flask_bad_config_refused_from_config_keys(bad: Any) -> None:
    app = Flask(__name__)
    app.config.update(cases.config_keys(bad.options))
    with pytest.raises(ConfigError) as info:
        CORS(app)
    assert bad.fix in str(info.value)


def test_flask_bad_config_in_a_resource_rule_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        CORS(Flask(__name__), resources={"/api/*": {"origins": ["null"]}})
    assert "resources['/api/*']" in str(info.value)


# -- Refused per request --------------------------------------------------------


def test_flask_null_origin_refused_by_default_policy(asynchronous: bool) -> None:
    """C3: 'null' is not 'any origin'."""
    app = make_app(asynchronous, origins="*")
    response = get(app, "/items", "null")
    assert cors_headers(response) == {}


def test_flask_regex_is_matched_in_full(asynchronous: bool) -> None:
    """C4."""
    app = make_app(asynchronous, origins=[r"https://app\.example\.com"])
    for origin in ("https://app.example.com.evil.net", "https://app.example.com\n"):
        assert ACAO not in get(app, "/items", origin).headers


def test_flask_plain_http_from_callable_refused_with_credentials(
    asynchronous: bool,
) -> None:
    """C7: checked per request for what a callable accepts."""
    app = make_app(
        asynchronous, origins=[lambda origin: True], supports_credentials=True
    )
    assert ACAO not in get(app, "/items", "http://app.example.com").headers
    assert get(app, "/items", APP).headers[ACAO] == APP


def test_flask_vary_on_refused_missing_and_routing_error(asynchronous: bool) -> None:
    """C9: every origin-dependent response varies on Origin."""
    app = make_app(asynchronous, origins=[APP])
    client = app.test_client()
    for response in (
        client.get("/items"),
        get(app, "/items", EVIL),
        get(app, "/nowhere", EVIL),
        send(app, "DELETE", "/items", [("Origin", APP)]),
    ):
        assert "Origin" in response.headers.get("Vary", ""), response.status


def test_flask_refused_preflight_is_403_and_never_reaches_the_app(
    asynchronous: bool,
) -> None:
    """C11: 403, no CORS headers, no before_request, no view."""
    app = make_app(
        asynchronous, origins=[APP], methods=["GET", "PUT"], allow_headers=["X-A"]
    )
    ran: list[str] = []
    app.before_request(lambda: ran.append("before_request"))
    for response in (
        preflight(app, "/items", EVIL),
        preflight(app, "/items", APP, method="DELETE"),
        preflight(app, "/items", APP, **{ACRH: "x-b"}),
    ):
        assert response.status_code == 403
        assert cors_headers(response) == {}
    assert ran == []


def test_flask_megabyte_request_headers_refused(asynchronous: bool) -> None:
    """C12: refused unparsed (the parse is asserted in the core tests)."""
    app = make_app(asynchronous, origins=[APP])
    for value in ("," * 1_000_000, "x-a, " * 200_000):
        response = preflight(app, "/items", APP, **{ACRH: value})
        assert response.status_code == 403
        assert cors_headers(response) == {}


def test_flask_header_injection_in_origin_is_not_echoed(asynchronous: bool) -> None:
    """C13: CR LF reaches the app only through a lax server; never echoed."""
    app = make_app(asynchronous)
    for origin in (APP + "\r\nSet-Cookie: a=b", APP + "\x00", APP + "\t"):
        response = get(app, "/items", origin)
        assert ACAO not in response.headers
        assert "Set-Cookie" not in response.headers


def test_flask_authorization_allowed_by_echo(asynchronous: bool) -> None:
    """C15."""
    app = make_app(asynchronous, origins=[APP], supports_credentials=True)
    response = preflight(app, "/items", APP, **{ACRH: "authorization"})
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


def test_flask_private_network_only_for_allowed_origins(asynchronous: bool) -> None:
    """C16: opted in, and still only for an allowed origin."""
    app = make_app(asynchronous, origins=[APP], allow_private_network=True)
    granted = preflight(app, "/items", APP, **{ACRPN: "true"})
    refused = preflight(app, "/items", EVIL, **{ACRPN: "true"})
    assert granted.headers["Access-Control-Allow-Private-Network"] == "true"
    assert cors_headers(refused) == {}


# -- Flask-CORS advisories ------------------------------------------------------


def test_flask_log_injection_through_path_and_header_values(
    caplog: pytest.LogCaptureFixture, asynchronous: bool
) -> None:
    """CVE-2024-1681: no request can add a line to the log."""
    app = make_app(asynchronous, origins=[APP], debug=True)
    forged = "\r\n\x0b\x85 2024-01-01 INFO forged-entry"
    with caplog.at_level(logging.DEBUG, logger="crossorigin"):
        app.test_client().get("/items%0D%0A2024-01-01%20INFO%20forged-entry")
        send(app, "GET", "/items", [("Origin", APP + forged)])
        preflight(app, "/items", APP, method="PUT" + forged)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("cross")]
    assert len(messages) >= 2
    assert [m for m in messages if len(m.splitlines()) != 1] == []
    assert any("forged-entry" in m for m in messages)


def test_flask_private_network_not_granted_by_default(asynchronous: bool) -> None:
    """CVE-2024-6221."""
    app = make_app(asynchronous, origins="*")
    response = preflight(app, "/items", APP, **{ACRPN: "true"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Private-Network" not in response.headers


@pytest.mark.parametrize(
    ("resources", "path"),
    [
        (
            {
                r"/api/(v1|v2|v3|beta).*": {"origins": "*"},
                r"/api/v1/admin/.*": {"origins": [ADMIN]},
            },
            "/api/v1/admin/users",
        ),
        (
            {r"/.*": {"origins": "*"}, r"/api/v1/admin/.*": {"origins": [ADMIN]}},
            "/api/v1/admin/users",
        ),
        (
            {
                r"/api/[a-z0-9_-]+/.*": {"origins": "*"},
                r"/api/admin/.*": {"origins": [ADMIN]},
            },
            "/api/admin/users",
        ),
    ],
)
def test_flask_broad_rule_never_overrides_a_narrower_one(
    resources: dict[str, Any], path: str, asynchronous: bool
) -> None:
    """CVE-2024-6839: the rule with the longest literal prefix wins."""
    app = make_app(asynchronous, resources=resources)
    assert ACAO not in get(app, path, EVIL).headers
    assert get(app, path, ADMIN).headers[ACAO] == ADMIN


def test_flask_plus_in_path_is_not_a_space(asynchronous: bool) -> None:
    """CVE-2024-6844."""
    app = make_app(
        asynchronous,
        resources={
            r"/files/a\+b": {"origins": [TRUSTED]},
            r"/files/.*": {"origins": "*"},
        },
    )
    response = get(app, "/files/a+b", EVIL)
    assert response.get_data(as_text=True) == "files /files/a+b"
    assert ACAO not in response.headers
    assert get(app, "/files/a+b", TRUSTED).headers[ACAO] == TRUSTED


def test_flask_path_case_is_not_folded(asynchronous: bool) -> None:
    """CVE-2024-6866: '/Public/...' is not under '/public/'."""
    app = make_app(
        asynchronous,
        resources={r"/public/.*": {"origins": "*"}, r"/.*": {"origins": [TRUSTED]}},
    )
    assert ACAO not in get(app, "/Public/secret", EVIL).headers
    assert get(app, "/public/x", EVIL).headers[ACAO] == EVIL


def test_flask_path_is_decoded_once(asynchronous: bool) -> None:
    """Flask-CORS decoded the router's path again (its Q9)."""
    app = make_app(
        asynchronous,
        resources={
            r"/files/public/.*": {"origins": "*"},
            r"/.*": {"origins": [TRUSTED]},
        },
    )
    response = get(app, "/files/public%252Fsecret", EVIL)
    assert response.get_data(as_text=True) == "files /files/public%2Fsecret"
    assert ACAO not in response.headers


@pytest.mark.parametrize("path", ["/public/../secret", "/public/%2e%2e/secret"])
def test_flask_dot_segments_follow_the_router(path: str, asynchronous: bool) -> None:
    """CVE-2020-25032: the rule matches the path the router dispatched on."""
    app = make_app(
        asynchronous,
        resources={r"/public/*": {"origins": "*"}, r"/*": {"origins": [TRUSTED]}},
    )
    response = get(app, path, EVIL)
    view = response.get_data(as_text=True).split()[0]
    granted = ACAO in response.headers
    # Whichever view ran, the rule for that view's path decided.
    assert (view, granted) in (("public", True), ("secret", False)), response.data


# -- Adversarial requests -------------------------------------------------------


def test_flask_very_long_origin_is_refused(asynchronous: bool) -> None:
    app = make_app(asynchronous)
    response = get(app, "/items", "https://" + "a" * 1_000_000 + ".example.com")
    assert response.status_code == 200
    assert ACAO not in response.headers


def test_flask_repeated_origin_lines_are_refused(asynchronous: bool) -> None:
    app = make_app(asynchronous, origins=[APP])
    response = send(app, "GET", "/items", [("Origin", APP)] * 1000)
    assert response.status_code == 200
    assert ACAO not in response.headers


def test_flask_repeated_request_header_lines_hit_the_cap(asynchronous: bool) -> None:
    app = make_app(asynchronous, origins=[APP])
    headers = [("Origin", APP), (ACRM, "PUT"), *[(ACRH, "x-a")] * 5000]
    response = send(app, "OPTIONS", "/items", headers)
    assert response.status_code == 403
    assert cors_headers(response) == {}


@pytest.mark.parametrize(
    ("method", "requested", "status"),
    [
        ("OPTIONS", "pUt", 200),
        ("options", "PUT", 200),  # Werkzeug upper-cases REQUEST_METHOD
        ("OPTIONS", "opt\u0131ons", 403),
        ("OPTIONS", "TRACE", 403),
    ],
)
def test_flask_mixed_case_methods(
    method: str, requested: str, status: int, asynchronous: bool
) -> None:
    app = make_app(asynchronous, origins=[APP], methods=["GET", "PUT", "OPTIONS"])
    headers = [("Origin", APP), (ACRM, requested)]
    response = send(app, method, "/items", headers)
    assert response.status_code == status
    acam = response.headers.get("Access-Control-Allow-Methods", "")
    assert acam.isascii()
