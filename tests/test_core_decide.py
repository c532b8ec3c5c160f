"""Decision tables for ``Policy.decide`` (DESIGN.md, "Per request"), no app.

Each row is (policy options, request method and headers, expected decision).
Expected headers are compared exactly, in order, so that a stray or missing
header fails the row.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest

from crossorigin import Decision, Policy
from crossorigin._policy import MAX_REQUEST_HEADERS_LENGTH, origin_of

A = "https://app.example.com"
B = "https://admin.example.com"
EVIL = "https://evil.example.net"
METHODS = "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
VARY = ("Vary", "Origin")

Pairs = list[tuple[str, str]]


def preflight(
    origin: str, method: str, headers: str | None = None, **extra: str
) -> Pairs:
    pairs = [("Origin", origin), ("Access-Control-Request-Method", method)]
    if headers is not None:
        pairs.append(("Access-Control-Request-Headers", headers))
    pairs.extend((name.replace("_", "-"), value) for name, value in extra.items())
    return pairs


TWO = {"origins": [A, B]}
CREDS = {"origins": [A], "supports_credentials": True}

# (id, options, method, request headers, expected headers, allowed, reason)
ACTUAL: list[tuple[str, dict[str, Any], str, Pairs, tuple[Any, ...], bool, str]] = [
    # -- Allow-Origin: "*" or the Origin byte for byte ----------------------
    (
        "listed origin echoed",
        TWO,
        "GET",
        [("Origin", B)],
        ((ACAO, B), VARY),
        True,
        "origin allowed",
    ),
    (
        "unlisted origin",
        TWO,
        "GET",
        [("Origin", EVIL)],
        (VARY,),
        False,
        "origin not allowed",
    ),
    (
        "any origin echoes",
        {},
        "POST",
        [("Origin", EVIL)],
        ((ACAO, EVIL), VARY),
        True,
        "origin allowed",
    ),
    (
        "send_wildcard",
        {"send_wildcard": True},
        "GET",
        [("Origin", EVIL)],
        ((ACAO, "*"),),
        True,
        "every origin is allowed",
    ),
    (
        # Echoing A here would vary the answer on Origin with no Vary.
        "send_wildcard: a listed origin beside * gets * too",
        {"origins": ["*", A], "send_wildcard": True},
        "GET",
        [("Origin", A)],
        ((ACAO, "*"),),
        True,
        "every origin is allowed",
    ),
    (
        "upper-case origin echoed as sent",
        TWO,
        "GET",
        [("Origin", "HTTPS://APP.EXAMPLE.COM")],
        ((ACAO, "HTTPS://APP.EXAMPLE.COM"), VARY),
        True,
        "origin allowed",
    ),
    (
        "port differs",
        TWO,
        "GET",
        [("Origin", A + ":8443")],
        (VARY,),
        False,
        "origin not allowed",
    ),
    (
        "scheme differs",
        TWO,
        "GET",
        [("Origin", "http://app.example.com")],
        (VARY,),
        False,
        "origin not allowed",
    ),
    (
        "trailing dot host",
        TWO,
        "GET",
        [("Origin", A + ".")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "OPTIONS without ACRM is an actual request",
        TWO,
        "OPTIONS",
        [("Origin", A)],
        ((ACAO, A), VARY),
        True,
        "origin allowed",
    ),
    (
        "ACRM on GET is an actual request",
        TWO,
        "GET",
        preflight(A, "PUT"),
        ((ACAO, A), VARY),
        True,
        "origin allowed",
    ),
    (
        "lower-case options is not a preflight",
        TWO,
        "options",
        preflight(A, "PUT"),
        ((ACAO, A), VARY),
        True,
        "origin allowed",
    ),
    # -- Credentials only with an allowed origin ---------------------------
    (
        "credentials allowed",
        CREDS,
        "GET",
        [("Origin", A)],
        ((ACAO, A), (ACAC, "true"), VARY),
        True,
        "origin allowed",
    ),
    (
        "credentials refused",
        CREDS,
        "GET",
        [("Origin", B)],
        (VARY,),
        False,
        "origin not allowed",
    ),
    (
        "expose headers on actual",
        {"origins": [A], "expose_headers": ["X-Total", "X-Page"]},
        "GET",
        [("Origin", A)],
        ((ACAO, A), (ACEH, "X-Total, X-Page"), VARY),
        True,
        "origin allowed",
    ),
    (
        "expose headers with wildcard",
        {"send_wildcard": True, "expose_headers": "*"},
        "GET",
        [("Origin", A)],
        ((ACAO, "*"), (ACEH, "*")),
        True,
        "every origin is allowed",
    ),
    (
        "max_age not on actual",
        {"origins": [A], "max_age": 60},
        "GET",
        [("Origin", A)],
        ((ACAO, A), VARY),
        True,
        "origin allowed",
    ),
    # -- Without an Origin header -----------------------------------------
    (
        "no origin, any-origin policy",
        {},
        "GET",
        [],
        ((ACAO, "*"), VARY),
        True,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, send_wildcard",
        {"send_wildcard": True},
        "GET",
        [],
        ((ACAO, "*"),),
        True,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, send_wildcard without always_send",
        {"send_wildcard": True, "always_send": False},
        "GET",
        [],
        (VARY,),
        False,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, listed origins",
        TWO,
        "GET",
        [],
        (VARY,),
        False,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, credentials",
        CREDS,
        "GET",
        [],
        (VARY,),
        False,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, always_send off",
        {"always_send": False},
        "GET",
        [],
        (VARY,),
        False,
        "no Origin header: not a CORS request",
    ),
    (
        "no origin, preflight-looking",
        TWO,
        "OPTIONS",
        [("Access-Control-Request-Method", "PUT")],
        (VARY,),
        False,
        "no Origin header: not a CORS request",
    ),
    # -- Vary ---------------------------------------------------------------
    (
        "vary off, allowed",
        {"origins": [A], "vary_header": False},
        "GET",
        [("Origin", A)],
        ((ACAO, A),),
        True,
        "origin allowed",
    ),
    (
        "vary off, refused",
        {"origins": [A], "vary_header": False},
        "GET",
        [("Origin", B)],
        (),
        False,
        "origin not allowed",
    ),
    (
        "vary off, no origin",
        {"vary_header": False},
        "GET",
        [],
        ((ACAO, "*"),),
        True,
        "no Origin header: not a CORS request",
    ),
    # -- Two Origin lines, malformed and hostile values ----------------------
    (
        "two Origin lines",
        TWO,
        "GET",
        [("Origin", A), ("Origin", A)],
        (VARY,),
        False,
        "more than one Origin header",
    ),
    (
        "two Origin lines, any origin",
        {},
        "GET",
        [("Origin", A), ("origin", B)],
        (VARY,),
        False,
        "more than one Origin header",
    ),
    (
        "joined Origin value",
        {},
        "GET",
        [("Origin", f"{A}, {B}")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "CRLF in origin",
        {},
        "GET",
        [("Origin", A + "\r\nSet-Cookie: x=1")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "NUL in origin",
        {},
        "GET",
        [("Origin", A + "\x00")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "path in origin",
        {},
        "GET",
        [("Origin", A + "/")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "empty origin",
        {},
        "GET",
        [("Origin", "")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "kelvin sign folds to k",
        {"origins": ["https://ka.example.com"]},
        "GET",
        [("Origin", "https://\u212aa.example.com")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "non-ASCII with any origin",
        {},
        "GET",
        [("Origin", "https://b\u00fccher.example")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    (
        "over-long origin",
        {},
        "GET",
        [("Origin", "https://" + "a" * 2000 + ".com")],
        (VARY,),
        False,
        "Origin header is not a serialised origin",
    ),
    # -- null ------------------------------------------------------------------
    (
        "null refused by any-origin",
        {},
        "GET",
        [("Origin", "null")],
        (VARY,),
        False,
        "origin 'null' is not allowed (allow_null_origin=False)",
    ),
    (
        "null refused by regex",
        {"origins": [r".*\.example\.com"]},
        "GET",
        [("Origin", "null")],
        (VARY,),
        False,
        "origin 'null' is not allowed (allow_null_origin=False)",
    ),
    (
        "null allowed when opted in",
        {"origins": ["null"], "allow_null_origin": True},
        "GET",
        [("Origin", "null")],
        ((ACAO, "null"), VARY),
        True,
        "origin allowed",
    ),
    (
        "null opt-in with other origins",
        {"origins": [A], "allow_null_origin": True},
        "GET",
        [("Origin", "null")],
        ((ACAO, "null"), VARY),
        True,
        "origin allowed",
    ),
    # Under send_wildcard the answer is "*" for every request, so it is the
    # same for every Origin and carries no Vary; refusing here would make a
    # cached "*" response depend on Origin without saying so.
    (
        "null under send_wildcard",
        {"send_wildcard": True},
        "GET",
        [("Origin", "null")],
        ((ACAO, "*"),),
        True,
        "every origin is allowed",
    ),
]


@pytest.mark.parametrize(
    ("options", "method", "headers", "expected", "allowed", "reason"),
    [pytest.param(*row[1:], id=row[0]) for row in ACTUAL],
)
def test_decide_actual_request_table(
    options: dict[str, Any],
    method: str,
    headers: Pairs,
    expected: tuple[Any, ...],
    allowed: bool,
    reason: str,
) -> None:
    decision = Policy(**options).decide(method, headers)

    assert decision == Decision(expected, False, allowed, None, reason)


# (id, options, request headers, expected headers, status, reason)
PREFLIGHT: list[tuple[str, dict[str, Any], Pairs, tuple[Any, ...], int, str]] = [
    (
        "allowed",
        TWO,
        preflight(A, "PUT"),
        ((ACAO, A), (ACAM, METHODS), VARY),
        200,
        "preflight allowed",
    ),
    ("origin refused", TWO, preflight(EVIL, "PUT"), (VARY,), 403, "origin not allowed"),
    (
        "method refused",
        {"origins": [A], "methods": ["GET", "PUT"]},
        preflight(A, "DELETE"),
        (VARY,),
        403,
        "requested method not allowed",
    ),
    (
        "header refused",
        {"origins": [A], "allow_headers": ["X-Token"]},
        preflight(A, "PUT", "x-token,x-other"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "null refused",
        {},
        preflight("null", "PUT"),
        (VARY,),
        403,
        "origin 'null' is not allowed (allow_null_origin=False)",
    ),
    (
        "two Origin lines refused",
        {},
        [*preflight(A, "PUT"), ("Origin", A)],
        (VARY,),
        403,
        "more than one Origin header",
    ),
    (
        "malformed origin refused",
        {},
        preflight(A + "\n", "PUT"),
        (VARY,),
        403,
        "Origin header is not a serialised origin",
    ),
    (
        "refused without vary",
        {"origins": [A], "vary_header": False},
        preflight(B, "PUT"),
        (),
        403,
        "origin not allowed",
    ),
    # -- Methods ----------------------------------------------------------
    (
        "safelisted method never fails",
        {"origins": [A], "methods": ["PUT"]},
        preflight(A, "POST"),
        ((ACAO, A), (ACAM, "PUT"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "safelisted HEAD never fails",
        {"origins": [A], "methods": ["PUT"]},
        preflight(A, "HEAD"),
        ((ACAO, A), (ACAM, "PUT"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "ACRM compared case-insensitively, spelling added",
        TWO,
        preflight(A, "patch"),
        ((ACAO, A), (ACAM, METHODS + ", patch"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "ACRM mixed case",
        {"origins": [A], "methods": ["PATCH"]},
        preflight(A, "Patch"),
        ((ACAO, A), (ACAM, "PATCH, Patch"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "configured lower-case method sent upper",
        {"origins": [A], "methods": ["patch"]},
        preflight(A, "PATCH"),
        ((ACAO, A), (ACAM, "PATCH"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "safelisted lower-case needs no extra spelling",
        {"origins": [A], "methods": ["GET"]},
        preflight(A, "get"),
        ((ACAO, A), (ACAM, "GET"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "methods * echoes the request",
        {"origins": [A], "methods": "*"},
        preflight(A, "PROPFIND"),
        ((ACAO, A), (ACAM, "PROPFIND"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "methods * refuses a non-token",
        {"origins": [A], "methods": "*"},
        preflight(A, "GET\r\nX: y"),
        (VARY,),
        403,
        "requested method not allowed",
    ),
    (
        "unknown method with CRLF refused",
        TWO,
        preflight(A, "PUT\r\nX: y"),
        (VARY,),
        403,
        "requested method not allowed",
    ),
    # -- Request headers --------------------------------------------------
    (
        "allow_headers * echoes names with Authorization",
        {"origins": [A]},
        preflight(A, "PUT", "authorization,content-type,x-token"),
        (
            (ACAO, A),
            (ACAM, METHODS),
            (ACAH, "authorization,content-type,x-token"),
            VARY,
        ),
        200,
        "preflight allowed",
    ),
    (
        "listed headers compared case-insensitively",
        {"origins": [A], "allow_headers": ["X-Token", "Content-Type"]},
        preflight(A, "PUT", "content-type, X-TOKEN"),
        ((ACAO, A), (ACAM, METHODS), (ACAH, "content-type, X-TOKEN"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "header regex matched in full",
        {"origins": [A], "allow_headers": [r"X-Custom-\w+"]},
        preflight(A, "PUT", "x-custom-a"),
        ((ACAO, A), (ACAM, METHODS), (ACAH, "x-custom-a"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "header regex not a prefix match",
        {"origins": [A], "allow_headers": [r"X-Custom"]},
        preflight(A, "PUT", "x-custom-a"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "header re.Pattern",
        {"origins": [A], "allow_headers": [re.compile("x-[a-z]+")]},
        preflight(A, "PUT", "x-abc"),
        ((ACAO, A), (ACAM, METHODS), (ACAH, "x-abc"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "Authorization needs listing",
        {"origins": [A], "allow_headers": ["Content-Type"]},
        preflight(A, "PUT", "authorization"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "empty ACRH sends no ACAH",
        TWO,
        preflight(A, "PUT", ""),
        ((ACAO, A), (ACAM, METHODS), VARY),
        200,
        "preflight allowed",
    ),
    (
        "ACRH not a token list",
        TWO,
        preflight(A, "PUT", "x-a,,x-b"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "ACRH with a Kelvin sign folding to a listed name",
        {"origins": [A], "allow_headers": ["X-Key"]},
        preflight(A, "PUT", "x-\u212aey"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "ACRH listed names with a non-token among them",
        {"origins": [A], "allow_headers": ["X-A", "X-B"]},
        preflight(A, "PUT", "x-a,x b"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "non-ASCII ACRM folding to a listed method",
        {"origins": [A], "methods": ["PUSS"]},
        preflight(A, "pu\u00df"),
        (VARY,),
        403,
        "requested method not allowed",
    ),
    (
        "ACRH with CRLF",
        TWO,
        preflight(A, "PUT", "x-a\r\nSet-Cookie: a=b"),
        (VARY,),
        403,
        "a requested header is not allowed",
    ),
    (
        "ACRH at the cap is parsed",
        TWO,
        preflight(A, "PUT", ("x" * (MAX_REQUEST_HEADERS_LENGTH - 2)) + ",y"),
        (
            (ACAO, A),
            (ACAM, METHODS),
            (ACAH, ("x" * (MAX_REQUEST_HEADERS_LENGTH - 2)) + ",y"),
            VARY,
        ),
        200,
        "preflight allowed",
    ),
    (
        "ACRH over the cap refused unparsed",
        TWO,
        preflight(A, "PUT", "x," * MAX_REQUEST_HEADERS_LENGTH),
        (VARY,),
        403,
        "Access-Control-Request-Headers too long",
    ),
    (
        "two ACRH lines joined",
        {"origins": [A], "allow_headers": ["X-A", "X-B"]},
        [*preflight(A, "PUT", "x-a"), ("Access-Control-Request-Headers", "x-b")],
        ((ACAO, A), (ACAM, METHODS), (ACAH, "x-a, x-b"), VARY),
        200,
        "preflight allowed",
    ),
    # -- Credentials, max age, wildcard -----------------------------------
    (
        "credentials and max_age",
        {**CREDS, "max_age": datetime.timedelta(hours=1)},
        preflight(A, "PUT"),
        ((ACAO, A), (ACAC, "true"), (ACAM, METHODS), (ACMA, "3600"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "max_age zero is sent",
        {"origins": [A], "max_age": 0},
        preflight(A, "PUT"),
        ((ACAO, A), (ACAM, METHODS), (ACMA, "0"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "expose headers not on preflight",
        {"origins": [A], "expose_headers": ["X-T"]},
        preflight(A, "PUT"),
        ((ACAO, A), (ACAM, METHODS), VARY),
        200,
        "preflight allowed",
    ),
    (
        "send_wildcard preflight",
        {"send_wildcard": True},
        preflight(EVIL, "PUT", "x-a"),
        ((ACAO, "*"), (ACAM, METHODS), (ACAH, "x-a")),
        200,
        "preflight allowed",
    ),
    (
        "send_wildcard still checks methods",
        {"send_wildcard": True, "methods": ["GET"]},
        preflight(A, "PUT"),
        (),
        403,
        "requested method not allowed",
    ),
    # -- Private Network Access -------------------------------------------
    (
        "PNA allowed",
        {"origins": [A], "allow_private_network": True},
        preflight(A, "GET", Access_Control_Request_Private_Network="true"),
        ((ACAO, A), (ACAM, METHODS), (ACAPN, "true"), VARY),
        200,
        "preflight allowed",
    ),
    (
        "PNA off by default",
        TWO,
        preflight(A, "GET", Access_Control_Request_Private_Network="true"),
        ((ACAO, A), (ACAM, METHODS), VARY),
        200,
        "preflight allowed",
    ),
    (
        "PNA not for a refused origin",
        {"origins": [A], "allow_private_network": True},
        preflight(B, "GET", Access_Control_Request_Private_Network="true"),
        (VARY,),
        403,
        "origin not allowed",
    ),
    (
        "PNA not without the request header",
        {"origins": [A], "allow_private_network": True},
        preflight(A, "GET"),
        ((ACAO, A), (ACAM, METHODS), VARY),
        200,
        "preflight allowed",
    ),
    (
        "PNA not for a refused method",
        {"origins": [A], "allow_private_network": True, "methods": ["GET"]},
        preflight(A, "PUT", Access_Control_Request_Private_Network="true"),
        (VARY,),
        403,
        "requested method not allowed",
    ),
]


@pytest.mark.parametrize(
    ("options", "headers", "expected", "status", "reason"),
    [pytest.param(*row[1:], id=row[0]) for row in PREFLIGHT],
)
def test_decide_preflight_table(
    options: dict[str, Any],
    headers: Pairs,
    expected: tuple[Any, ...],
    status: int,
    reason: str,
) -> None:
    decision = Policy(**options).decide("OPTIONS", headers)

    assert decision == Decision(expected, True, status == 200, status, reason)


def test_decide_pna_header_not_on_actual_request() -> None:
    policy = Policy(origins=[A], allow_private_network=True)

    decision = policy.decide(
        "GET", {"Origin": A, "Access-Control-Request-Private-Network": "true"}
    )

    assert decision.headers == ((ACAO, A), VARY)


# (pattern, origins it allows, origins it refuses)
MATCHING: list[tuple[str | re.Pattern[str], list[str], list[str]]] = [
    (
        "https://*.example.com",
        ["https://a.example.com", "https://a.b.example.com", "https://A.Example.COM"],
        [
            "https://example.com",
            "https://evilexample.com",
            "https://a.evilexample.com",
            "https://example.com.evil.net",
            "https://a.example.com:8443",
            "http://a.example.com",
            "https://.example.com",
            "https://a..example.com",
            "https://a.example.com.",
        ],
    ),
    (
        "https://*.example.com:*",
        ["https://a.example.com", "https://a.example.com:8443"],
        ["https://example.com:8443", "https://a.example.com:", "https://x.com:1"],
    ),
    (
        "http://localhost:*",
        ["http://localhost", "http://localhost:3000", "http://LOCALHOST:5173"],
        [
            "https://localhost:3000",
            "http://localhost.evil.net",
            "http://localhost:",
            "http://localhost:3000.evil.net",
            "http://a.localhost:3000",
            "http://127.0.0.1:3000",
        ],
    ),
    (
        "http://[::1]:8080",
        ["http://[::1]:8080"],
        ["http://[::1]", "http://:8080", "http://1:8080", "http://[::2]:8080"],
    ),
    (
        "http://[::1]:*",
        ["http://[::1]", "http://[::1]:5000"],
        ["http://[::2]:5000", "http://localhost:5000"],
    ),
    (
        "https://xn--bcher-kva.example",
        ["https://xn--bcher-kva.example"],
        ["https://b\u00fccher.example"],
    ),
    (
        r"https://(www|api)\.example\.com",
        ["https://www.example.com", "https://API.example.com"],
        ["https://www.example.com.evil.net", "https://wwwXexample.com", "null"],
    ),
    (
        r"https://.*\.example\.com",
        ["https://a.example.com", "https://a.b.example.com"],
        [
            "https://evil.net/.example.com",
            "https://evil.net?.example.com",
            "https://evil.net#.example.com",
            "https://u@a.example.com",
            "https://a.example.com\n",
        ],
    ),
    (
        re.compile(r"https://[a-z]+\.example\.org"),
        ["https://abc.example.org"],
        ["https://ABC.example.org", "https://abc.example.org.evil.net"],
    ),
]


@pytest.mark.parametrize(("pattern", "allowed", "refused"), MATCHING)
def test_decide_origin_matching_edge_cases(
    pattern: str | re.Pattern[str], allowed: list[str], refused: list[str]
) -> None:
    policy = Policy(origins=[pattern])

    for origin in allowed:
        decision = policy.decide("GET", [("Origin", origin)])
        assert decision.headers == ((ACAO, origin), VARY), origin
    for origin in refused:
        decision = policy.decide("GET", [("Origin", origin)])
        assert decision.headers == (VARY,), origin
        assert not decision.allowed, origin


def test_decide_exact_list_of_many_origins() -> None:
    listed = [f"https://app{i}.example.com" for i in range(1000)]
    policy = Policy(origins=listed)

    assert policy.decide("GET", {"Origin": listed[999]}).allowed
    assert not policy.decide("GET", {"Origin": "https://app1000.example.com"}).allowed


def _recorder(result: object) -> tuple[list[str], Callable[[str], object]]:
    seen: list[str] = []

    def check(origin: str) -> object:
        seen.append(origin)
        return result

    return seen, check


def test_decide_callable_origin_sees_only_serialised_origins() -> None:
    seen, check = _recorder(True)
    policy = Policy(origins=check)

    assert policy.decide("GET", {"Origin": A}).headers == ((ACAO, A), VARY)
    for hostile in ("null", A + "\r\n", A + "/x", "", "https://k\u212a.com"):
        assert not policy.decide("GET", {"Origin": hostile}).allowed

    assert seen == [A]


@pytest.mark.parametrize("result", [1, "yes", None, False, [A]])
def test_decide_callable_origin_result_other_than_true_refuses(result: object) -> None:
    _, check = _recorder(result)

    decision = Policy(origins=check).decide("GET", {"Origin": A})

    assert decision == Decision((VARY,), False, False, None, "origin not allowed")


def test_decide_callable_origin_exception_refuses() -> None:
    def check(origin: str) -> bool:
        raise RuntimeError(origin)

    decision = Policy(origins=[check, A]).decide("GET", {"Origin": B})

    assert decision.reason == "origin not allowed"
    assert Policy(origins=[check, A]).decide("GET", {"Origin": A}).allowed


def test_decide_async_origin_uses_the_awaited_result() -> None:
    async def check(origin: str) -> bool:
        return origin == A

    policy = Policy(origins=check, supports_credentials=True)

    assert policy.decide("GET", {"Origin": A}).allowed is False
    allowed = policy.decide("GET", {"Origin": A}, origin_allowed=True)
    assert allowed.headers == ((ACAO, A), (ACAC, "true"), VARY)
    refused = policy.decide("OPTIONS", preflight(A, "PUT"), origin_allowed=False)
    assert refused.status == 403
    # An awaited True never lets through what is not an origin.
    for hostile in ("null", A + "\r\nX: y"):
        assert not policy.decide(
            "GET", {"Origin": hostile}, origin_allowed=True
        ).allowed


async def test_decide_check_origin_async_refuses_hostile_values() -> None:
    calls: list[str] = []

    async def check(origin: str) -> bool:
        calls.append(origin)
        if origin == B:
            raise RuntimeError
        return True

    policy = Policy(origins=check)

    assert await policy.check_origin_async(A) is True
    assert await policy.check_origin_async(B) is False
    assert await policy.check_origin_async("null") is False
    assert await policy.check_origin_async(A + "\n") is False
    assert calls == [A, B]


@pytest.mark.parametrize(
    "origins",
    [
        [r"(http|https)://(\w+\.)?example\.com"],
        [lambda origin: origin.endswith(".example.com")],
    ],
)
def test_decide_credentials_refuse_plain_http_from_regex_or_callable(
    origins: list[object],
) -> None:
    policy = Policy(origins=origins, supports_credentials=True)

    https = policy.decide("GET", {"Origin": "https://a.example.com"})
    http = policy.decide("GET", {"Origin": "http://a.example.com"})

    assert https.allowed
    assert http == Decision(
        (VARY,),
        False,
        False,
        None,
        "plain-http origin refused with credentials (allow_insecure_origins=False)",
    )
    relaxed = Policy(
        origins=origins, supports_credentials=True, allow_insecure_origins=True
    )
    assert relaxed.decide("GET", {"Origin": "http://a.example.com"}).allowed


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "http://127.0.0.1:8000", "http://[::1]:5000"]
)
def test_decide_credentials_allow_loopback_http_from_callable(origin: str) -> None:
    policy = Policy(origins=lambda o: True, supports_credentials=True)

    assert policy.decide("GET", {"Origin": origin}).allowed


def test_decide_reads_mapping_pairs_and_case_insensitive_names() -> None:
    policy = Policy(origins=[A], allow_headers=["X-A"])
    expected = policy.decide("OPTIONS", preflight(A, "PUT", "x-a"))

    as_mapping = dict(preflight(A, "PUT", "x-a"))
    lower_pairs = [(k.lower(), v) for k, v in preflight(A, "PUT", "x-a")]

    assert expected.allowed
    assert policy.decide("OPTIONS", as_mapping) == expected
    assert policy.decide("OPTIONS", lower_pairs) == expected
    assert policy.decide("OPTIONS", iter(lower_pairs)) == expected
    assert policy.decide_facts("OPTIONS", A, "PUT", "x-a", None, None) == expected


def test_decide_reads_werkzeug_headers() -> None:
    datastructures = pytest.importorskip("werkzeug.datastructures")
    policy = Policy(origins=[A], allow_headers=["X-A"])
    expected = policy.decide("OPTIONS", preflight(A, "PUT", "x-a"))

    headers = datastructures.Headers(preflight(A, "PUT", "x-a"))
    environ = {
        "HTTP_ORIGIN": A,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-a",
    }

    assert policy.decide("OPTIONS", headers) == expected
    assert policy.decide("OPTIONS", datastructures.EnvironHeaders(environ)) == expected
    doubled = datastructures.Headers([("Origin", A), ("Origin", A)])
    assert policy.decide("GET", doubled).reason == "more than one Origin header"


def test_origin_of_reads_one_origin_or_refuses_two() -> None:
    policy = Policy(origins=[A])

    assert origin_of([("Host", "api"), ("origin", A)]) == A
    assert origin_of([("ORIGIN", A)]) == A
    assert origin_of([("Host", "api"), ("Origins", A)]) is None
    twice = origin_of([("Origin", A), ("Origin", A)])
    assert twice is not None
    assert policy.decide_facts("GET", twice).reason == "more than one Origin header"


@pytest.mark.parametrize(
    "options",
    [
        {"origins": [A, B]},
        {"origins": [A], "supports_credentials": True, "expose_headers": ["X-A"]},
        {"origins": [A, "https://*.example.org"], "vary_header": False},
    ],
)
def test_listed_decisions_are_the_decisions(options: dict[str, Any]) -> None:
    policy = Policy(**options)
    listed = policy.listed_decisions()

    assert set(listed) == {o for o in options["origins"] if "*" not in o}
    for origin, decision in listed.items():
        for method in ("GET", "POST", "DELETE"):
            assert policy.decide(method, [("Origin", origin)]) == decision
    # A copy: what a caller does to it does not reach the policy.
    listed.clear()
    assert policy.decide("GET", [("Origin", A)]).allowed


def test_decide_is_the_same_after_pickling() -> None:
    import pickle

    policy = Policy(origins=[A, "https://*.example.org"], supports_credentials=True)
    copy = pickle.loads(pickle.dumps(policy))

    for headers in (
        preflight(A, "patch", "x-a"),
        [("Origin", "https://x.example.org")],
    ):
        assert copy.decide("OPTIONS", headers) == policy.decide("OPTIONS", headers)


# -- Remembered answers for origins the settings allow --------------------------


@pytest.mark.parametrize(
    ("options", "origin"),
    [
        ({}, EVIL),
        (
            {"origins": "*", "supports_credentials": False, "expose_headers": ["X-A"]},
            "https://x.example.org",
        ),
        (
            {"origins": ["https://*.example.org"], "supports_credentials": True},
            "https://x.example.org",
        ),
        (
            {"origins": [r"https://[a-z]+\.example\.org"], "max_age": 60},
            "https://x.example.org",
        ),
        ({"origins": [A]}, A.upper()),
    ],
)
def test_remembered_answer_is_the_first_answer(
    options: dict[str, Any], origin: str
) -> None:
    policy = Policy(**options)
    request = [("Origin", origin)]

    first = policy.decide("GET", request)
    assert first.allowed
    assert first.headers[0] == (ACAO, origin)
    # The second request is answered from memory: the very same decision.
    assert policy.decide("POST", request) is first
    # A preflight from a remembered origin still checks what it asks for.
    refused = policy.decide("OPTIONS", preflight(origin, "REPORT"))
    assert refused.status == 403
    assert not refused.allowed
    assert policy.decide("OPTIONS", preflight(origin, "PUT")).allowed


def test_callable_origins_are_asked_every_time() -> None:
    answers = iter([True, False, True])
    policy = Policy(origins=[lambda origin: next(answers)])
    request = [("Origin", EVIL)]

    assert [policy.decide("GET", request).allowed for _ in range(3)] == [
        True,
        False,
        True,
    ]


def test_refused_origins_are_not_remembered() -> None:
    from crossorigin._policy import SEEN_LIMIT

    policy = Policy(origins=["https://*.example.org"], supports_credentials=True)
    for i in range(SEEN_LIMIT):
        for origin in (
            f"https://x{i}.example.net",  # refused
            f"http://x{i}.example.org",  # plain http with credentials
            f"https://x{i}.exa mple.org",  # not an origin
        ):
            assert not policy.decide("GET", [("Origin", origin)]).allowed
    assert policy._seen == {}


def test_remembered_origins_are_bounded() -> None:
    from crossorigin._policy import SEEN_LIMIT

    policy = Policy()
    sizes = []
    for i in range(SEEN_LIMIT * 3 + 5):
        origin = f"https://x{i}.example.org"
        decision = policy.decide("GET", [("Origin", origin)])
        assert decision.headers[0] == (ACAO, origin)
        sizes.append(len(policy._seen))
    assert max(sizes) == SEEN_LIMIT
    # Forgotten all at once when full, then filled again.
    assert sizes[SEEN_LIMIT] == 1
    assert sizes[-1] == 5


def test_remembered_origins_leave_equality_and_pickling_alone() -> None:
    import pickle

    policy = Policy(origins=["https://*.example.org"])
    fresh = Policy(origins=["https://*.example.org"])
    policy.decide("GET", [("Origin", "https://x.example.org")])

    assert policy == fresh
    assert hash(policy) == hash(fresh)
    copy = pickle.loads(pickle.dumps(policy))
    assert copy._seen == {}
    assert copy.decide("GET", [("Origin", "https://x.example.org")]).allowed
