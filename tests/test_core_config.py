"""Configuration rules of ``Policy`` (DESIGN.md, "Configuration"), no app.

Every row builds a policy from options and checks what is refused or
warned about, and that the message names the option, shows the value with
``repr`` and says what to write instead.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from crossorigin import ConfigError, Policy

SITE = "https://app.example.com"

# (options, substrings every problem message must contain). The substrings
# name the option, show the offending value as repr() shows it, and give the
# fix, usually the corrected value.
ERRORS: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    # Unknown options, with "did you mean".
    ({"origin": SITE}, ("origin:", "unknown option", "did you mean origins=?")),
    (
        {"support_credentials": True},
        ("support_credentials:", "did you mean supports_credentials=?"),
    ),
    ({"allow_origin": SITE}, ("allow_origin:", "did you mean origins=?")),
    (
        {"allow_credentials": True},
        ("allow_credentials:", "did you mean supports_credentials=?"),
    ),
    ({"max_agee": 5}, ("max_agee:", "did you mean max_age=?")),
    ({"zzzz": 1}, ("zzzz:", "the options are:", "origins")),
    # Credentials with any origin.
    (
        {"supports_credentials": True},
        ("supports_credentials: True", "every origin", "list the allowed origins"),
    ),
    (
        {"origins": "*", "supports_credentials": True},
        ("supports_credentials: True", "list the allowed origins"),
    ),
    (
        {"origins": ".*", "supports_credentials": True},
        ("supports_credentials: True", "list the allowed origins"),
    ),
    (
        {"origins": [SITE, r"^.*$"], "supports_credentials": True},
        ("supports_credentials: True", "list the allowed origins"),
    ),
    # Booleans must be booleans.
    (
        {"supports_credentials": "False"},
        (
            "supports_credentials: 'False' is not a boolean",
            "environment variable",
            "supports_credentials=True or supports_credentials=False",
        ),
    ),
    ({"send_wildcard": 1}, ("send_wildcard: 1 is not a boolean", "send_wildcard=")),
    ({"vary_header": None}, ("vary_header: None", "vary_header=True")),
    ({"always_send": "yes"}, ("always_send: 'yes'", "always_send=False")),
    (
        {"allow_private_network": "true", "origins": [SITE]},
        ("allow_private_network: 'true'", "allow_private_network=True"),
    ),
    ({"allow_null_origin": 0}, ("allow_null_origin: 0", "allow_null_origin=True")),
    (
        {"allow_insecure_origins": "no"},
        ("allow_insecure_origins: 'no'", "allow_insecure_origins=True"),
    ),
    # Origins: canonical form, with the corrected value suggested.
    (
        {"origins": ["https://app.example.com/api"]},
        ("origins: 'https://app.example.com/api'", "path", f"write {SITE!r}"),
    ),
    (
        {"origins": ["https://app.example.com/"]},
        ("origins: 'https://app.example.com/'", "trailing slash", f"write {SITE!r}"),
    ),
    (
        {"origins": ["https://app.example.com/?next=1"]},
        ("origins: 'https://app.example.com/?next=1'", f"write {SITE!r}"),
    ),
    (
        {"origins": ["https://app.example.com#top"]},
        ("origins: 'https://app.example.com#top'", "fragment", f"write {SITE!r}"),
    ),
    (
        {"origins": ["https://user:pw@app.example.com"]},
        ("origins: 'https://user:pw@app.example.com'", "user", f"write {SITE!r}"),
    ),
    (
        {"origins": ["app.example.com"]},
        ("origins: 'app.example.com'", "no scheme", f"write {SITE!r}"),
    ),
    (
        {"origins": ["https://app.example.com:443"]},
        ("origins: 'https://app.example.com:443'", "default port", f"write '{SITE}'"),
    ),
    (
        {"origins": ["http://app.example.com:80"]},
        ("origins: 'http://app.example.com:80'", "write 'http://app.example.com'"),
    ),
    (
        {"origins": ["https://app.example.com:70000"]},
        ("origins: 'https://app.example.com:70000'", "invalid port", "65535"),
    ),
    (
        {"origins": ["https://app.example.com:x"]},
        ("origins: 'https://app.example.com:x'", "invalid port", ":8080"),
    ),
    (
        {"origins": ["https://bad_host!.com"]},
        ("origins: 'https://bad_host!.com'", "invalid host", "https://"),
    ),
    (
        {"origins": ["http://[::zz]"]},
        ("origins: 'http://[::zz]'", "invalid", "'http://[::1]'"),
    ),
    (
        {"origins": ["https://bücher.example"]},
        ("origins: 'https://bücher.example'", "'https://xn--bcher-kva.example'"),
    ),
    (
        {"origins": ["https://a*.example.com"]},
        ("origins: 'https://a*.example.com'", "misplaced wildcard", "*.example.com"),
    ),
    (
        {"origins": ["https://*.*.example.com"]},
        ("origins: 'https://*.*.example.com'", "misplaced wildcard"),
    ),
    (
        {"origins": ["https://example.*"]},
        ("origins: 'https://example.*'", "misplaced wildcard"),
    ),
    (
        {"origins": ["https://*.com"]},
        ("origins: 'https://*.com'", "top-level", "'https://*.example.com'"),
    ),
    (
        {"origins": ["*.example.com"]},
        ("origins: '*.example.com'", "no scheme", "'https://*.example.com'"),
    ),
    (
        {"origins": "https://a.example.com, https://b.example.com"},
        (
            "origins: 'https://a.example.com, https://b.example.com'",
            "as a list",
            "['https://a.example.com', 'https://b.example.com']",
        ),
    ),
    ({"origins": []}, ("origins:", "empty list", "origins=[")),
    ({"origins": 42}, ("origins: 42", "origins=[")),
    ({"origins": [SITE, 42]}, ("origins: 42", "https://app.example.com")),
    (
        {"origins": "https://(app.example.com"},
        ("origins: 'https://(app.example.com'", "does not compile", "escape it"),
    ),
    (
        {"origins": r"https://example\.com.*"},
        ("origins: the regex 'https://example\\\\.com.*'", "unbounded", "(:\\d+)?"),
    ),
    # null and file:// need the explicit opt-in.
    ({"origins": ["null"]}, ("origins: 'null'", "allow_null_origin=True")),
    ({"origins": "file://"}, ("origins: 'file://'", "allow_null_origin=True")),
    # Plain-http origins with credentials.
    (
        {"origins": ["http://app.example.com"], "supports_credentials": True},
        (
            "origins: 'http://app.example.com'",
            "plain-http",
            f"Use {SITE!r}",
            "allow_insecure_origins=True",
        ),
    ),
    (
        {"origins": ["http://*.example.com"], "supports_credentials": True},
        ("origins: 'http://*.example.com'", "'https://*.example.com'"),
    ),
    (
        {"origins": [r"https?://app\.example\.com"], "supports_credentials": True},
        ("origins: the regex", "plain-http", "allow_insecure_origins=True"),
    ),
    (
        {"origins": ["http://127.0.0.1.nip.io"], "supports_credentials": True},
        ("origins: 'http://127.0.0.1.nip.io'", "allow_insecure_origins=True"),
    ),
    # Methods and header names.
    (
        {"methods": ["GET", "BAD METHOD"]},
        ("methods: 'BAD METHOD'", "not an HTTP method", "['GET', 'POST']"),
    ),
    ({"methods": [7]}, ("methods: 7", "['GET', 'POST']")),
    ({"methods": 7}, ("methods: 7", "methods=[")),
    (
        {"allow_headers": ["X-Ok", "Bad Header"]},
        ("allow_headers: 'Bad Header'", "not a valid header name", "'Content-Type'"),
    ),
    (
        {"allow_headers": ["X-(unclosed"]},
        ("allow_headers: 'X-(unclosed'", "does not compile", "plain header names"),
    ),
    ({"allow_headers": 3}, ("allow_headers: 3", "allow_headers=[")),
    (
        {"expose_headers": ["X-Ok", "bad:name"]},
        ("expose_headers: 'bad:name'", "not a valid header name", "'X-Total-Count'"),
    ),
    (
        {"expose_headers": "*", "origins": [SITE], "supports_credentials": True},
        ("expose_headers: '*'", "supports_credentials=True", "list the header names"),
    ),
    # max_age.
    ({"max_age": -1}, ("max_age: -1", "negative", "max_age", "600")),
    (
        {"max_age": datetime.timedelta(seconds=-5)},
        ("max_age: datetime.timedelta(", "negative"),
    ),
    ({"max_age": 1.5}, ("max_age: 1.5", "not a number of seconds", "max_age=600")),
    ({"max_age": "ten"}, ("max_age: 'ten'", "max_age=600")),
    ({"max_age": True}, ("max_age: True", "max_age=600")),
    # Private Network Access with any origin.
    (
        {"allow_private_network": True},
        ("allow_private_network: True", "every origin", "list the allowed origins"),
    ),
]


@pytest.mark.parametrize(("options", "expected"), ERRORS)
def test_policy_config_error_names_option_value_and_fix(
    options: dict[str, Any], expected: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as info:
        Policy(**options)

    problems = info.value.problems
    assert len(problems) == 1, problems
    for part in expected:
        assert part in problems[0]
    assert str(info.value) == problems[0]


# (options, substrings of the one expected warning, settings after the drop).
WARNINGS: list[tuple[dict[str, Any], tuple[str, ...], dict[str, object]]] = [
    (
        {"origins": [r"https://www.example\.com"]},
        ("origins:", "'https://www.example\\\\.com'", "escape it as '\\.'"),
        {},
    ),
    (
        {"allow_headers": ["Cookie", "X-Token"]},
        ("allow_headers: 'Cookie'", "forbidden request-header", "dropped"),
        {"allow_headers": ("X-Token",)},
    ),
    (
        {"allow_headers": ["Sec-Fetch-Mode", "X-Token"]},
        ("allow_headers: 'Sec-Fetch-Mode'", "dropped"),
        {"allow_headers": ("X-Token",)},
    ),
    (
        {"allow_headers": ["X-Token", "Origin"]},
        ("allow_headers: 'Origin'", "dropped"),
        {"allow_headers": ("X-Token",)},
    ),
    (
        {"allow_headers": ["Host", "X-Token"]},
        ("allow_headers: 'Host'", "dropped"),
        {"allow_headers": ("X-Token",)},
    ),
    (
        {"allow_headers": ["Proxy-Authorization", "X-Token"]},
        ("allow_headers: 'Proxy-Authorization'", "dropped"),
        {"allow_headers": ("X-Token",)},
    ),
    (
        {"expose_headers": ["Set-Cookie", "X-Total"]},
        ("expose_headers: 'Set-Cookie'", "forbidden response-header", "dropped"),
        {"expose_headers": ("X-Total",)},
    ),
    (
        {"max_age": 100_000},
        ("max_age: 100000", "86400", "cap"),
        {"max_age": 100_000},
    ),
    (
        {"max_age": datetime.timedelta(days=2)},
        ("max_age: datetime.timedelta(days=2)", "86400"),
        {"max_age": 172_800},
    ),
    (
        {"methods": ["GET", "TRACE"]},
        ("methods: 'TRACE'", "forbidden method", "ignored"),
        {"methods": ("GET",)},
    ),
]


@pytest.mark.parametrize(("options", "expected", "settings"), WARNINGS)
def test_policy_config_warning_names_option_and_value(
    options: dict[str, Any], expected: tuple[str, ...], settings: dict[str, object]
) -> None:
    policy = Policy(**options)

    assert len(policy.warnings) == 1, policy.warnings
    for part in expected:
        assert part in policy.warnings[0]
    for name, value in settings.items():
        assert policy.settings[name] == value


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"origins": [SITE], "supports_credentials": True},
        {"origins": ["http://localhost:3000"], "supports_credentials": True},
        {"origins": ["http://127.0.0.1:5000"], "supports_credentials": True},
        {"origins": ["http://[::1]:8080"], "supports_credentials": True},
        {"origins": ["http://localhost:*"], "supports_credentials": True},
        {
            "origins": ["http://dev.test"],
            "supports_credentials": True,
            "allow_insecure_origins": True,
        },
        {"origins": ["https://*.example.com"], "supports_credentials": True},
        {"origins": [r"https://(www\.)?example\.com"], "supports_credentials": True},
        {"origins": [re.compile(r"https://api\d\.example\.com")]},
        {"origins": ["null"], "allow_null_origin": True},
        {"origins": [SITE], "allow_private_network": True},
        {"expose_headers": "*"},
        {"max_age": 0},
        {"max_age": 86_400},
        {"allow_headers": [r"X-Custom-.*"]},
        {"methods": "*"},
    ],
)
def test_policy_config_accepts_safe_settings_without_warning(
    options: dict[str, Any],
) -> None:
    assert Policy(**options).warnings == ()


def test_policy_config_reports_every_problem_together() -> None:
    with pytest.raises(ConfigError) as info:
        Policy(
            origins=["app.example.com", "https://ok.example.com/"],
            supports_credentials="yes",  # type: ignore[typeddict-item]
            max_age=-3,
            methods=["G T"],
            origin="x",  # type: ignore[typeddict-unknown-key]
        )

    problems = info.value.problems
    assert len(problems) == 6
    assert str(info.value).startswith("6 problems in the CORS configuration:")
    for option in ("origin:", "origins: 'app", "origins: 'https", "max_age:"):
        assert any(p.startswith(option) for p in problems), option
    assert all(f"\n  - {p}" in str(info.value) for p in problems)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTPS://APP.Example.COM", SITE),
        ("  https://app.example.com  ", SITE),
        ("https://app.example.com:8443", "https://app.example.com:8443"),
        ("https://app.example.com:08443", "https://app.example.com:8443"),
        ("http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"),
        ("http://[2001:DB8::1]", "http://[2001:db8::1]"),
        ("http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("HTTPS://*.Example.com", "https://*.example.com"),
        ("http://LOCALHOST:*", "http://localhost:*"),
        ("http://[::1]:*", "http://[::1]:*"),
    ],
)
def test_policy_config_normalises_origins_to_browser_form(
    given: str, canonical: str
) -> None:
    assert Policy(origins=[given]).settings["origins"] == (canonical,)


@pytest.mark.parametrize(
    ("given", "methods"),
    [
        ("GET, POST", ("GET", "POST")),
        ("get post", ("GET", "POST")),
        (["put", "PUT", "Delete"], ("PUT", "DELETE")),
        ("*", "*"),
    ],
)
def test_policy_config_splits_and_normalises_methods(
    given: str | list[str], methods: object
) -> None:
    assert Policy(methods=given).settings["methods"] == methods


def test_policy_config_splits_header_strings_and_keeps_patterns() -> None:
    policy = Policy(
        allow_headers="Content-Type, X-Token", expose_headers="X-Total, X-Page"
    )

    assert policy.settings["allow_headers"] == ("Content-Type", "X-Token")
    assert policy.settings["expose_headers"] == ("X-Total", "X-Page")


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        (600, 600),
        ("600", 600),
        (" 42 ", 42),
        (datetime.timedelta(minutes=10), 600),
        (datetime.timedelta(0), 0),
        (None, None),
    ],
)
def test_policy_config_reads_max_age_forms(given: object, seconds: int | None) -> None:
    policy = Policy(max_age=given)  # type: ignore[arg-type]
    assert policy.settings["max_age"] == seconds


def test_policy_config_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="did you mean origins"):
        Policy(origin=SITE)  # type: ignore[typeddict-unknown-key]


def test_policy_config_callable_origins_need_no_validation() -> None:
    async def check(origin: str) -> bool:
        return origin == SITE

    policy = Policy(origins=[check, str.islower], supports_credentials=True)

    assert policy.has_async_origin_check
    assert Policy(origins=str.islower).has_async_origin_check is False
