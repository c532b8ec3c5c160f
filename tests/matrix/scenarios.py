"""The scenario table: configuration, routes, requests and expected responses.

Pure data. Every per-request behaviour of DESIGN.md ("Per request") appears
here once, and the same table runs against every target (Flask sync views,
Flask async views, Quart), under test clients and real servers.

Placeholders in request and expected header values:

- ``{n}``: the copy number. Sequential runs use 0; concurrent runs give every
  interleaved copy its own number, so that copies send different origins and
  a response echoing another request's origin fails.
- ``{origin}``: the request's own ``Origin`` (expected values only).
- ``{self}``: the origin of the server itself (same-origin WebSockets).

Expected ``cors`` is the complete set of ``Access-Control-*`` response
headers: any other one present is a failure. ``vary`` is the expected set of
``Vary`` tokens (``None``: no ``Vary`` header; a leading ``?``: either absent
or exactly that). List headers compare as case-insensitive token sets.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crossorigin import Policy

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"

APP = "https://app.example.com"
APP2 = "https://admin.example.com"
OTHER = "https://partner.example.net"
EVIL = "https://evil.example.org"
#: A different origin per concurrent copy, for policies that allow any.
ANY = "https://c{n}.example.org"

#: Flask-CORS's default ``methods``, as ``Access-Control-Allow-Methods``.
DEFAULT_ACAM = "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"

#: The targets, and the frameworks they belong to.
TARGETS = ("flask-sync", "flask-async", "quart")
FRAMEWORK = {"flask-sync": "flask", "flask-async": "flask", "quart": "quart"}


@dataclass(frozen=True)
class Expect:
    """The expected response to one request."""

    status: int
    #: Every ``Access-Control-*`` header expected; ``None``: not checked.
    cors: Mapping[str, str] | None = field(default_factory=dict)
    vary: str | None = "Origin"
    #: Other headers: expected value, or ``None`` for "absent".
    headers: Mapping[str, str | None] = field(default_factory=dict)
    #: Tokens that must appear with exactly this spelling (case-sensitive).
    exact_tokens: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The exact body; ``None``: not checked.
    body: str | None = None


@dataclass(frozen=True)
class Req:
    """One request and its expected response.

    ``method`` ``WEBSOCKET`` is a WebSocket handshake: status 101 when the
    connection is accepted.
    """

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    expect: Expect

    @property
    def origin(self) -> str | None:
        values = [v for k, v in self.headers if k.lower() == "origin"]
        return values[0] if len(values) == 1 else None


@dataclass(frozen=True)
class Route:
    """One view.

    ``kind`` is what the view does: ``ok`` (200, body ``ok <rule>``),
    ``vary:<value>`` (sets ``Vary``), ``own_acao:<origin>`` (sets its own
    ``Access-Control-Allow-Origin``), ``abort:<status>``, ``raise`` (an
    unhandled exception), ``teapot`` (an exception an error handler turns
    into 418), ``redirect`` (302 to ``/target``), ``stream`` (a streamed
    body), ``websocket`` (echoes one message).

    ``decorator``: ``None``, ``"bare"`` (``@cross_origin``), ``"exempt"``, or
    a dict of ``cross_origin`` options.
    """

    rule: str
    kind: str = "ok"
    methods: tuple[str, ...] = ("GET",)
    decorator: str | Mapping[str, Any] | None = None
    blueprint: str | None = None


@dataclass(frozen=True)
class BP:
    """A blueprint; ``cors`` is the options of ``CORS(bp)`` (``None``: none)."""

    name: str
    url_prefix: str
    cors: Mapping[str, Any] | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One app configuration and the requests run against it, in order.

    ``cors``: options of ``CORS(app, ...)``, ``None`` for no ``CORS(app)``.
    ``init_app``: call ``CORS(**cors).init_app(app)`` instead. ``hooks``:
    app ``before_request`` functions (``auth``: 401 without an
    ``Authorization`` header). ``only``: the frameworks or targets it applies
    to (``None``: all).
    """

    name: str
    routes: tuple[Route, ...]
    requests: tuple[Req, ...]
    cors: Mapping[str, Any] | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    blueprints: tuple[BP, ...] = ()
    hooks: tuple[str, ...] = ()
    init_app: bool = False
    only: tuple[str, ...] | None = None

    def applies_to(self, target: str) -> bool:
        return self.only is None or bool({target, FRAMEWORK[target]} & set(self.only))


# -- Request helpers ----------------------------------------------------------
#
# They only build the data above; the expectation is always spelled out.


def _headers(origin: str | None, extra: Mapping[str, str] | None) -> tuple:
    pairs: list[tuple[str, str]] = []
    if origin is not None:
        pairs.append(("Origin", origin))
    pairs.extend((extra or {}).items())
    return tuple(pairs)


def req(
    method: str,
    path: str,
    origin: str | None,
    expect: Expect,
    **extra: str,
) -> Req:
    """A request; ``extra`` header names use ``_`` for ``-``."""
    named = {k.replace("_", "-"): v for k, v in extra.items()}
    return Req(method, path, _headers(origin, named), expect)


def get(path: str, origin: str | None, expect: Expect, **extra: str) -> Req:
    return req("GET", path, origin, expect, **extra)


def preflight(
    path: str,
    origin: str | None,
    method: str,
    expect: Expect,
    request_headers: str | None = None,
    **extra: str,
) -> Req:
    """``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
    headers = {ACRM: method, **{k.replace("_", "-"): v for k, v in extra.items()}}
    if request_headers is not None:
        headers[ACRH] = request_headers
    return Req("OPTIONS", path, _headers(origin, headers), expect)


def ok(origin: str = "{origin}", **cors: str) -> Expect:
    """200 from the view, with ``Access-Control-Allow-Origin: origin``."""
    return Expect(200, {ACAO: origin, **_names(cors)})


def refused(status: int = 200, vary: str | None = "Origin") -> Expect:
    """No ``Access-Control-*`` header at all."""
    return Expect(status, {}, vary=vary)


def no_cors(status: int = 200, **headers: str | None) -> Expect:
    """No policy: no ``Access-Control-*`` header and no ``Vary``."""
    return Expect(status, {}, vary=None, headers=_names(headers))


def preflight_ok(origin: str = "{origin}", **cors: str) -> Expect:
    """Answered by crossorigin: 200, empty body."""
    return Expect(200, {ACAO: origin, **_names(cors)}, body="")


#: A refused preflight: 403, no ``Access-Control-*``; ``Vary`` may stay.
PREFLIGHT_REFUSED = Expect(403, {}, vary="?Origin")


def _names(values: Mapping[str, Any]) -> dict[str, Any]:
    """``allow_methods`` -> ``Access-Control-Allow-Methods``; ``Allow``."""
    named = {}
    for key, value in values.items():
        words = [w.capitalize() for w in key.split("_")]
        if key != "Allow":
            words = ["Access", "Control", *words]
        named["-".join(words)] = value
    return named


# -- Origin callables ---------------------------------------------------------


def trusted_origin(origin: str) -> bool:
    """A sync origin check: any HTTPS subdomain of ``trusted.test``."""
    return origin.startswith("https://") and origin.endswith(".trusted.test")


async def trusted_origin_async(origin: str) -> bool:
    return trusted_origin(origin)


def broken_origin_check(origin: str) -> bool:
    """An origin check that fails: crossorigin must refuse, not crash."""
    raise RuntimeError(origin)


# -- The table ----------------------------------------------------------------

LONG_HEADERS = ", ".join(f"x-h{i}" for i in range(900))  # well over 4 KiB

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "default_any_origin",
        cors={},
        routes=(Route("/r", methods=("GET", "POST")), Route("/get-only")),
        requests=(
            get("/r", ANY, Expect(200, {ACAO: "{origin}"}, body="ok /r")),
            # always_send: no Origin, any-origin policy without credentials.
            get("/r", None, Expect(200, {ACAO: "*"})),
            req("POST", "/r", ANY, ok()),
            req("HEAD", "/r", ANY, ok()),
            preflight("/r", ANY, "PUT", preflight_ok(allow_methods=DEFAULT_ACAM)),
            preflight(
                "/r",
                ANY,
                "DELETE",
                preflight_ok(
                    allow_methods=DEFAULT_ACAM,
                    allow_headers="X-Custom, Authorization",
                ),
                request_headers="X-Custom, Authorization",
            ),
            # A preflight needs the method; without it, OPTIONS is an actual
            # request answered by the app (automatic OPTIONS, with Allow).
            req("OPTIONS", "/r", ANY, Expect(200, {ACAO: "{origin}"})),
            # ...and without Origin it is no CORS request at all.
            req(
                "OPTIONS",
                "/r",
                None,
                Expect(200, {ACAO: "*"}),
                Access_Control_Request_Method="PUT",
            ),
            # The method route does not serve: still answered by crossorigin.
            preflight(
                "/get-only", ANY, "PUT", preflight_ok(allow_methods=DEFAULT_ACAM)
            ),
            # Routing errors belong to the app policy.
            get("/nowhere", ANY, Expect(404, {ACAO: "{origin}"})),
            req("DELETE", "/get-only", ANY, Expect(405, {ACAO: "{origin}"})),
            # A preflight to a path that routes nowhere is left to the app:
            # its 404, with the app policy's headers.
            preflight(
                "/nowhere",
                ANY,
                "PUT",
                Expect(404, {ACAO: "{origin}", ACAM: DEFAULT_ACAM}),
            ),
        ),
    ),
    Scenario(
        "send_wildcard",
        cors={"send_wildcard": True, "expose_headers": ["X-Total-Count"]},
        routes=(Route("/r"),),
        requests=(
            get("/r", ANY, Expect(200, {ACAO: "*", ACEH: "X-Total-Count"}, vary=None)),
            get("/r", None, Expect(200, {ACAO: "*", ACEH: "X-Total-Count"}, vary=None)),
            preflight(
                "/r",
                ANY,
                "PUT",
                Expect(200, {ACAO: "*", ACAM: DEFAULT_ACAM}, vary=None, body=""),
            ),
        ),
    ),
    Scenario(
        "send_wildcard_always_send_off",
        cors={"send_wildcard": True, "always_send": False},
        routes=(Route("/r"),),
        requests=(
            # The answer differs with and without Origin, so both vary on it.
            get("/r", ANY, Expect(200, {ACAO: "*"})),
            get("/r", None, refused()),
        ),
    ),
    Scenario(
        "listed_origins",
        cors={"origins": [APP, APP2]},
        routes=(Route("/r"),),
        requests=(
            get("/r", APP, ok(APP)),
            get("/r", APP2, ok(APP2)),
            # CORS is not access control: the view runs, only headers differ.
            get("/r", EVIL, Expect(200, {}, body="ok /r")),
            get("/r", None, refused()),
            # Origins compare case-insensitively; the echo is byte for byte.
            get("/r", "HTTPS://APP.EXAMPLE.COM", ok("HTTPS://APP.EXAMPLE.COM")),
            get("/r", "null", refused()),
            get("/r", APP + "/", refused()),
            get("/r", APP + ".evil.org", refused()),
            get("/r", "http://app.example.com", refused()),
            Req("GET", "/r", (("Origin", APP), ("Origin", APP)), refused()),
            preflight("/r", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)),
            preflight("/r", EVIL, "PUT", PREFLIGHT_REFUSED),
            preflight("/r", "null", "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "origin_patterns",
        cors={
            "origins": [
                "https://*.example.com",
                "http://localhost:*",
                r"https://staging-\d+\.example\.org",
                re.compile(r"https://preview-[a-z]+\.example\.net"),
            ]
        },
        routes=(Route("/r"),),
        requests=(
            get("/r", "https://c{n}.example.com", ok()),
            get("/r", "https://a.b{n}.example.com", ok()),
            get("/r", "https://example.com", refused()),
            get("/r", "https://c{n}.example.com.evil.org", refused()),
            get("/r", "http://localhost:5173", ok()),
            get("/r", "http://localhost:5{n}", ok()),
            get("/r", "http://localhost.evil.org:80", refused()),
            get("/r", "https://staging-{n}.example.org", ok()),
            get("/r", "https://staging-x.example.org", refused()),
            get("/r", "https://preview-abc.example.net", ok()),
            get("/r", "https://preview-abc.example.net.evil.org", refused()),
            preflight(
                "/r",
                "https://c{n}.example.com",
                "PUT",
                preflight_ok(allow_methods=DEFAULT_ACAM),
            ),
            preflight("/r", "https://example.com", "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "origin_callable_sync",
        cors={"origins": [trusted_origin, APP], "supports_credentials": True},
        routes=(Route("/r"),),
        requests=(
            get("/r", "https://c{n}.trusted.test", ok(allow_credentials="true")),
            get("/r", APP, ok(allow_credentials="true")),
            get("/r", "http://c{n}.trusted.test", refused()),
            get("/r", "null", refused()),
            preflight(
                "/r",
                "https://c{n}.trusted.test",
                "PATCH",
                preflight_ok(allow_methods=DEFAULT_ACAM, allow_credentials="true"),
            ),
            preflight("/r", EVIL, "PATCH", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "origin_callable_async",
        cors={"origins": trusted_origin_async},
        routes=(Route("/r"),),
        requests=(
            get("/r", "https://c{n}.trusted.test", ok()),
            get("/r", EVIL, refused()),
            get("/r", None, refused()),
            preflight(
                "/r",
                "https://c{n}.trusted.test",
                "PUT",
                preflight_ok(allow_methods=DEFAULT_ACAM),
            ),
            preflight("/r", EVIL, "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "origin_callable_raises",
        cors={"origins": broken_origin_check},
        routes=(Route("/r"),),
        requests=(
            get("/r", APP, refused()),
            preflight("/r", APP, "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "null_origin_opt_in",
        cors={"origins": [APP], "allow_null_origin": True},
        routes=(Route("/r"),),
        requests=(
            get("/r", "null", ok("null")),
            get("/r", APP, ok(APP)),
            preflight(
                "/r", "null", "PUT", preflight_ok("null", allow_methods=DEFAULT_ACAM)
            ),
        ),
    ),
    Scenario(
        "credentials",
        cors={"origins": [APP], "supports_credentials": True},
        routes=(Route("/r", methods=("GET", "POST")),),
        requests=(
            get("/r", APP, ok(APP, allow_credentials="true"), Cookie="session=1"),
            req("POST", "/r", APP, ok(APP, allow_credentials="true")),
            get("/r", EVIL, refused(), Cookie="session=1"),
            # With credentials, never "*" and never a guessed origin.
            get("/r", None, refused()),
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(
                    APP,
                    allow_credentials="true",
                    allow_methods=DEFAULT_ACAM,
                    allow_headers="authorization, content-type",
                ),
                request_headers="authorization, content-type",
            ),
            preflight("/r", EVIL, "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "always_send_off",
        cors={"always_send": False},
        routes=(Route("/r"),),
        requests=(
            get("/r", None, refused()),
            get("/r", ANY, ok()),
        ),
    ),
    Scenario(
        "vary_header_off",
        cors={"origins": [APP], "vary_header": False},
        routes=(Route("/r"), Route("/accept", "vary:Accept-Encoding")),
        requests=(
            get("/r", APP, Expect(200, {ACAO: APP}, vary=None)),
            get("/r", EVIL, refused(vary=None)),
            get("/r", None, refused(vary=None)),
            get("/accept", APP, Expect(200, {ACAO: APP}, vary="Accept-Encoding")),
            preflight(
                "/r",
                APP,
                "PUT",
                Expect(200, {ACAO: APP, ACAM: DEFAULT_ACAM}, vary=None, body=""),
            ),
        ),
    ),
    Scenario(
        "vary_merge",
        cors={"origins": [APP]},
        routes=(
            Route("/accept", "vary:Accept-Encoding"),
            Route("/origin", "vary:origin"),
            Route("/two", "vary:Accept-Encoding, Cookie"),
            Route("/star", "vary:*"),
        ),
        requests=(
            get(
                "/accept", APP, Expect(200, {ACAO: APP}, vary="Accept-Encoding, Origin")
            ),
            get("/accept", EVIL, refused(vary="Accept-Encoding, Origin")),
            get("/accept", None, refused(vary="Accept-Encoding, Origin")),
            # Never duplicated, whatever the case (checked for every response).
            get("/origin", APP, Expect(200, {ACAO: APP}, vary="Origin")),
            get(
                "/two",
                APP,
                Expect(200, {ACAO: APP}, vary="Accept-Encoding, Cookie, Origin"),
            ),
            get("/star", APP, Expect(200, {ACAO: APP}, vary="*")),
        ),
    ),
    Scenario(
        "methods",
        cors={"origins": [APP], "methods": "GET, put"},
        routes=(Route("/r", methods=("GET", "PUT", "DELETE")),),
        requests=(
            preflight("/r", APP, "PUT", preflight_ok(APP, allow_methods="GET, PUT")),
            preflight("/r", APP, "DELETE", PREFLIGHT_REFUSED),
            # Safelisted methods never fail a preflight.
            preflight("/r", APP, "POST", preflight_ok(APP, allow_methods="GET, PUT")),
            # Compared case-insensitively; the requested spelling is added.
            preflight(
                "/r",
                APP,
                "put",
                Expect(
                    200,
                    {ACAO: APP, ACAM: "GET, PUT"},
                    exact_tokens={ACAM: ("PUT", "put")},
                    body="",
                ),
            ),
            preflight("/r", APP, "P(T", PREFLIGHT_REFUSED),
            # An actual request: only the origin matters.
            req("DELETE", "/r", APP, ok(APP)),
            req("PUT", "/r", APP, ok(APP)),
        ),
    ),
    Scenario(
        "methods_any",
        cors={"origins": [APP], "methods": "*"},
        routes=(Route("/r"),),
        requests=(
            preflight("/r", APP, "PURGE", preflight_ok(APP, allow_methods="PURGE")),
            preflight("/r", APP, "GET", preflight_ok(APP, allow_methods="GET")),
        ),
    ),
    Scenario(
        "allow_headers_list",
        cors={
            "origins": [APP],
            "allow_headers": ["X-Custom", "Content-Type", r"X-Trace-.*"],
        },
        routes=(Route("/r"),),
        requests=(
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(APP, allow_methods=DEFAULT_ACAM, allow_headers="x-custom"),
                request_headers="x-custom",
            ),
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(
                    APP,
                    allow_methods=DEFAULT_ACAM,
                    allow_headers="content-type, x-custom, x-trace-id",
                ),
                request_headers="content-type, x-custom, x-trace-id",
            ),
            preflight(
                "/r", APP, "PUT", PREFLIGHT_REFUSED, request_headers="authorization"
            ),
            preflight(
                "/r", APP, "PUT", PREFLIGHT_REFUSED, request_headers="x-custom, x-other"
            ),
            preflight(
                "/r", APP, "PUT", PREFLIGHT_REFUSED, request_headers="x-custom;x=1"
            ),
            # An empty list asks for nothing.
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(APP, allow_methods=DEFAULT_ACAM),
                request_headers="",
            ),
        ),
    ),
    Scenario(
        "allow_headers_any",
        cors={"origins": [APP]},
        routes=(Route("/r"),),
        requests=(
            # "*" echoes the names, Authorization included, never a bare "*".
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(
                    APP,
                    allow_methods=DEFAULT_ACAM,
                    allow_headers="authorization, x-anything",
                ),
                request_headers="authorization, x-anything",
            ),
            # Over the cap: refused unparsed.
            preflight(
                "/r", APP, "PUT", PREFLIGHT_REFUSED, request_headers=LONG_HEADERS
            ),
        ),
    ),
    Scenario(
        "expose_and_max_age",
        cors={"expose_headers": ["X-Total-Count", "X-Page"], "max_age": 600},
        routes=(Route("/r"),),
        requests=(
            get("/r", ANY, ok(expose_headers="X-Total-Count, X-Page")),
            get("/r", None, ok("*", expose_headers="X-Total-Count, X-Page")),
            # Expose headers belong to actual responses, max age to preflights.
            preflight(
                "/r",
                ANY,
                "PUT",
                preflight_ok(allow_methods=DEFAULT_ACAM, max_age="600"),
            ),
        ),
    ),
    Scenario(
        "max_age_timedelta",
        cors={"origins": [APP], "max_age": datetime.timedelta(minutes=10)},
        routes=(Route("/r"),),
        requests=(
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(APP, allow_methods=DEFAULT_ACAM, max_age="600"),
            ),
            get("/r", APP, ok(APP)),
            preflight("/r", EVIL, "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "config_keys",
        config={
            "CORS_ORIGINS": [APP],
            "CORS_SUPPORTS_CREDENTIALS": True,
            "CORS_EXPOSE_HEADERS": "X-Total-Count",
            "CORS_MAX_AGE": "120",
            "CORS_METHODS": ["GET", "PUT"],
        },
        # Options given to CORS override the config keys.
        cors={"max_age": 60},
        init_app=True,
        routes=(Route("/r"),),
        requests=(
            get(
                "/r",
                APP,
                ok(APP, allow_credentials="true", expose_headers="X-Total-Count"),
            ),
            get("/r", EVIL, refused()),
            preflight(
                "/r",
                APP,
                "PUT",
                preflight_ok(
                    APP,
                    allow_credentials="true",
                    allow_methods="GET, PUT",
                    max_age="60",
                ),
            ),
            preflight("/r", APP, "DELETE", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "policy_object",
        cors={"policy": Policy(origins=[APP], methods=["GET", "PATCH"])},
        routes=(Route("/r"),),
        requests=(
            get("/r", APP, ok(APP)),
            get("/r", EVIL, refused()),
            preflight(
                "/r", APP, "PATCH", preflight_ok(APP, allow_methods="GET, PATCH")
            ),
            # Browsers send non-standard-cased methods as typed.
            preflight(
                "/r",
                APP,
                "patch",
                Expect(
                    200,
                    {ACAO: APP, ACAM: "GET, PATCH"},
                    exact_tokens={ACAM: ("patch",)},
                    body="",
                ),
            ),
            preflight("/r", APP, "PUT", PREFLIGHT_REFUSED),
        ),
    ),
    Scenario(
        "resources",
        cors={
            "resources": {
                "/api/*": {"origins": [APP]},
                "/api/public/*": {"origins": "*", "send_wildcard": True},
                r"/files/\d+": {"origins": [OTHER]},
                "/exact": Policy(origins=[APP2]),
                # Same literal prefix "/tie/": declaration order decides.
                r"/tie/(x|y)": {"origins": [OTHER]},
                r"/tie/.*": {"origins": [APP]},
            }
        },
        routes=(
            Route("/api"),
            Route("/api/"),
            Route("/api/x"),
            Route("/api/public/x"),
            Route("/apiary"),
            Route("/files/<name>"),
            Route("/exact"),
            Route("/exact/sub"),
            Route("/tie/<name>"),
            Route("/other"),
        ),
        requests=(
            get("/api/x", APP, ok(APP)),
            get("/api/x", OTHER, refused()),
            get("/api", APP, ok(APP)),
            get("/api/", APP, ok(APP)),
            # The longest literal prefix wins.
            get("/api/public/x", ANY, Expect(200, {ACAO: "*"}, vary=None)),
            # "/api/*" never covers "/apiary"; unmatched paths have no policy.
            get("/apiary", APP, no_cors()),
            get("/files/12", OTHER, ok(OTHER)),
            get("/files/ab", OTHER, no_cors()),
            get("/exact", APP2, ok(APP2)),
            get("/exact/sub", APP2, no_cors()),
            get("/tie/x", OTHER, ok(OTHER)),
            get("/tie/x", APP, refused()),
            get("/tie/z", APP, ok(APP)),
            get("/other", APP, no_cors()),
            get("/api/missing", APP, Expect(404, {ACAO: APP})),
            # Patterns match the decoded path, case-sensitively.
            get("/api/%78", APP, ok(APP)),
            get("/API/x", APP, no_cors(404)),
            preflight(
                "/api/x", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)
            ),
            preflight("/api/x", OTHER, "PUT", PREFLIGHT_REFUSED),
            # No policy: the preflight goes to the app (automatic OPTIONS).
            preflight("/other", APP, "PUT", no_cors(Allow="GET, HEAD, OPTIONS")),
        ),
    ),
    Scenario(
        "blueprints",
        cors={"origins": [APP]},
        blueprints=(
            BP("bpa", "/a", cors={"origins": [OTHER]}),
            BP("bpb", "/b"),
            BP("parent", "/p"),
            BP("child", "/c", cors={"origins": [APP2]}, parent="parent"),
        ),
        routes=(
            Route("/x", blueprint="bpa"),
            Route("/x", blueprint="bpb"),
            Route("/x", blueprint="child"),
            Route("/x", blueprint="parent"),
            Route("/top"),
        ),
        requests=(
            get("/a/x", OTHER, ok(OTHER)),
            # A narrower policy is a boundary: its refusal is final.
            get("/a/x", APP, refused()),
            get("/b/x", APP, ok(APP)),
            get("/b/x", OTHER, refused()),
            get("/p/c/x", APP2, ok(APP2)),
            get("/p/c/x", APP, refused()),
            get("/p/x", APP, ok(APP)),
            get("/top", APP, ok(APP)),
            # Routing 404s belong to no blueprint: only the app policy.
            get("/a/missing", APP, Expect(404, {ACAO: APP})),
            get("/a/missing", OTHER, refused(404)),
            req("POST", "/a/x", APP, Expect(405, {ACAO: APP})),
            req("POST", "/a/x", OTHER, refused(405)),
            preflight(
                "/a/x", OTHER, "PUT", preflight_ok(OTHER, allow_methods=DEFAULT_ACAM)
            ),
            preflight("/a/x", APP, "PUT", PREFLIGHT_REFUSED),
            preflight(
                "/p/c/x", APP2, "PUT", preflight_ok(APP2, allow_methods=DEFAULT_ACAM)
            ),
        ),
    ),
    Scenario(
        "blueprint_without_app_policy",
        # CORS(bp) starts from the app's CORS_* keys.
        config={"CORS_EXPOSE_HEADERS": ["X-Total-Count"]},
        blueprints=(BP("bp", "/bp", cors={"origins": [APP]}),),
        routes=(Route("/x", blueprint="bp"), Route("/plain")),
        requests=(
            get("/bp/x", APP, ok(APP, expose_headers="X-Total-Count")),
            get("/bp/x", EVIL, refused()),
            preflight(
                "/bp/x", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)
            ),
            get("/plain", APP, no_cors()),
            get("/bp/missing", APP, no_cors(404)),
        ),
    ),
    Scenario(
        "decorator_only",
        routes=(
            Route("/d", decorator={"origins": [APP]}),
            Route("/bare", decorator="bare"),
            Route(
                "/opts",
                methods=("GET", "PUT"),
                decorator={
                    "origins": [APP],
                    "methods": ["GET", "PUT"],
                    "max_age": 30,
                    "supports_credentials": True,
                },
            ),
            Route("/plain"),
        ),
        requests=(
            get("/d", APP, ok(APP)),
            get("/d", EVIL, refused()),
            preflight("/d", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)),
            preflight("/d", EVIL, "PUT", PREFLIGHT_REFUSED),
            # OPTIONS that is no preflight: the automatic answer, with headers.
            req(
                "OPTIONS",
                "/d",
                APP,
                Expect(200, {ACAO: APP}, headers={"Allow": "GET, HEAD, OPTIONS"}),
            ),
            get("/bare", ANY, ok()),
            get("/bare", None, ok("*")),
            preflight("/bare", ANY, "DELETE", preflight_ok(allow_methods=DEFAULT_ACAM)),
            req("PUT", "/opts", APP, ok(APP, allow_credentials="true")),
            preflight(
                "/opts",
                APP,
                "PUT",
                preflight_ok(
                    APP,
                    allow_methods="GET, PUT",
                    max_age="30",
                    allow_credentials="true",
                ),
            ),
            preflight("/opts", APP, "DELETE", PREFLIGHT_REFUSED),
            get("/plain", APP, no_cors()),
        ),
    ),
    Scenario(
        "decorator_over_app_and_blueprint",
        cors={"origins": [APP]},
        blueprints=(BP("bp", "/bp", cors={"origins": [APP]}),),
        routes=(
            Route("/d", decorator={"origins": [OTHER]}),
            Route("/d", decorator={"origins": [OTHER]}, blueprint="bp"),
            Route("/plain"),
        ),
        requests=(
            get("/d", OTHER, ok(OTHER)),
            get("/d", APP, refused()),
            get("/bp/d", OTHER, ok(OTHER)),
            get("/bp/d", APP, refused()),
            get("/plain", APP, ok(APP)),
            preflight(
                "/d", OTHER, "PUT", preflight_ok(OTHER, allow_methods=DEFAULT_ACAM)
            ),
            preflight("/d", APP, "PUT", PREFLIGHT_REFUSED),
            preflight(
                "/bp/d", OTHER, "PUT", preflight_ok(OTHER, allow_methods=DEFAULT_ACAM)
            ),
        ),
    ),
    Scenario(
        "preflight_before_auth_hook",
        cors={"origins": [APP]},
        hooks=("auth",),
        routes=(Route("/secure"), Route("/dec", decorator={"origins": [APP]})),
        requests=(
            # Answered before any other before_request function.
            preflight(
                "/secure", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)
            ),
            preflight(
                "/dec", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)
            ),
            # The hook's error response gets the same headers as the view's.
            get("/secure", APP, Expect(401, {ACAO: APP})),
            get("/secure", APP, ok(APP), Authorization="Bearer t"),
            get("/dec", APP, ok(APP), Authorization="Bearer t"),
        ),
    ),
    Scenario(
        "decorator_alone_after_hooks",
        hooks=("auth",),
        routes=(Route("/dec", decorator={"origins": [APP]}),),
        requests=(
            # Without CORS(app) the decorator answers inside the view call,
            # after the app's hooks: the auth hook refuses the preflight.
            preflight("/dec", APP, "PUT", no_cors(401)),
            get("/dec", APP, ok(APP), Authorization="Bearer t"),
        ),
    ),
    Scenario(
        "empty_resources_install_early_hook",
        cors={"resources": {}},
        hooks=("auth",),
        routes=(Route("/dec", decorator={"origins": [APP]}), Route("/plain")),
        requests=(
            preflight(
                "/dec", APP, "PUT", preflight_ok(APP, allow_methods=DEFAULT_ACAM)
            ),
            get("/dec", APP, Expect(401, {ACAO: APP})),
            get("/plain", APP, no_cors(401)),
            get("/plain", APP, no_cors(), Authorization="Bearer t"),
        ),
    ),
    Scenario(
        "automatic_options_off",
        cors={"origins": [APP], "automatic_options": False},
        routes=(Route("/own", "options_view", methods=("GET", "OPTIONS")),),
        requests=(
            # The preflight reaches the view.
            preflight(
                "/own", APP, "PUT", Expect(200, None, vary="?Origin", body="options")
            ),
            get("/own", APP, ok(APP)),
        ),
    ),
    Scenario(
        "exempt",
        cors={},
        blueprints=(BP("bp", "/bp", cors={"origins": [APP]}),),
        routes=(
            Route("/health", decorator="exempt"),
            Route("/hook", decorator="exempt", blueprint="bp"),
            Route("/r"),
        ),
        requests=(
            get("/health", ANY, no_cors()),
            get("/health", None, no_cors()),
            # No CORS handling at all: the app's automatic OPTIONS answers.
            preflight("/health", ANY, "PUT", no_cors(Allow="GET, HEAD, OPTIONS")),
            get("/bp/hook", APP, no_cors()),
            preflight("/bp/hook", APP, "PUT", no_cors(Allow="GET, HEAD, OPTIONS")),
            get("/r", ANY, ok()),
        ),
    ),
    Scenario(
        "response_kinds",
        cors={"origins": [APP]},
        routes=(
            Route("/abort", "abort:404"),
            Route("/forbidden", "abort:403"),
            Route("/raise", "raise"),
            Route("/teapot", "teapot"),
            Route("/redirect", "redirect"),
            Route("/stream", "stream"),
            Route("/dir/"),
            Route("/r"),
        ),
        requests=(
            get("/abort", APP, Expect(404, {ACAO: APP})),
            get("/forbidden", APP, Expect(403, {ACAO: APP})),
            get("/raise", APP, Expect(500, {ACAO: APP})),
            get("/raise", EVIL, refused(500)),
            get("/teapot", APP, Expect(418, {ACAO: APP}, body="teapot")),
            get(
                "/redirect",
                APP,
                Expect(302, {ACAO: APP}, headers={"Location": "/target"}),
            ),
            get(
                "/stream", APP, Expect(200, {ACAO: APP}, body="chunk-1 chunk-2 chunk-3")
            ),
            # A routing redirect (strict slashes) belongs to the app policy.
            get("/dir", APP, Expect(308, {ACAO: APP})),
            req("HEAD", "/r", APP, ok(APP)),
            req("HEAD", "/stream", APP, ok(APP)),
        ),
    ),
    Scenario(
        "intercept_exceptions_off",
        cors={"origins": [APP], "intercept_exceptions": False},
        routes=(Route("/raise", "raise"), Route("/r")),
        requests=(
            get("/raise", APP, Expect(500, {}, vary="?Origin")),
            get("/r", APP, ok(APP)),
        ),
    ),
    Scenario(
        "view_sets_own_headers",
        cors={"origins": [APP], "supports_credentials": True},
        routes=(Route("/own", "own_acao:https://own.example.com"),),
        requests=(
            # Left alone, nothing added but Vary.
            get("/own", APP, Expect(200, {ACAO: "https://own.example.com"})),
            get("/own", EVIL, Expect(200, {ACAO: "https://own.example.com"})),
        ),
    ),
    Scenario(
        "private_network",
        cors={"origins": [APP], "allow_private_network": True},
        routes=(Route("/r"),),
        requests=(
            preflight(
                "/r",
                APP,
                "GET",
                preflight_ok(
                    APP, allow_methods=DEFAULT_ACAM, allow_private_network="true"
                ),
                Access_Control_Request_Private_Network="true",
            ),
            preflight("/r", APP, "GET", preflight_ok(APP, allow_methods=DEFAULT_ACAM)),
            preflight(
                "/r",
                EVIL,
                "GET",
                PREFLIGHT_REFUSED,
                Access_Control_Request_Private_Network="true",
            ),
            # Only on preflights.
            get("/r", APP, ok(APP), Access_Control_Request_Private_Network="true"),
        ),
    ),
    Scenario(
        "private_network_off",
        cors={"origins": [APP]},
        routes=(Route("/r"),),
        requests=(
            preflight(
                "/r",
                APP,
                "GET",
                preflight_ok(APP, allow_methods=DEFAULT_ACAM),
                Access_Control_Request_Private_Network="true",
            ),
        ),
    ),
    Scenario(
        "websocket_origin_check",
        only=("quart",),
        cors={"origins": [APP], "check_websocket_origin": True},
        routes=(
            Route("/ws", "websocket"),
            Route("/ws-open", "websocket", decorator="exempt"),
            Route("/r"),
        ),
        requests=(
            req("WEBSOCKET", "/ws", APP, Expect(101, None, vary=None)),
            req("WEBSOCKET", "/ws", EVIL, Expect(403, None, vary=None)),
            # No Origin: not a browser; same origin: not cross-origin.
            req("WEBSOCKET", "/ws", None, Expect(101, None, vary=None)),
            req("WEBSOCKET", "/ws", "{self}", Expect(101, None, vary=None)),
            req("WEBSOCKET", "/ws-open", EVIL, Expect(101, None, vary=None)),
            get("/r", APP, ok(APP)),
        ),
    ),
    Scenario(
        "websocket_origin_check_off",
        only=("quart",),
        cors={"origins": [APP]},
        routes=(Route("/ws", "websocket"),),
        requests=(req("WEBSOCKET", "/ws", EVIL, Expect(101, None, vary=None)),),
    ),
)

BY_NAME: Mapping[str, Scenario] = {s.name: s for s in SCENARIOS}


def scenarios_for(target: str) -> list[Scenario]:
    return [s for s in SCENARIOS if s.applies_to(target)]
