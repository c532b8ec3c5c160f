"""Hypothesis strategies and properties for the crossorigin fuzz targets.

``fuzz/run.py`` runs the properties for a time budget when atheris is not
installed; ``tests/test_security_fuzz.py`` runs them for a fixed number of
examples in every test run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from crossorigin import ConfigError

from . import cases

_SCHEMES = ("https", "http", "HTTPS", "Https", "ws", "wss", "file", "javascript", "")
_SEPARATORS = ("://", "://", "://", ":/", "//", ":", ":///")
_LABELS = (
    "app",
    "example",
    "com",
    "EXAMPLE",
    "evil",
    "net",
    "localhost",
    "a",
    "xn--pp-ioa",
    "_",
    "-",
    "",
    "a" * 63,
    "127",
    "0",
    "1",
    "[::1]",
)
_SUFFIXES = (
    "",
    "",
    "",
    "/",
    ".",
    "\r\n",
    "\n",
    "\x00",
    "@evil.net",
    "%0d%0a",
    "#",
    "?",
    ":443",
    ":8080",
    ":",
    " ",
    ",https://evil.net",
)
# Control characters, URL delimiters, and letters that fold into ASCII
# (Kelvin sign, dotless i, sharp s) or imitate it (Cyrillic a, full-width
# and ideographic full stops, zero-width space).
_ODD_CHARS = (
    "\r\n\x00\t `{}$@:/\\.%#?,;*\u212a\u0430\uff0e\u3002\u200b\u00e0\u0131\u00df"
)

label = st.one_of(
    st.sampled_from(_LABELS),
    st.text(alphabet="abcxyz09-_." + _ODD_CHARS, min_size=1, max_size=8),
)

#: Origins assembled from parts: mostly near misses of trusted origins.
built_origin = st.builds(
    lambda scheme, sep, labels, port, suffix: (
        f"{scheme}{sep}{'.'.join(labels)}{port}{suffix}"
    ),
    st.sampled_from(_SCHEMES),
    st.sampled_from(_SEPARATORS),
    st.lists(label, min_size=1, max_size=5),
    st.one_of(st.just(""), st.integers(-1, 99999).map(lambda p: f":{p}")),
    st.sampled_from(_SUFFIXES),
)


def _mutate(origin: str, index: int, char: str, mode: int) -> str:
    index %= len(origin) + 1
    if mode == 0:
        return origin[:index] + char + origin[index:]
    if mode == 1:
        return origin[:index] + char + origin[index + 1 :]
    return origin[:index] + origin[index + 1 :]


#: A known good origin with one character inserted, replaced or removed.
mutated_origin = st.builds(
    _mutate,
    st.sampled_from([o for v in cases.GOOD_ORIGINS.values() for o in v]),
    st.integers(0, 64),
    st.one_of(st.sampled_from(_ODD_CHARS), st.characters()),
    st.integers(0, 2),
)

origin_text = st.one_of(
    st.sampled_from(cases.MALICIOUS_ORIGINS),
    st.sampled_from([o for v in cases.GOOD_ORIGINS.values() for o in v]),
    built_origin,
    mutated_origin,
    st.text(max_size=40),
)

method = st.one_of(
    st.sampled_from(
        ("GET", "POST", "HEAD", "OPTIONS", "options", "Options", "PUT", "put")
    ),
    # Non-ASCII spellings that upper() folds into ASCII method names.
    st.sampled_from(("PATCH", "patch", "DELETE", "TRACE", "a\u00dfign")),
    st.just("opt\u0131ons"),
    st.text(max_size=12),
)

_HEADER_NAMES = (
    "content-type",
    "x-requested-with",
    "authorization",
    "X-Custom",
    "cookie",
    "",
    " ",
    "x\r\ny",
    "a" * 300,
)
request_header_list = st.one_of(
    st.lists(st.sampled_from(_HEADER_NAMES), max_size=6).flatmap(
        lambda names: st.sampled_from((",", ", ", " ,", ",,", "\t,")).map(
            lambda sep: sep.join(names)
        )
    ),
    st.text(max_size=40),
    st.integers(4000, 5000).map(lambda n: "x" * n),
)

header_pair = st.one_of(
    st.tuples(st.sampled_from(("Origin", "origin", "ORIGIN")), origin_text),
    st.tuples(st.just("Access-Control-Request-Method"), method),
    st.tuples(st.just("Access-Control-Request-Headers"), request_header_list),
    st.tuples(
        st.just("Access-Control-Request-Private-Network"),
        st.sampled_from(("true", "TRUE", "false", "", "true ")),
    ),
    st.tuples(st.sampled_from(("X-Other", "Vary", "Host")), st.text(max_size=10)),
)


@st.composite
def cors_request(draw: Any) -> tuple[str, list[tuple[str, str]]]:
    """A method and header pairs: usually one Origin, sometimes none or two."""
    verb = draw(st.one_of(st.just("OPTIONS"), method))
    headers: list[tuple[str, str]] = []
    if draw(st.integers(0, 9)):
        headers.append(("Origin", draw(origin_text)))
    if verb == "OPTIONS" and draw(st.booleans()):
        headers.append(("Access-Control-Request-Method", draw(method)))
    headers.extend(draw(st.lists(header_pair, max_size=4)))
    return verb, draw(st.permutations(headers))


policy_case = st.sampled_from(cases.POLICIES)

_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=12), max_size=3),
    st.sampled_from(("*", "True", "false", "GET, POST", "1e3", " 600 ")),
)

#: Any keyword options, mostly wrong: origins from the origin strategies.
policy_options = st.dictionaries(
    st.sampled_from(
        (
            "origins",
            "methods",
            "allow_headers",
            "expose_headers",
            "supports_credentials",
            "max_age",
            "send_wildcard",
            "vary_header",
            "always_send",
            "allow_private_network",
            "allow_null_origin",
            "allow_insecure_origins",
            "origin",
            "support_credentials",
        )
    ),
    st.one_of(_JUNK, origin_text, st.lists(origin_text, max_size=3)),
    max_size=5,
)


# -- Properties (each raises on a finding) ------------------------------------


def decide_property(case: cases.PolicyCase, request: Any) -> None:
    """``decide`` never raises and keeps every invariant."""
    verb, headers = request
    cases.decide_and_check(case, verb, headers)


def origin_property(text: str, credentials: bool) -> None:
    """Origin parsing is total and never trusts what it must not."""
    cases.check_canonical(text)
    cases.check_origin_option(text, credentials)


def options_property(options: dict[str, Any]) -> None:
    """Any options build a policy or raise a ConfigError that says the fix."""
    try:
        cases.build_policy(**options)
    except ConfigError as error:
        cases.check_config_error(error)
