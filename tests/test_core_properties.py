"""Invariants of ``Policy.decide`` over random policies and requests.

Whatever the policy and however hostile the request, a decision must keep
the promises of DESIGN.md ("Per request"): one well-formed Allow-Origin that
is "*" or the Origin byte for byte, never "*" with credentials, credentials
only for an allowed origin, Vary: Origin exactly once when the answer
depends on the Origin, no CR/LF/NUL in any header, and a refused preflight
with no Access-Control-* header at all.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crossorigin import ConfigError, Decision, Policy

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"

ORIGIN_POOL = [
    "https://app.example.com",
    "https://a.b.example.com",
    "https://evilexample.com",
    "https://example.com",
    "http://app.example.com",
    "https://app.example.com:8443",
    "http://localhost:3000",
    "http://127.0.0.1:5000",
    "http://[::1]:8080",
    "https://xn--bcher-kva.example",
    "HTTPS://APP.EXAMPLE.COM",
    "null",
    "",
    "https://app.example.com/",
    "https://app.example.com\r\nSet-Cookie: a=b",
    "https://app.example.com\x00",
    "https://\u212aa.example.com",
    "https://app.example.com, https://evilexample.com",
    "*",
]

CONFIG_ORIGINS: list[object] = [
    "*",
    "https://app.example.com",
    "https://example.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://[::1]:8080",
    "http://app.example.com",
    "null",
    r"https://(app|api)\.example\.com",
    r"https://.*\.example\.com",
    r"(http|https)://app\.example\.com",
    re.compile(r"https://[a-z]+\.example\.com"),
    ".*",
]


def _accept_all(origin: str) -> bool:
    return True


def _accept_example(origin: str) -> bool:
    return origin.endswith("example.com")


def _explode(origin: str) -> bool:
    raise RuntimeError(origin)


CONFIG_ORIGINS += [_accept_all, _accept_example, _explode]

header_names = st.sampled_from(
    ["x-token", "content-type", "authorization", "X-Custom-A", "x-other", "cookie"]
)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["origins"] = draw(
            st.lists(st.sampled_from(CONFIG_ORIGINS), min_size=1, max_size=4)
        )
    for name in (
        "supports_credentials",
        "send_wildcard",
        "vary_header",
        "always_send",
        "allow_private_network",
        "allow_null_origin",
        "allow_insecure_origins",
    ):
        if draw(st.booleans()):
            options[name] = draw(st.booleans())
    if draw(st.booleans()):
        options["methods"] = draw(
            st.one_of(
                st.just("*"),
                st.lists(
                    st.sampled_from(["GET", "PUT", "patch", "DELETE"]), max_size=3
                ),
            )
        )
    if draw(st.booleans()):
        options["allow_headers"] = draw(
            st.one_of(
                st.just("*"),
                st.lists(st.sampled_from(["X-Token", "Content-Type", r"X-Custom-.*"])),
            )
        )
    if draw(st.booleans()):
        options["expose_headers"] = draw(st.sampled_from(["X-Total", "*", None]))
    if draw(st.booleans()):
        options["max_age"] = draw(st.integers(0, 100_000))
    try:
        return Policy(**options)
    except ConfigError:
        assume(False)
        raise


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    method = draw(st.sampled_from(["GET", "POST", "OPTIONS", "OPTIONS", "PUT"]))
    headers: list[tuple[str, str]] = []
    origins = draw(
        st.lists(
            st.one_of(st.sampled_from(ORIGIN_POOL), st.text(max_size=40)), max_size=2
        )
    )
    headers.extend(("Origin", origin) for origin in origins)
    if draw(st.booleans()):
        acrm = st.sampled_from(["GET", "PUT", "patch", "PATCH", "PROPFIND", "B AD"])
        headers.append(
            (
                "Access-Control-Request-Method",
                draw(st.one_of(acrm, st.text(max_size=10))),
            )
        )
    if draw(st.booleans()):
        names = draw(st.lists(header_names, max_size=4))
        value = draw(st.one_of(st.just(",".join(names)), st.text(max_size=30)))
        headers.append(("Access-Control-Request-Headers", value))
    if draw(st.booleans()):
        headers.append(("Access-Control-Request-Private-Network", "true"))
    draw(st.randoms()).shuffle(headers)
    return method, headers


def _values(decision: Decision, name: str) -> list[str]:
    return [v for n, v in decision.headers if n.lower() == name.lower()]


def _origins(headers: list[tuple[str, str]]) -> list[str]:
    return [v for n, v in headers if n.lower() == "origin"]


def _with_origin(
    headers: list[tuple[str, str]], origin: str | None
) -> list[tuple[str, str]]:
    kept = [(n, v) for n, v in headers if n.lower() != "origin"]
    return kept if origin is None else [("Origin", origin), *kept]


SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@SETTINGS
@given(policies(), requests())
def test_property_allow_origin_is_absent_star_or_the_origin(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    decision = policy.decide(method, headers)

    acao = _values(decision, ACAO)
    assert len(acao) <= 1
    if acao and acao[0] != "*":
        assert _origins(headers) == acao
    if acao:
        assert decision.allowed


@SETTINGS
@given(policies(), requests())
def test_property_credentials_never_with_star_and_only_when_allowed(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    decision = policy.decide(method, headers)

    acac = _values(decision, ACAC)
    if acac:
        assert acac == ["true"]
        assert decision.allowed
        assert _values(decision, ACAO) == _origins(headers)
        assert "*" not in _values(decision, ACAO)
    if policy.settings["supports_credentials"] and decision.allowed:
        assert acac == ["true"]


@SETTINGS
@given(policies(), requests(), st.sampled_from(ORIGIN_POOL))
def test_property_vary_origin_once_when_the_answer_depends_on_origin(
    policy: Policy, request: tuple[str, list[tuple[str, str]]], other: str
) -> None:
    method, headers = request
    variants = [
        policy.decide(method, headers),
        policy.decide(method, _with_origin(headers, None)),
        policy.decide(method, _with_origin(headers, other)),
    ]

    def without_vary(decision: Decision) -> tuple[object, ...]:
        rest = tuple(h for h in decision.headers if h[0] != "Vary")
        return rest, decision.status

    for decision in variants:
        vary = _values(decision, "Vary")
        assert vary in ([], ["Origin"])
        if not policy.settings["vary_header"]:
            assert vary == []
    # Caches never store answers to OPTIONS (RFC 9110, 9.3.7), so what a
    # send_wildcard policy answers to a preflight needs no Vary.
    depends = len({without_vary(d) for d in variants}) > 1
    if policy.settings["vary_header"] and depends and method != "OPTIONS":
        for decision in variants:
            assert _values(decision, "Vary") == ["Origin"]


@SETTINGS
@given(policies(), requests())
def test_property_no_header_contains_cr_lf_or_nul(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    decision = policy.decide(method, headers)

    for name, value in decision.headers:
        for text in (name, value):
            assert not {"\r", "\n", "\x00"} & set(text)
            # What a WSGI server can write (PEP 3333: latin-1 strings).
            text.encode("latin-1")


@SETTINGS
@given(policies(), requests())
def test_property_refused_preflight_has_no_access_control_header(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    decision = policy.decide(method, headers)

    if decision.preflight:
        assert decision.status == (200 if decision.allowed else 403)
        if not decision.allowed:
            assert all(not n.startswith("Access-Control-") for n, _ in decision.headers)
    else:
        assert decision.status is None


@SETTINGS
@given(policies(), requests())
def test_property_preflight_is_options_with_origin_and_method(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    names = {n.lower() for n, _ in headers}

    decision = policy.decide(method, headers)

    assert decision.preflight == (
        method == "OPTIONS"
        and "origin" in names
        and "access-control-request-method" in names
    )


@SETTINGS
@given(policies(), requests())
def test_property_private_network_only_on_allowed_preflight(
    policy: Policy, request: tuple[str, list[tuple[str, str]]]
) -> None:
    method, headers = request
    decision = policy.decide(method, headers)

    if _values(decision, "Access-Control-Allow-Private-Network"):
        assert decision.preflight
        assert decision.allowed
        assert policy.settings["allow_private_network"] is True


@SETTINGS
@given(policies())
def test_property_policy_survives_pickling_and_replace(policy: Policy) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(policy))

    assert copy == policy
    assert hash(copy) == hash(policy)
    assert policy.replace() == policy
