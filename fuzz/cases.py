"""Security cases shared by the fuzzers and the security tests.

Three corpora (malicious origins, bad configurations, adversarial requests),
a set of policies each paired with an *oracle* written independently of
crossorigin's own parser, and the invariants every ``Decision`` must keep.
This module needs nothing but crossorigin, so that the atheris fuzzer, the
hypothesis fuzzer and the test suites can all import it.

An oracle states, for one policy, a condition that every origin the policy
grants must meet. The oracles are deliberately written from the policy's
plain-English meaning (string operations, no regexes shared with the
library), so that a parsing mistake in crossorigin cannot hide itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crossorigin import ConfigError, Decision, Policy

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACAPN = "Access-Control-Allow-Private-Network"

#: The longest Access-Control-Request-Headers value crossorigin parses.
ACRH_CAP = 4096

# -- Malicious origins --------------------------------------------------------

#: Origins an attacker can make a browser (or a raw client) send to a site
#: that trusts ``https://example.com`` and its subdomains. None of them may
#: be granted by any policy in ``POLICIES``.
MALICIOUS_ORIGINS: tuple[str, ...] = (
    # Suffix and prefix tricks (C5, C6).
    "https://evilexample.com",
    "https://notexample.com",
    "https://example.com.evil.net",
    "https://example.community",
    "https://example.co",
    "https://example.comevil.net",
    "https://app.example.com.evil.net",
    "https://example-com.evil.net",
    "https://wwwXexample.com",
    # The apex is not a subdomain (C8).
    "https://example.com.",
    "https://app.example.com.",
    # Scheme downgrades and other schemes (C7).
    "http://app.example.com",
    "http://example.com",
    "ws://app.example.com",
    "javascript://app.example.com",
    "file://",
    "https//app.example.com",
    "https:app.example.com",
    # The opaque origin (C3) and its look-alikes.
    "null",
    "NULL",
    "Null",
    " null",
    "null ",
    "null\x00",
    # Userinfo, paths, queries and fragments: not serialised origins.
    "https://example.com@evil.net",
    "https://app.example.com@evil.net",
    "https://evil.net@app.example.com",
    "https://evil.net#@app.example.com",
    "https://evil.net?.example.com",
    "https://evil.net/.example.com",
    "https://evil.net\\.example.com",
    "https://app.example.com/",
    "https://app.example.com/path",
    # Header injection and control characters (C13).
    "https://a.example.com\r\nX: y",
    "https://a.example.com\r\n",
    "https://a.example.com\n",
    "https://a.example.com\r",
    "https://a.example.com\x00",
    "https://a.example.com\x00.evil.net",
    "https://a.example.com\t",
    "\thttps://a.example.com",
    "https://a.example.com%0d%0a",
    "https://a.example.com%0d%0aSet-Cookie:%20x=y",
    "https://a.example.com%00",
    "https://a%2eexample.com",
    # Unicode: homoglyphs, case folding into ASCII, full-width and IDN.
    "https://\u212aey.example.com",  # Kelvin sign lower-cases to "k"
    "https://app.\u212aexample.com",
    "https://\u0430pp.example.com",  # Cyrillic a
    "https://app.ex\u0430mple.com",
    "https://app.example.\u0441om",  # Cyrillic s
    "https://app\uff0eexample.com",  # full-width full stop
    "https://app\u3002example.com",  # ideographic full stop
    "https://\uff41pp.example.com",  # full-width a
    "https://app.example.com\u200b",  # zero-width space
    "https://xn--pp-ioa.example.com\u0000",
    "https://\u00e0pp.example.com",  # Latin-1 a-grave
    "https://app.exampl\u00e9.com",
    "https://app.example.com\u2028",
    "https://app.example.com\u0085",
    # Ports: wrong, default, out of range, empty.
    "https://app.example.com:443",
    "https://app.example.com:8443",
    "https://app.example.com:",
    "https://app.example.com:99999",
    "https://app.example.com:-1",
    "https://app.example.com:0x1bb",
    "http://localhost.evil.net:3000",
    "http://localhost:3000.evil.net",
    "http://localhostevil.net:3000",
    "http://127.0.0.1.evil.net:3000",
    "http://localhost:3000@evil.net",
    # Characters some browsers once allowed in hosts (backticks, braces).
    "https://app.example.com`.evil.net",
    "https://app.example.com}.evil.net",
    "https://app.example.com{.evil.net",
    "https://app.example.com$.evil.net",
    "https://app.example.com_.evil.net",
    "https://app.example.com!.evil.net",
    "https://app.example.com&.evil.net",
    "https://app.example.com'.evil.net",
    'https://app.example.com".evil.net',
    "https://app.example.com;.evil.net",
    "https://app.example.com,https://evil.net",
    "https://app.example.com https://evil.net",
    # Empty, blank and degenerate values.
    "",
    " ",
    "*",
    "https://",
    "https://.",
    "https://..example.com",
    "https://.example.com",
    "https://*.example.com",
    "https://app..example.com",
    # IP literals and brackets.
    "https://[::1].example.com",
    "https://[app.example.com]",
    "https://evil.net[.example.com]",
    # Long values (C13 length guard): a long label, many labels, many bytes.
    "https://" + "a" * 5000 + ".example.com",
    "https://" + "a." * 3000 + "example.com",
    "https://evil.net" + "\x00" * 2000,
    "https://" + "x" * 1_000_000,
)

#: Origins every policy in ``POLICIES`` that covers them must grant; they
#: show that the refusals above are not a policy that refuses everything.
GOOD_ORIGINS: Mapping[str, tuple[str, ...]] = {
    "exact": ("https://app.example.com", "http://localhost:5173"),
    "subdomains": ("https://app.example.com", "https://a.b.example.com"),
    "regex": ("https://app.example.com", "https://api-2.example.com"),
    "localhost": ("http://localhost:3000", "http://localhost"),
    "callable": ("https://app.example.com", "https://partner.example.com"),
    "any": ("https://app.example.com", "https://anything.test"),
    "null": ("null", "https://app.example.com"),
    "private-network": ("https://app.example.com",),
}

# -- Policies and oracles -----------------------------------------------------

_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _is_label(text: str) -> bool:
    return bool(text) and set(text) <= _LABEL_CHARS and text[0] != "-" != text[-1]


def _host_port(origin: str, scheme: str) -> tuple[str, str] | None:
    """Split a lower-case ``scheme://host[:port]``; ``None`` if it is not."""
    if not origin.startswith(scheme + "://"):
        return None
    host, _, port = origin[len(scheme) + 3 :].partition(":")
    if port and not (port.isdigit() and port.isascii() and len(port) <= 5):
        return None
    return host, port


def _under_example_com(origin: str) -> bool:
    parts = _host_port(origin, "https")
    if parts is None or parts[1]:
        return False
    labels = parts[0].split(".")
    return (
        len(labels) >= 3
        and labels[-2:] == ["example", "com"]
        and all(_is_label(label) for label in labels[:-2])
    )


def _is_exact(origin: str) -> bool:
    return origin in ("https://app.example.com", "http://localhost:5173")


def _is_localhost(origin: str) -> bool:
    parts = _host_port(origin, "http")
    return parts is not None and parts[0] == "localhost"


def _api_or_app(origin: str) -> bool:
    parts = _host_port(origin, "https")
    if parts is None or parts[1]:
        return False
    first, _, rest = parts[0].partition(".")
    return rest == "example.com" and _is_label(first)


def _partner(origin: str) -> bool:
    return origin in ("https://app.example.com", "https://partner.example.com")


#: Every origin string a ``callable`` policy's function was handed.
CALLABLE_SEEN: list[str] = []


def partner_check(origin: str) -> bool:
    """A user's origin callable: sloppy on purpose, it trusts by suffix.

    crossorigin must hand it only serialised origins, so that even this
    check cannot be tricked by a value with a path, userinfo or CR LF.
    """
    CALLABLE_SEEN.append(origin)
    return origin in ("https://app.example.com", "https://partner.example.com")


def raising_check(origin: str) -> bool:
    """A user's origin callable that fails: the failure must refuse."""
    msg = f"database down while checking {origin!r}"
    raise RuntimeError(msg)


@dataclass(frozen=True)
class PolicyCase:
    """A policy under attack, and what it may legitimately grant."""

    name: str
    options: Mapping[str, Any]
    #: Must hold for the *lower-cased* origin of every grant other than
    #: ``*``. ``None``: the policy grants every well-formed origin.
    oracle: Callable[[str], bool] | None
    credentials: bool = False
    null: bool = False
    private_network: bool = False
    policy: Policy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy", Policy(**self.options))


POLICIES: tuple[PolicyCase, ...] = (
    PolicyCase(
        "exact",
        {
            "origins": ["https://app.example.com", "http://localhost:5173"],
            "supports_credentials": True,
        },
        _is_exact,
        credentials=True,
    ),
    PolicyCase(
        "subdomains",
        {"origins": ["https://*.example.com"], "supports_credentials": True},
        _under_example_com,
        credentials=True,
    ),
    PolicyCase(
        "regex",
        {"origins": [r"https://[a-z0-9-]+\.example\.com"]},
        _api_or_app,
    ),
    PolicyCase(
        "localhost",
        {"origins": ["http://localhost:*"], "supports_credentials": True},
        _is_localhost,
        credentials=True,
    ),
    PolicyCase(
        "callable",
        {"origins": [partner_check, raising_check], "supports_credentials": True},
        _partner,
        credentials=True,
    ),
    PolicyCase("any", {}, None),
    PolicyCase(
        "wildcard",
        {"origins": "*", "send_wildcard": True, "allow_private_network": False},
        None,
    ),
    PolicyCase(
        "null",
        {
            "origins": ["https://app.example.com"],
            "allow_null_origin": True,
            "supports_credentials": True,
        },
        lambda origin: origin in ("null", "https://app.example.com"),
        credentials=True,
        null=True,
    ),
    PolicyCase(
        "private-network",
        {
            "origins": ["https://app.example.com"],
            "allow_private_network": True,
            "allow_headers": ["Content-Type", "X-Requested-With"],
            "methods": ["GET", "PUT"],
        },
        lambda origin: origin == "https://app.example.com",
        private_network=True,
    ),
)

POLICY_BY_NAME: Mapping[str, PolicyCase] = {case.name: case for case in POLICIES}

# -- Invariants ---------------------------------------------------------------


class InvariantError(AssertionError):
    """A ``Decision`` broke one of the rules every decision must keep."""


# A serialised origin (Fetch, "Origin header"), checked without regexes:
# scheme, "://", a host of dot-separated labels or a bracketed IPv6 address,
# an optional port of digits.
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")


def is_serialised_origin(origin: str) -> bool:
    """Tell whether ``origin`` has the shape of a serialised origin."""
    if not origin.isascii() or not origin.isprintable():
        return False
    lowered = origin.lower()
    scheme, sep, rest = lowered.partition("://")
    if not sep or not scheme or not scheme[0].isalpha():
        return False
    if not set(scheme) <= _SCHEME_CHARS:
        return False
    if rest.startswith("["):
        host, bracket, port = rest[1:].partition("]")
        if not bracket or not host or not set(host) <= set("0123456789abcdef:."):
            return False
        port = port[1:] if port.startswith(":") else ("x" if port else "")
    else:
        host, colon, port = rest.partition(":")
        if colon and not port:
            return False
        labels = host.split(".")
        if not all(label and set(label) <= _LABEL_CHARS for label in labels):
            return False
    return not port or (port.isdigit() and len(port) <= 5)


def _tokens(value: str) -> bool:
    token_chars = set("!#$%&'*+.^_`|~-") | set("0123456789")
    token_chars |= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    items = [item.strip(" \t") for item in value.split(",")]
    return all(item and set(item) <= token_chars for item in items)


def _fail(what: str, case: PolicyCase, facts: object, decision: Decision) -> None:
    msg = f"{what}\n  policy: {case.name}\n  request: {facts!r}\n  {decision!r}"
    raise InvariantError(msg)


def request_values(
    headers: Iterable[tuple[str, str]],
) -> tuple[list[str], str | None, str | None, str | None]:
    """The Origin lines, ACRM, ACRH (joined) and ACRPN of header pairs."""
    origins: list[str] = []
    acrm = acrpn = None
    acrh: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "origin":
            origins.append(value)
        elif key == "access-control-request-method" and acrm is None:
            acrm = value
        elif key == "access-control-request-headers":
            acrh.append(value)
        elif key == "access-control-request-private-network" and acrpn is None:
            acrpn = value
    return origins, acrm, ", ".join(acrh) if acrh else None, acrpn


def check_decision(
    case: PolicyCase,
    method: str,
    headers: list[tuple[str, str]],
    decision: Decision,
) -> None:
    """Raise ``InvariantError`` if ``decision`` grants what it should not.

    The rules, for every policy and request:

    1. every header is plain text a server can write: Latin-1, no control
       character (no CR, LF or NUL: no header injection);
    2. at most one ``Access-Control-Allow-Origin``, either ``*`` (never
       with credentials) or the request's single ``Origin`` byte for byte;
    3. an echoed origin is a serialised origin, and satisfies the policy's
       oracle; ``null`` only where the policy opted in;
    4. credentials only with an echoed origin; PNA only where the policy
       opted in, on an allowed preflight that asked for it;
    5. a refused preflight has status 403 and no ``Access-Control-*``
       header; an allowed one has status 200; other requests ``None``;
    6. ``Access-Control-Allow-Methods``/``-Headers`` are token lists, the
       latter echoing at most a value under the parsing cap.
    """
    facts = (method, headers)
    names = [name for name, _ in decision.headers]
    for name, value in decision.headers:
        text = name + value
        if not text.isascii() and not all(ord(c) < 256 for c in text):
            _fail("a header is not Latin-1", case, facts, decision)
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            _fail("a header holds a control character", case, facts, decision)

    got = dict(decision.headers)
    if names.count(ACAO) > 1:
        _fail("more than one Access-Control-Allow-Origin", case, facts, decision)
    origins, acrm, acrh, acrpn = request_values(headers)
    acao = got.get(ACAO)
    if acao is not None and acao != "*":
        if len(origins) != 1 or acao != origins[0]:
            _fail("ACAO is not the request's one Origin", case, facts, decision)
        if acao == "null":
            if not case.null:
                _fail("null granted without opt-in", case, facts, decision)
        elif not is_serialised_origin(acao):
            _fail("ACAO echoes a value that is no origin", case, facts, decision)
        if case.oracle is not None and not case.oracle(acao.lower()):
            _fail("ACAO grants an origin the policy excludes", case, facts, decision)
    if acao == "*" and (case.credentials or ACAC in got):
        _fail("'*' together with credentials", case, facts, decision)
    if ACAC in got and (acao is None or acao == "*" or not case.credentials):
        _fail("credentials without an echoed origin", case, facts, decision)

    preflight = method == "OPTIONS" and acrm is not None and bool(origins)
    if decision.preflight != preflight:
        _fail("preflight misclassified", case, facts, decision)
    if ACAPN in got and not (
        case.private_network and preflight and decision.allowed and acrpn == "true"
    ):
        _fail("private network access granted", case, facts, decision)

    cors_names = [n for n in names if n.lower().startswith("access-control-")]
    if decision.preflight and not decision.allowed:
        if decision.status != 403 or cors_names:
            _fail("refused preflight leaks CORS headers", case, facts, decision)
    elif decision.preflight:
        if decision.status != 200 or acao is None:
            _fail("allowed preflight without 200 and ACAO", case, facts, decision)
    elif decision.status is not None:
        _fail("a status for an actual request", case, facts, decision)
    if not decision.allowed and acao is not None:
        _fail("refused but ACAO sent", case, facts, decision)

    if ACAM in got and not _tokens(got[ACAM]):
        _fail("ACAM is not a token list", case, facts, decision)
    if ACAH in got:
        if not _tokens(got[ACAH]) or len(got[ACAH]) > ACRH_CAP:
            _fail("ACAH is not a short token list", case, facts, decision)
        if acrh is None or got[ACAH] != acrh.strip(" \t"):
            _fail("ACAH is not the requested list", case, facts, decision)
    vary = got.get("Vary")
    if vary is not None and vary != "Origin":
        _fail("Vary names something other than Origin", case, facts, decision)


def decide_and_check(
    case: PolicyCase, method: str, headers: list[tuple[str, str]]
) -> Decision:
    """Run ``decide`` on one request and check every invariant."""
    decision = case.policy.decide(method, headers)
    check_decision(case, method, headers, decision)
    return decision


# -- Origin parsing -----------------------------------------------------------

#: Words that a ConfigError problem uses to say what to do instead.
REMEDY_WORDS = (
    "write",
    "use",
    "set",
    "list",
    "remove",
    "name",
    "end the",
    "escape",
    "give",
    "put",
    "convert",
    "pass",
    "call",
    "match",
    "as in",
    "did you mean",
)


def check_config_error(error: ConfigError) -> None:
    """Every problem names an option and says how to fix it."""
    if not error.problems:
        msg = "a ConfigError with no problems"
        raise InvariantError(msg)
    for problem in error.problems:
        head = problem.split(":", 1)[0]
        if not head or " " in head.strip().split("[")[0]:
            msg = f"problem does not start with the option name: {problem!r}"
            raise InvariantError(msg)
        if not any(word in problem.lower() for word in REMEDY_WORDS):
            msg = f"problem does not say how to fix it: {problem!r}"
            raise InvariantError(msg)


def build_policy(**options: Any) -> Policy:
    """``Policy(**options)``, quiet about the ``re`` module's FutureWarning.

    Random regexes such as ``"[[a]"`` make ``re`` warn about syntax it may
    change; that is the user's regex speaking, not crossorigin, and under
    ``-W error`` it would hide what the policy itself does.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return Policy(**options)


def check_origin_option(text: str, credentials: bool) -> Policy | None:
    """Build a one-origin policy from arbitrary text; check what comes out.

    Building raises ``ConfigError`` (whose problems each say how to fix
    them) or succeeds; nothing else. A policy that builds never grants
    ``null`` (no ``allow_null_origin``), and under credentials never a
    plain-http origin that is not loopback (no ``allow_insecure_origins``).
    """
    try:
        policy = build_policy(origins=[text], supports_credentials=credentials)
    except ConfigError as error:
        check_config_error(error)
        return None

    null = policy.decide("GET", [("Origin", "null")])
    if null.allowed:
        msg = f"origins=[{text!r}] grants null without allow_null_origin"
        raise InvariantError(msg)
    insecure = policy.decide("GET", [("Origin", "http://crossorigin-fuzz.invalid")])
    if credentials and insecure.allowed:
        msg = f"origins=[{text!r}] grants plain http with credentials"
        raise InvariantError(msg)
    return policy


def check_canonical(text: str) -> None:
    """``canonical_origin`` is total, and its output is a fixed point."""
    from crossorigin._origins import canonical_origin

    canonical, problem = canonical_origin(text)
    if (canonical is None) == (problem is None):
        msg = f"canonical_origin({text!r}) gave {canonical!r}, {problem!r}"
        raise InvariantError(msg)
    if canonical is None:
        return
    if not is_serialised_origin(canonical) or canonical != canonical.lower():
        msg = f"canonical_origin({text!r}) = {canonical!r} is not canonical"
        raise InvariantError(msg)
    if canonical_origin(canonical) != (canonical, None):
        msg = f"canonical_origin is not idempotent on {canonical!r}"
        raise InvariantError(msg)
    if canonical.startswith("file://"):
        return  # file: documents have the opaque origin, "null"
    if set(canonical.partition(":")[0]) & set("+."):
        # A scheme such as "git+ssh" is an origin, but in the origins
        # option a string with "+" is a regex (Flask-CORS compatibility);
        # browsers send no such scheme.
        return
    policy = Policy(origins=[canonical], allow_insecure_origins=True)
    if not policy.decide("GET", [("Origin", canonical)]).allowed:
        msg = f"Policy(origins=[{canonical!r}]) refuses its own origin"
        raise InvariantError(msg)


# -- Bad configurations -------------------------------------------------------


@dataclass(frozen=True)
class BadConfig:
    """A configuration that must be refused, and the fix its error names."""

    #: The misconfiguration class (cors-standard-and-peers.md, section C).
    klass: str
    options: Mapping[str, Any]
    #: A piece of the fix the error message must contain.
    fix: str

    @property
    def id(self) -> str:
        return f"{self.klass}-{sorted(self.options.items())!r}"[:60]


BAD_CONFIGS: tuple[BadConfig, ...] = (
    # C1: reflecting every origin with credentials.
    BadConfig("C1", {"supports_credentials": True}, "list the allowed origins"),
    BadConfig(
        "C1", {"origins": ".*", "supports_credentials": True}, "list the allowed"
    ),
    BadConfig(
        "C1", {"origins": [r"https?://.*"], "supports_credentials": True}, "list"
    ),
    BadConfig(
        "C1",
        {"origins": ["https://app.example.com", "*"], "supports_credentials": True},
        "list the allowed origins",
    ),
    # C2: '*' where browsers read it literally under credentials.
    BadConfig(
        "C2",
        {
            "origins": ["https://app.example.com"],
            "supports_credentials": True,
            "expose_headers": "*",
        },
        "list the header names",
    ),
    BadConfig(
        "C2",
        {"origins": "*", "send_wildcard": True, "supports_credentials": True},
        "list the allowed origins",
    ),
    # C3: the opaque origin.
    BadConfig("C3", {"origins": ["null"]}, "allow_null_origin=True"),
    BadConfig("C3", {"origins": ["https://app.example.com", "null"]}, "remove it"),
    BadConfig("C3", {"origins": ["file://"]}, "allow_null_origin=True"),
    # C4: regexes that match more than they say.
    BadConfig("C4", {"origins": [r"https://example\.com.*"]}, "end the pattern"),
    BadConfig("C4", {"origins": [r"https://example\.com(\..*)?"]}, "end the pattern"),
    BadConfig("C4", {"origins": [r"https://example\.com[a-z.]*"]}, "end the pattern"),
    BadConfig("C4", {"origins": [r"https://(example\.com"]}, "escape it"),
    # C5: suffix matching.
    BadConfig("C5", {"origins": [r"https://.*example\.com"]}, "end the wildcard"),
    BadConfig("C5", {"origins": [r"https://[a-z]+example\.com"]}, "end the wildcard"),
    BadConfig("C5", {"origins": ["https://*example.com"]}, "https://*.example.com"),
    BadConfig("C5", {"origins": ["https://*.*.example.com"]}, "whole leading labels"),
    # C6: prefix matching.
    BadConfig("C6", {"origins": ["https://example.com*"]}, "https://*.example.com"),
    BadConfig("C6", {"origins": ["https://example.*"]}, "https://*.example.com"),
    BadConfig("C6", {"origins": ["https://app.example.com/"]}, "write"),
    BadConfig("C6", {"origins": ["app.example.com"]}, "https://app.example.com"),
    BadConfig("C6", {"origins": ["https://u@app.example.com"]}, "write"),
    # C7: plain http trusted with credentials.
    BadConfig(
        "C7",
        {"origins": ["http://app.example.com"], "supports_credentials": True},
        "allow_insecure_origins=True",
    ),
    BadConfig(
        "C7",
        {"origins": ["http://*.example.com"], "supports_credentials": True},
        "https://*.example.com",
    ),
    BadConfig(
        "C7",
        {"origins": [r"https?://app\.example\.com"], "supports_credentials": True},
        "Match 'https://' only",
    ),
    # C8: wildcards over suffixes anyone can register under.
    BadConfig("C8", {"origins": ["https://*.com"]}, "name your own domain"),
    BadConfig(
        "C8",
        {"origins": ["https://*.github.io"], "supports_credentials": True},
        "list your own origins",
    ),
    BadConfig(
        "C8",
        {"origins": ["https://*.co.uk"], "supports_credentials": True},
        "list your own origins",
    ),
    # C16: Private Network Access for everyone.
    BadConfig("C16", {"allow_private_network": True}, "list the allowed origins"),
    # Types that would silently turn a check off.
    BadConfig("types", {"supports_credentials": "False"}, "convert it first"),
    BadConfig("types", {"origins": 42}, "write for example"),
    BadConfig("types", {"max_age": -1}, "write 0"),
    BadConfig("types", {"origin": "https://app.example.com"}, "did you mean origins"),
)


def config_keys(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``CORS_*`` app config keys that say the same as ``options``."""
    return {f"CORS_{name.upper()}": value for name, value in options.items()}
