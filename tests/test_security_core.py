"""Security cases against the core, with no app: ``Policy`` and ``decide``.

The corpora and policies live in ``fuzz/cases.py``, shared with the fuzzers
and with the Flask and Quart security suites. Class names (C1...C16) refer to
the misconfiguration catalogue that SECURITY.md tabulates.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import crossorigin._policy as policy_module
from crossorigin import ConfigError, Policy
from crossorigin._apply import log_decision

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

cases: Any = importlib.import_module("fuzz.cases")

APP = "https://app.example.com"
ACAO = "Access-Control-Allow-Origin"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"


def preflight(origin: str, method: str = "PUT", **extra: str) -> list[tuple[str, str]]:
    headers = [("Origin", origin), (ACRM, method)]
    headers += [(name.replace("_", "-"), value) for name, value in extra.items()]
    return headers


def cors_headers(decision: Any) -> dict[str, str]:
    return {n: v for n, v in decision.headers if n.startswith("Access-Control-")}


# -- The malicious-origin corpus against every policy -------------------------


@pytest.mark.parametrize("case", cases.POLICIES, ids=lambda c: c.name)
@pytest.mark.parametrize("kind", ["actual", "preflight"])
def test_malicious_origins_are_never_granted(case: Any, kind: str) -> None:
    granted = []
    for origin in cases.MALICIOUS_ORIGINS:
        if kind == "actual":
            method, headers = "GET", [("Origin", origin)]
        else:
            method = "OPTIONS"
            headers = preflight(origin, content_type="x", **{ACRPN: "true"})
        decision = cases.decide_and_check(case, method, headers)
        acao = dict(decision.headers).get(ACAO)
        legitimate = case.oracle is None or (case.null and origin == "null")
        if acao is not None and not legitimate:
            granted.append(origin)
    assert granted == []


@pytest.mark.parametrize("case", cases.POLICIES, ids=lambda c: c.name)
def test_good_origins_are_granted(case: Any) -> None:
    """The refusals above come from a policy that does allow something."""
    for origin in cases.GOOD_ORIGINS.get(case.name, ()):
        decision = cases.decide_and_check(case, "GET", [("Origin", origin)])
        assert decision.allowed, origin
        assert dict(decision.headers)[ACAO] in (origin, "*")


def test_malicious_origins_reach_a_callable_only_when_well_formed() -> None:
    case = cases.POLICY_BY_NAME["callable"]
    cases.CALLABLE_SEEN.clear()
    for origin in cases.MALICIOUS_ORIGINS:
        case.policy.decide("GET", [("Origin", origin)])
    assert cases.CALLABLE_SEEN
    assert all(cases.is_serialised_origin(o) for o in cases.CALLABLE_SEEN)
    assert "null" not in cases.CALLABLE_SEEN


def test_raising_origin_callable_refuses() -> None:
    policy = Policy(origins=[cases.raising_check])
    decision = policy.decide("GET", [("Origin", APP)])
    assert not decision.allowed
    assert ACAO not in dict(decision.headers)


# -- Refused at configuration -------------------------------------------------


@pytest.mark.parametrize("bad", cases.BAD_CONFIGS, ids=lambda b: b.id)
def test_bad_config_is_refused_with_its_fix(bad: Any) -> None:
    with pytest.raises(ConfigError) as info:
        Policy(**bad.options)
    cases.check_config_error(info.value)
    assert bad.fix in str(info.value)


def test_bad_config_problems_are_reported_together() -> None:
    with pytest.raises(ConfigError) as info:
        Policy(origins=["null", r"https://.*example\.com"], max_age=-1)
    assert len(info.value.problems) == 3


@pytest.mark.parametrize(
    "origins",
    [
        ["https://*.example.com"],
        ["https://*.example.co.uk"],
        ["https://*.myname.github.io"],
        [r"https://.*\.example\.com"],
        [r"https://.*-preview\.example\.com"],
        [r"https://example\.com(:\d+)?"],
        ["http://localhost:*", "http://127.0.0.1:8000", "http://[::1]:3000"],
    ],
)
def test_safe_configs_with_credentials_are_accepted(origins: list[Any]) -> None:
    """The configuration checks refuse the flaw, not the feature."""
    assert Policy(origins=origins, supports_credentials=True).warnings == ()


def test_credentialed_public_suffix_wildcard_is_fine_without_credentials() -> None:
    policy = Policy(origins=["https://*.github.io"])
    decision = policy.decide("GET", [("Origin", "https://someone.github.io")])
    assert decision.allowed
    assert "Access-Control-Allow-Credentials" not in dict(decision.headers)


def test_loose_dot_regex_warns() -> None:
    policy = Policy(origins=[r"^https://www.example.com$"])
    assert any(r"escape it as '\.'" in w for w in policy.warnings)


# -- Refused per request ------------------------------------------------------


def test_null_is_never_matched_by_any_regex_or_callable() -> None:
    """C3: 'null' is granted by allow_null_origin alone."""
    for origins in ("*", [r".+"], [r"n[a-z]+"], [lambda origin: True]):
        policy = Policy(origins=origins)
        assert not policy.decide("GET", [("Origin", "null")]).allowed


def test_regex_is_matched_in_full() -> None:
    """C4: fullmatch, and the origin grammar in front of it."""
    policy = Policy(origins=[r"https://app\.example\.com"])
    for origin in (
        "https://app.example.com.evil.net",
        "https://app.example.com\n",
        "xhttps://app.example.com",
        "https://app.example.com/",
    ):
        assert not policy.decide("GET", [("Origin", origin)]).allowed, origin


def test_wildcard_matches_whole_labels_never_the_apex() -> None:
    """C5, C8: 'https://*.example.com'."""
    policy = Policy(origins=["https://*.example.com"])
    allowed = [
        o
        for o in (
            "https://example.com",
            "https://evilexample.com",
            "https://.example.com",
            "https://a.example.com",
            "https://a-b.c.example.com",
            "https://a.example.com:8443",
        )
        if policy.decide("GET", [("Origin", o)]).allowed
    ]
    assert allowed == ["https://a.example.com", "https://a-b.c.example.com"]


def test_plain_http_from_a_callable_is_refused_with_credentials() -> None:
    """C7: what a callable (or regex) accepts is checked per request."""
    policy = Policy(origins=[lambda origin: True], supports_credentials=True)
    for origin, allowed in (
        ("http://app.example.com", False),
        ("https://app.example.com", True),
        ("http://localhost:3000", True),
    ):
        decision = policy.decide("GET", [("Origin", origin)])
        assert decision.allowed is allowed, origin


@pytest.mark.parametrize("origin", [None, APP, "https://evil.example.net"])
def test_vary_origin_on_every_origin_dependent_response(origin: str | None) -> None:
    """C9: refused origins and requests without Origin included."""
    policy = Policy(origins=[APP])
    headers = [] if origin is None else [("Origin", origin)]
    decision = policy.decide("GET", headers)
    assert ("Vary", "Origin") in decision.headers


def test_refused_preflight_is_403_and_discloses_nothing() -> None:
    """C11: no method list or header list for an origin that is refused."""
    policy = Policy(origins=[APP], methods=["GET", "PUT"], allow_headers=["X-A"])
    for headers in (
        preflight("https://evil.example.net"),
        preflight(APP, method="DELETE"),
        preflight(APP, **{ACRH: "x-b"}),
    ):
        decision = policy.decide("OPTIONS", headers)
        assert (decision.status, cors_headers(decision)) == (403, {}), headers


def test_allowed_preflight_echoes_only_what_was_requested() -> None:
    policy = Policy(origins=[APP], allow_headers=["X-A", "X-B", "X-Secret"])
    decision = policy.decide("OPTIONS", preflight(APP, **{ACRH: "x-a"}))
    assert cors_headers(decision)["Access-Control-Allow-Headers"] == "x-a"


def test_megabyte_request_headers_refused_unparsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """C12: over the cap, the list is never split or matched."""

    def parse(self: Policy, requested: str) -> bool:
        raise AssertionError("a capped header list was parsed")

    monkeypatch.setattr(Policy, "_headers_allowed", parse)
    policy = Policy(origins=[APP])
    for value in ("," * 1_000_000, "x-a," * 250_000, "a" * 1_000_000):
        decision = policy.decide("OPTIONS", preflight(APP, **{ACRH: value}))
        assert decision.status == 403
        assert decision.reason == policy_module.LONG_HEADERS


def test_request_headers_just_under_the_cap_are_parsed() -> None:
    value = ",".join(["x-a"] * (cases.ACRH_CAP // 4))
    assert len(value) <= cases.ACRH_CAP
    decision = Policy(origins=[APP]).decide("OPTIONS", preflight(APP, **{ACRH: value}))
    assert decision.allowed


def test_many_repeated_header_lines_are_answered_and_refused() -> None:
    """Repeated lines are joined once (linear), then hit the cap.

    The thread join is a hang detector only: a linear join takes
    milliseconds, the quadratic one this replaced took minutes here.
    """
    policy = Policy(origins=[APP])
    line = (ACRH, "x-" + "a" * 200)
    headers = [("Origin", APP), (ACRM, "PUT"), *[line] * 100_000]
    result: list[Any] = []
    worker = threading.Thread(
        target=lambda: result.append(policy.decide("OPTIONS", headers)), daemon=True
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "decide() did not return"
    assert result[0].reason == policy_module.LONG_HEADERS


def test_many_origin_lines_are_refused() -> None:
    policy = Policy(origins=[APP])
    decision = policy.decide("GET", [("Origin", APP)] * 10_000)
    assert not decision.allowed
    assert decision.reason == policy_module.DUPLICATE_ORIGIN


def test_very_long_origin_refused_before_matching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """C13: the length guard runs before any parsing of the value."""

    class Untouchable:
        def fullmatch(self, value: str) -> None:
            raise AssertionError("a long Origin reached the grammar")

    monkeypatch.setattr(policy_module, "ORIGIN_GRAMMAR", Untouchable())
    policy = Policy(origins=[lambda origin: True])
    for origin in ("https://" + "a" * 1_000_000, APP + "\x00" * 5000):
        decision = policy.decide("GET", [("Origin", origin)])
        assert decision.reason == policy_module.MALFORMED_ORIGIN


@pytest.mark.parametrize(
    "origin",
    [
        APP + "\r\nSet-Cookie: a=b",
        APP + "\x00",
        APP + "\u0085",
        "https://\u212aey.example.com",
        "https://app.example.com\u200b",
    ],
)
def test_origin_with_control_or_non_ascii_is_never_echoed(origin: str) -> None:
    """C13: only serialised origins are echoed, even by an any-origin policy."""
    decision = Policy().decide("GET", [("Origin", origin)])
    assert not decision.allowed
    assert ACAO not in dict(decision.headers)


def test_allow_headers_star_covers_authorization_by_echo() -> None:
    """C15: a bare '*' would not cover Authorization; the echo does."""
    policy = Policy(origins=[APP], supports_credentials=True)
    decision = policy.decide("OPTIONS", preflight(APP, **{ACRH: "authorization"}))
    assert cors_headers(decision)["Access-Control-Allow-Headers"] == "authorization"


@pytest.mark.parametrize(
    ("options", "origin", "granted"),
    [
        ({}, APP, False),  # off by default (CVE-2024-6221)
        ({"origins": [APP]}, APP, False),
        ({"origins": [APP], "allow_private_network": True}, APP, True),
        (
            {"origins": [APP], "allow_private_network": True},
            "https://evil.example.net",
            False,
        ),
    ],
)
def test_private_network_access_only_when_opted_in_and_allowed(
    options: dict[str, Any], origin: str, granted: bool
) -> None:
    """C16 and CVE-2024-6221."""
    decision = Policy(**options).decide("OPTIONS", preflight(origin, **{ACRPN: "true"}))
    pna = dict(decision.headers).get("Access-Control-Allow-Private-Network")
    assert (pna == "true") is granted


# -- Adversarial methods ------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "allowed"),
    [
        ("put", True),
        ("pUt", True),
        ("PUT", True),
        ("get", True),
        ("TRACE", False),
        ("CONNECT", False),
        ("opt\u0131ons", False),  # dotless i upper-cases to ASCII I
        ("a\u00dfign", False),  # sharp s upper-cases to SS
        ("PUT\r\nX: y", False),
        ("", False),
        ("P UT", False),
    ],
)
def test_mixed_case_and_odd_methods(requested: str, allowed: bool) -> None:
    policy = Policy(origins=[APP], methods=["GET", "PUT", "OPTIONS", "ASSIGN"])
    decision = policy.decide("OPTIONS", preflight(APP, method=requested))
    assert decision.allowed is allowed
    acam = cors_headers(decision).get("Access-Control-Allow-Methods", "")
    assert acam.isascii() and "\r" not in acam
    if allowed and requested not in ("PUT", "get"):
        # Browsers compare case-sensitively: the spelling asked for is named.
        assert requested in acam.split(", ")


@pytest.mark.parametrize("method", ["options", "Options", "OPTIONS "])
def test_lower_case_options_is_not_a_preflight(method: str) -> None:
    """Methods are case-sensitive (RFC 9110): 'options' is no preflight."""
    decision = Policy(origins=[APP]).decide(method, preflight(APP))
    assert not decision.preflight
    assert decision.status is None


# -- Log injection ------------------------------------------------------------


def test_log_line_cannot_be_forged_through_path_or_origin(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """CVE-2024-1681: request values are logged with %r."""
    decision = Policy(origins=[APP]).decide("GET", [("Origin", "https://x\r\nA")])
    with caplog.at_level(logging.DEBUG, logger="crossorigin"):
        log_decision(
            decision,
            "GET",
            "/x\r\n2024-01-01 INFO forged-entry",
            "https://x\r\n2024-01-01 INFO forged",
            debug=True,
        )
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "\r" not in message and "\n" not in message
    assert "forged-entry" in message
