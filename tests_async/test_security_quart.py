"""Security cases through Quart, driven as an ASGI server would drive it.

The corpora come from ``fuzz/cases.py``. Requests are raw ASGI scopes: header
values are the UTF-8 bytes of the test's string, repeated lines stay
separate (as HTTP/1.1 and HTTP/2 servers hand them over), the path is
percent-decoded once. A value holding CR or LF is left out: Werkzeug's
``Headers`` (which Quart builds from the scope) refuses it before any
extension runs, and ASGI servers reject it earlier still.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

quart = pytest.importorskip("quart")

from quart import Quart, request, websocket  # noqa: E402
from quart.testing import WebsocketResponseError  # noqa: E402
from werkzeug.datastructures import Headers  # noqa: E402

from crossorigin import CORS, ConfigError, cross_origin  # noqa: E402

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


class Result:
    """What the app sent: status, headers (Werkzeug ``Headers``), body."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        start = messages[0]
        self.status_code: int = start["status"]
        self.headers = Headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        )
        self.data = b"".join(m.get("body", b"") for m in messages[1:])

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode() if as_text else self.data


def wire(value: str) -> str:
    """A header value as Quart reads it: its UTF-8 bytes as Latin-1."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


def deliverable(value: str) -> bool:
    return "\r" not in value and "\n" not in value


async def send(
    app: Quart, method: str, path: str, headers: list[tuple[str, str]]
) -> Result:
    """One request through the app's ASGI interface; a 30 s hang detector."""
    raw = [
        (name.lower().encode("latin-1"), value.encode("utf-8", "surrogatepass"))
        for name, value in headers
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [*raw, (b"host", b"api.example.com")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 443),
        "extensions": {},
    }
    messages: list[dict[str, Any]] = []
    finished = asyncio.Event()
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send_message(message: dict[str, Any]) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    await asyncio.wait_for(app(scope, receive, send_message), timeout=30)
    return Result(messages)


async def get(app: Quart, path: str, origin: str) -> Result:
    return await send(app, "GET", path, [("Origin", origin)])


async def preflight(app: Quart, path: str, origin: str, **extra: str) -> Result:
    headers = [("Origin", origin), (ACRM, extra.pop("method", "PUT"))]
    headers += [(name.replace("_", "-"), value) for name, value in extra.items()]
    return await send(app, "OPTIONS", path, headers)


def cors_headers(response: Any) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def make_app(**options: Any) -> Quart:
    """Routes for every case; each body names the view that ran."""
    app = Quart(__name__)
    if options:
        CORS(app, **options)

    def route(rule: str, name: str) -> None:
        async def view(**kwargs: Any) -> str:
            return f"{name} {request.path}"

        app.add_url_rule(rule, name, view, methods=["GET", "PUT", "POST"])

    route("/items", "items")
    route("/files/<name>", "files")
    route("/public/<path:rest>", "public")
    route("/secret", "secret")
    route("/api/<path:rest>", "api")
    return app


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
async def test_quart_malicious_origins_are_never_granted(case: Any) -> None:
    app = make_app(policy=case.policy)
    for origin in filter(deliverable, cases.MALICIOUS_ORIGINS):
        if origin == "null" and case.null:
            continue
        for response in (
            await get(app, "/items", origin),
            await preflight(app, "/items", origin, content_type="x", **{ACRPN: "true"}),
        ):
            assert_safe(case, origin, response)
            if case.oracle is not None:
                assert ACAO not in response.headers, origin


@pytest.mark.parametrize("case", cases.POLICIES, ids=lambda c: c.name)
async def test_quart_good_origins_are_granted(case: Any) -> None:
    app = make_app(policy=case.policy)
    for origin in cases.GOOD_ORIGINS.get(case.name, ()):
        response = await get(app, "/items", origin)
        assert response.headers.get(ACAO) in (origin, "*"), origin


# -- Refused at configuration ---------------------------------------------------


@pytest.mark.parametrize("bad", cases.BAD_CONFIGS, ids=lambda b: b.id)
async def test_quart_bad_config_refused_by_cors(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        CORS(Quart(__name__), **bad.options)
    cases.check_config_error(info.value)
    assert bad.fix in str(info.value)


@pytest.mark.parametrize("bad", cases.BAD_CONFIGS, ids=lambda b: b.id)
async def test_quart_bad_config_refused_by_cross_origin(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        cross_origin(**bad.options)
    assert bad.fix in str(info.value)


@pytest.mark.parametrize(
    "bad",
    [b for b in cases.BAD_CONFIGS if "origin" not in b.options],
    ids=lambda b: b.id,
)
async def test_quart_bad_config_refused_from_config_keys(bad: Any) -> None:
    app = Quart(__name__)
    app.config.update(cases.config_keys(bad.options))
    with pytest.raises(ConfigError) as info:
        CORS(app)
    assert bad.fix in str(info.value)


async def test_quart_bad_config_in_a_resource_rule_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        CORS(Quart(__name__), resources={"/api/*": {"origins": ["null"]}})
    assert "resources['/api/*']" in str(info.value)


async def test_quart_malicious_origins_never_open_a_websocket() -> None:
    """check_websocket_origin=True refuses the corpus before the handler."""
    app = Quart(__name__)
    CORS(app, origins=[APP], check_websocket_origin=True)
    ran: list[str] = []

    @app.websocket("/ws")
    async def ws() -> None:
        ran.append(websocket.headers.get("Origin", ""))
        await websocket.accept()
        await websocket.send("open")

    opened = []
    for origin in filter(deliverable, cases.MALICIOUS_ORIGINS):
        headers = {"Origin": wire(origin)}
        try:
            async with app.test_client().websocket("/ws", headers=headers) as conn:
                opened.append((origin, await conn.receive()))
        except WebsocketResponseError as error:
            assert error.response.status_code == 403, origin
    assert opened == []
    assert ran == []
    async with app.test_client().websocket("/ws", headers={"Origin": APP}) as conn:
        assert await conn.receive() == "open"


# -- Refused per request --------------------------------------------------------


async def test_quart_null_origin_refused_by_default_policy() -> None:
    """C3: 'null' is not 'any origin'."""
    app = make_app(origins="*")
    response = await get(app, "/items", "null")
    assert cors_headers(response) == {}


async def test_quart_regex_is_matched_in_full() -> None:
    """C4."""
    app = make_app(origins=[r"https://app\.example\.com"])
    for origin in ("https://app.example.com.evil.net", "https://app.example.com\x00"):
        assert ACAO not in (await get(app, "/items", origin)).headers


async def test_quart_plain_http_from_callable_refused_with_credentials() -> None:
    """C7: checked per request for what a callable accepts."""
    app = make_app(origins=[lambda origin: True], supports_credentials=True)
    assert ACAO not in (await get(app, "/items", "http://app.example.com")).headers
    assert (await get(app, "/items", APP)).headers[ACAO] == APP


async def test_quart_vary_on_refused_missing_and_routing_error() -> None:
    """C9: every origin-dependent response varies on Origin."""
    app = make_app(origins=[APP])
    for response in (
        await send(app, "GET", "/items", []),
        await get(app, "/items", EVIL),
        await get(app, "/nowhere", EVIL),
        await send(app, "DELETE", "/items", [("Origin", APP)]),
    ):
        assert "Origin" in response.headers.get("Vary", ""), response.status


async def test_quart_refused_preflight_is_403_and_never_reaches_the_app() -> None:
    """C11: 403, no CORS headers, no before_request, no view."""
    app = make_app(origins=[APP], methods=["GET", "PUT"], allow_headers=["X-A"])
    ran: list[str] = []
    app.before_request(lambda: ran.append("before_request"))
    for response in (
        await preflight(app, "/items", EVIL),
        await preflight(app, "/items", APP, method="DELETE"),
        await preflight(app, "/items", APP, **{ACRH: "x-b"}),
    ):
        assert response.status_code == 403
        assert cors_headers(response) == {}
    assert ran == []


async def test_quart_megabyte_request_headers_refused() -> None:
    """C12: refused unparsed (the parse is asserted in the core tests)."""
    app = make_app(origins=[APP])
    for value in ("," * 1_000_000, "x-a, " * 200_000):
        response = await preflight(app, "/items", APP, **{ACRH: value})
        assert response.status_code == 403
        assert cors_headers(response) == {}


async def test_quart_header_injection_in_origin_is_not_echoed() -> None:
    """C13: control characters that do reach Quart are never echoed."""
    app = make_app()
    for origin in (APP + "\x0bSet-Cookie: a=b", APP + "\x00", APP + "\t"):
        response = await get(app, "/items", origin)
        assert ACAO not in response.headers
        assert "Set-Cookie" not in response.headers


async def test_quart_authorization_allowed_by_echo() -> None:
    """C15."""
    app = make_app(origins=[APP], supports_credentials=True)
    response = await preflight(app, "/items", APP, **{ACRH: "authorization"})
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


async def test_quart_private_network_only_for_allowed_origins() -> None:
    """C16: opted in, and still only for an allowed origin."""
    app = make_app(origins=[APP], allow_private_network=True)
    granted = await preflight(app, "/items", APP, **{ACRPN: "true"})
    refused = await preflight(app, "/items", EVIL, **{ACRPN: "true"})
    assert granted.headers["Access-Control-Allow-Private-Network"] == "true"
    assert cors_headers(refused) == {}


# -- Flask-CORS advisories ------------------------------------------------------


async def test_quart_log_injection_through_path_and_header_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """CVE-2024-1681: no request can add a line to the log."""
    app = make_app(origins=[APP], debug=True)
    # CR and LF cannot reach Quart in a header value (see the module
    # docstring); these other line breaks (for str.splitlines) can.
    forged = "\x0b\x85\u2028" + "2024-01-01 INFO forged-entry"
    with caplog.at_level(logging.DEBUG, logger="crossorigin"):
        await send(app, "GET", "/items%0D%0A2024-01-01%20INFO%20forged-entry", [])
        await send(app, "GET", "/items", [("Origin", APP + forged)])
        await preflight(app, "/items", APP, method="PUT" + forged)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("cross")]
    assert len(messages) >= 2
    assert [m for m in messages if len(m.splitlines()) != 1] == []
    assert any("forged-entry" in m for m in messages)


async def test_quart_private_network_not_granted_by_default() -> None:
    """CVE-2024-6221."""
    app = make_app(origins="*")
    response = await preflight(app, "/items", APP, **{ACRPN: "true"})
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
async def test_quart_broad_rule_never_overrides_a_narrower_one(
    resources: dict[str, Any], path: str
) -> None:
    """CVE-2024-6839: the rule with the longest literal prefix wins."""
    app = make_app(resources=resources)
    assert ACAO not in (await get(app, path, EVIL)).headers
    assert (await get(app, path, ADMIN)).headers[ACAO] == ADMIN


async def test_quart_plus_in_path_is_not_a_space() -> None:
    """CVE-2024-6844."""
    app = make_app(
        resources={
            r"/files/a\+b": {"origins": [TRUSTED]},
            r"/files/.*": {"origins": "*"},
        },
    )
    response = await get(app, "/files/a+b", EVIL)
    assert response.get_data(as_text=True) == "files /files/a+b"
    assert ACAO not in response.headers
    assert (await get(app, "/files/a+b", TRUSTED)).headers[ACAO] == TRUSTED


async def test_quart_path_case_is_not_folded() -> None:
    """CVE-2024-6866: '/Public/...' is not under '/public/'."""
    app = make_app(
        resources={r"/public/.*": {"origins": "*"}, r"/.*": {"origins": [TRUSTED]}},
    )
    assert ACAO not in (await get(app, "/Public/secret", EVIL)).headers
    assert (await get(app, "/public/x", EVIL)).headers[ACAO] == EVIL


async def test_quart_path_is_decoded_once() -> None:
    """Flask-CORS decoded the router's path again (its Q9)."""
    app = make_app(
        resources={
            r"/files/public/.*": {"origins": "*"},
            r"/.*": {"origins": [TRUSTED]},
        },
    )
    response = await get(app, "/files/public%252Fsecret", EVIL)
    assert response.get_data(as_text=True) == "files /files/public%2Fsecret"
    assert ACAO not in response.headers


@pytest.mark.parametrize("path", ["/public/../secret", "/public/%2e%2e/secret"])
async def test_quart_dot_segments_follow_the_router(path: str) -> None:
    """CVE-2020-25032: the rule matches the path the router dispatched on."""
    app = make_app(
        resources={r"/public/*": {"origins": "*"}, r"/*": {"origins": [TRUSTED]}},
    )
    response = await get(app, path, EVIL)
    view = response.get_data(as_text=True).split()[0]
    granted = ACAO in response.headers
    # Whichever view ran, the rule for that view's path decided.
    assert (view, granted) in (("public", True), ("secret", False)), response.data


# -- Adversarial requests -------------------------------------------------------


async def test_quart_very_long_origin_is_refused() -> None:
    app = make_app()
    response = await get(app, "/items", "https://" + "a" * 1_000_000 + ".example.com")
    assert response.status_code == 200
    assert ACAO not in response.headers


async def test_quart_repeated_origin_lines_are_refused() -> None:
    app = make_app(origins=[APP])
    response = await send(app, "GET", "/items", [("Origin", APP)] * 1000)
    assert response.status_code == 200
    assert ACAO not in response.headers


async def test_quart_repeated_request_header_lines_hit_the_cap() -> None:
    app = make_app(origins=[APP])
    headers = [("Origin", APP), (ACRM, "PUT"), *[(ACRH, "x-a")] * 5000]
    response = await send(app, "OPTIONS", "/items", headers)
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
async def test_quart_mixed_case_methods(
    method: str, requested: str, status: int
) -> None:
    app = make_app(origins=[APP], methods=["GET", "PUT", "OPTIONS"])
    headers = [("Origin", APP), (ACRM, requested)]
    response = await send(app, method, "/items", headers)
    assert response.status_code == status
    acam = response.headers.get("Access-Control-Allow-Methods", "")
    assert acam.isascii()
