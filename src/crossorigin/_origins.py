"""Parse the ``origins`` option into matchers, once, when a policy is built.

Nothing here runs per request except the small matching helpers at the end,
which the policy calls. Configured origins are held in the form a browser
serialises them (Fetch, "Origin header": lowercase scheme and host, no path,
no default port), so that matching is a set lookup.
"""

from __future__ import annotations

import inspect
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

#: Characters that make an ``origins`` string a regular expression, as
#: Flask-CORS users write them. ``*`` alone is our wildcard syntax and ``.``
#: alone is a literal dot.
REGEX_CHARS = frozenset("\\[]()?$^|+{}")

#: The longest ``Origin`` value worth parsing. A host name has at most 253
#: characters; anything far longer is refused before any work is done on it.
MAX_ORIGIN_LENGTH = 1024

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")

# An origin whose host is an IPv6 literal, as in "http://[::1]:8080": its
# brackets are part of the URL syntax, not a regex character class. A port
# of "*" makes it a wildcard; a path is left for canonical_origin to report.
_IPV6_ORIGIN = re.compile(
    r"[a-z][a-z0-9+.-]*://\[[0-9a-z:.%]*\](?::[0-9*]*)?(?:[/?#].*)?",
    re.IGNORECASE | re.DOTALL,
)

# Our wildcard syntax: "*" as whole host labels or as the port. Checked
# before the regex test so that "https://*.*.example.com" is reported as a
# misplaced wildcard rather than compiled into a regex matching far more.
_WILDCARD_SHAPE = re.compile(
    r"[a-z][a-z0-9+.-]*://"
    r"(?:\*|[a-z0-9_-]+)(?:\.(?:\*|[a-z0-9_-]+))*"
    r"(?::(?:[0-9]+|\*))?",
    re.IGNORECASE,
)

# A plain origin followed by a path, query or fragment, as pasted from the
# address bar ("https://app.example.com/?next=1"): its "?" is a query, not
# a regex quantifier, and canonical_origin reports it with the fix.
_URL_WITH_TAIL = re.compile(
    r"[a-z][a-z0-9+.-]*://[a-z0-9_.-]+(?::[0-9]*)?[/?#][^\\()\[\]|^$+{}*]*",
    re.IGNORECASE | re.DOTALL,
)

#: The serialised-origin grammar (Fetch, "Origin header"), loosened to any
#: letter case. A value that does not fit is never echoed and never reaches a
#: user's regex or callable.
ORIGIN_GRAMMAR = re.compile(
    r"[a-z][a-z0-9+.-]*://(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])"
    r"(?::[0-9]{1,5})?",
    re.IGNORECASE,
)

# Two origins no sensible allow-list contains; a regex matching both is a
# match-all and is treated as "*".
_PROBES = ("https://crossorigin-probe.invalid", "http://another.probe.test:8080")

# An unescaped "." between two label characters, as in r"www.example.com".
_LOOSE_DOT = re.compile(r"(?<![\\])(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])")

# A regex that ends in an unbounded "anything" also accepts any host that
# merely starts with the intended origin: https://example.com.evil.net.
_OPEN_END = re.compile(r"(?<!\\)\.[*+]\??(?:\$|\\Z)?$")

# An unbounded wildcard glued to the front of a label of a two-label host:
# r"https://.*example\.com" also accepts "https://evilexample.com", a
# domain anyone can register. The wildcard is ".", "\w", "\S" or a class,
# repeated; the host must end after at most one more escaped dot.
_GLUED_WILDCARD = re.compile(
    r"((?:(?<!\\)\.|\\[wS]|\[[^\]]*\])(?:[*+]|\{\d*,\d*\})\??)"
    r"[A-Za-z0-9][A-Za-z0-9-]*(?:\\\.[A-Za-z0-9-]+)?"
    r"(?![A-Za-z0-9-]|\\\.)"
)

# Appended to the literal origin a regex starts with: if the regex still
# matches, it accepts hosts that merely start with that origin.
_SUFFIX_PROBES = (".crossoriginprobe.invalid", "crossoriginprobe.invalid")

#: Domains under which anyone can get a subdomain, so that a credentialed
#: ``https://*.<suffix>`` trusts strangers. A best-effort excerpt of the
#: Public Suffix List's well-known shared hosts, not the list itself: the
#: core takes no dependency, and SECURITY.md says what this misses.
SHARED_HOST_SUFFIXES = frozenset(
    {
        "amazonaws.com",
        "appspot.com",
        "azurewebsites.net",
        "blogspot.com",
        "cloudfront.net",
        "firebaseapp.com",
        "fly.dev",
        "github.io",
        "gitlab.io",
        "glitch.me",
        "herokuapp.com",
        "netlify.app",
        "ngrok-free.app",
        "ngrok.io",
        "onrender.com",
        "pages.dev",
        "surge.sh",
        "vercel.app",
        "web.app",
        "workers.dev",
    }
)

#: Second-level labels that country registries hand out as public
#: suffixes ("co.uk", "com.au", "ac.jp").
_GENERIC_SECOND_LEVEL = frozenset(
    {"ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"}
)

#: Letters that IDNA 2003 maps away but UTS 46 nontransitional keeps.
_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")

OriginCallable = Callable[[str], Any]


def is_loopback_host(host: str) -> bool:
    """Tell whether ``host`` names this machine (RFC 6761 and RFC 6890)."""
    return (
        host == "localhost"
        or host.endswith(".localhost")
        or host == "[::1]"
        or re.fullmatch(r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}", host) is not None
    )


@dataclass
class OriginRules:
    """What the ``origins`` option allows, in matchable form."""

    any: bool = False
    null: bool = False
    exact: set[str] = field(default_factory=set)
    wildcards: list[str] = field(default_factory=list)
    regexes: list[re.Pattern[str]] = field(default_factory=list)
    sync_callables: list[OriginCallable] = field(default_factory=list)
    async_callables: list[OriginCallable] = field(default_factory=list)
    # The configured entries, canonicalised, for repr and pickling.
    entries: list[object] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_origins(
    value: object,
    *,
    credentials: bool,
    allow_null: bool,
    allow_insecure: bool,
) -> OriginRules:
    """Validate the ``origins`` option and sort its entries by kind."""
    rules = OriginRules(null=allow_null)
    if isinstance(value, (str, re.Pattern)) or callable(value):
        items: Iterable[object] = (value,)
    elif isinstance(value, Iterable):
        items = list(value)
        if not items:
            rules.problems.append(
                "origins: an empty list allows no origin at all; list the"
                " origins to allow, for example origins=['https://app.example.com']"
            )
    else:
        rules.problems.append(
            f"origins: {value!r} is not a string, pattern, callable or list"
            " of them; write for example origins=['https://app.example.com']"
        )
        items = ()

    for item in items:
        _parse_one(item, rules, credentials, allow_insecure)

    if credentials and rules.any:
        rules.problems.append(
            "supports_credentials: True cannot be combined with an origins"
            " setting that allows every origin: browsers refuse '*' with"
            " credentials, and reflecting any origin would let every website"
            " read your users' data (Fetch, 'CORS protocol and credentials');"
            " list the allowed origins instead"
        )
    return rules


def _parse_one(
    item: object, rules: OriginRules, credentials: bool, allow_insecure: bool
) -> None:
    if isinstance(item, re.Pattern):
        _add_regex(item, item.pattern, rules, credentials, allow_insecure)
    elif isinstance(item, str):
        _parse_string(item, rules, credentials, allow_insecure)
    elif callable(item):
        if _is_async_callable(item):
            rules.async_callables.append(item)
        else:
            rules.sync_callables.append(item)
        rules.entries.append(item)
    else:
        rules.problems.append(
            f"origins: {item!r} is not a string, re.Pattern or callable;"
            " write origins as strings like 'https://app.example.com'"
        )


def _is_async_callable(obj: object) -> bool:
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004 - we want the method
    )


def _parse_string(
    text: str, rules: OriginRules, credentials: bool, allow_insecure: bool
) -> None:
    stripped = text.strip()
    if stripped == "*":
        rules.any = True
        rules.entries.append("*")
        return

    if stripped.lower() == "null" or stripped.lower().startswith("file://"):
        _add_null(text, rules)
        return

    if "," in stripped and not (REGEX_CHARS & set(stripped)):
        parts = [p.strip() for p in stripped.split(",") if p.strip()]
        rules.problems.append(
            f"origins: {text!r} is one string holding several origins; give"
            f" them as a list: origins={parts!r}"
        )
        return

    has_star = "*" in stripped
    if _IPV6_ORIGIN.fullmatch(stripped):
        if stripped.endswith(":*"):
            _add_wildcard(text, stripped, rules, credentials, allow_insecure)
        else:
            _add_exact(text, stripped, rules, credentials, allow_insecure)
    elif _URL_WITH_TAIL.fullmatch(stripped):
        _add_exact(text, stripped, rules, credentials, allow_insecure)
    elif has_star and _WILDCARD_SHAPE.fullmatch(stripped):
        _add_wildcard(text, stripped, rules, credentials, allow_insecure)
    elif REGEX_CHARS & set(stripped) or ".*" in stripped or ".+" in stripped:
        try:
            pattern = re.compile(stripped, re.IGNORECASE)
        except re.error as exc:
            rules.problems.append(
                f"origins: {text!r} looks like a regular expression but does"
                f" not compile ({exc}); escape it or write a plain origin"
                " like 'https://app.example.com'"
            )
            return
        _add_regex(pattern, stripped, rules, credentials, allow_insecure)
    elif has_star:
        _add_wildcard(text, stripped, rules, credentials, allow_insecure)
    else:
        _add_exact(text, stripped, rules, credentials, allow_insecure)


def _add_null(text: str, rules: OriginRules) -> None:
    if not rules.null:
        rules.problems.append(
            f"origins: {text!r} would trust the 'null' origin, which sandboxed"
            " iframes, data: and file: documents and every cross-origin"
            " redirect share, so any website can send it; remove it, or if"
            " you really need it set allow_null_origin=True"
        )
        return
    rules.entries.append("null")


def _add_exact(
    text: str, stripped: str, rules: OriginRules, credentials: bool, insecure: bool
) -> None:
    canonical, problem = canonical_origin(stripped)
    if problem:
        rules.problems.append(f"origins: {text!r} {problem}")
        return

    canonical = str(canonical)
    scheme, _, hostport = canonical.partition("://")
    host = hostport.partition("]")[0] + "]" if hostport[0] == "[" else hostport
    host = host.partition(":")[0] if host[0] != "[" else host
    if credentials and not insecure and scheme == "http" and not is_loopback_host(host):
        rules.problems.append(_insecure_problem(text, "https://" + hostport))
        return

    rules.exact.add(canonical)
    rules.entries.append(canonical)


def _insecure_problem(text: str, suggestion: str) -> str:
    return (
        f"origins: {text!r} is a plain-http origin trusted with credentials;"
        " a network attacker can inject script into that page and read your"
        f" users' data. Use {suggestion!r}, or set allow_insecure_origins=True"
        " if you accept the risk"
    )


def canonical_origin(text: str) -> tuple[str | None, str | None]:
    """Return ``(canonical, None)`` or ``(None, problem)`` for one origin.

    The canonical form is what a browser sends (Fetch, "Origin header";
    URL standard, "default port"): ``scheme://host[:port]`` in lower case,
    no path, no default port, an internationalised host in Punycode. The
    problem text says what is wrong and suggests the corrected value.
    """
    if not text:
        return None, "is empty; write an origin like 'https://app.example.com'"
    if "://" not in text:
        authority = text.strip("/").split("/")[0]
        host = authority.partition(":")[0].lower()
        if is_loopback_host(host):
            # A local development server: plain http, usually on some port.
            if ":" in authority:
                return None, f"has no scheme; write {'http://' + authority!r}"
            return None, (
                f"has no scheme; write 'http://{host}:*' (any port) or name the"
                f" port, as in 'http://{host}:3000'"
            )
        return None, f"has no scheme; write {'https://' + authority!r}"

    scheme, rest = text.split("://", 1)
    scheme = scheme.lower()
    if not _SCHEME.fullmatch(scheme):
        return None, "has an invalid scheme; write it like 'https://example.com'"

    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=-1)
    authority, tail = (rest, "") if cut < 0 else (rest[:cut], rest[cut:])
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
        fixed, problem = canonical_origin(f"{scheme}://{authority}")
        return None, problem or f"contains user information; write {fixed!r}"

    if authority.startswith("["):
        host, _, port_text = authority.partition("]")
        host += "]"
        if port_text and not port_text.startswith(":"):
            return None, "has a malformed IPv6 address; write it like 'http://[::1]'"
        port_text = port_text[1:] if port_text else ""
        has_port = bool(authority.partition("]")[2])
    else:
        host, has_colon, port_text = authority.partition(":")
        has_port = bool(has_colon)
    host = host.lower()

    if not host.isascii():
        punycode_hint = (
            "; write the host in the Punycode ('xn--') form a browser sends,"
            " as shown by new URL('https://your-host').origin in its console"
        )
        if _IDNA_DEVIATIONS & set(host):
            # Python's codec implements IDNA 2003, which maps these letters
            # away ("ß" to "ss"); browsers keep them (URL standard, UTS 46
            # nontransitional), so a suggestion would be wrong.
            return None, "has a non-ASCII host" + punycode_hint
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None, "has a host that is not a valid domain name" + punycode_hint
        fixed = f"{scheme}://{host}" + (f":{port_text}" if port_text else "")
        return (
            None,
            f"has a non-ASCII host, which browsers send as {fixed!r}; write that",
        )

    if host.startswith("["):
        try:
            host = f"[{_serialise_ipv6(ipaddress.IPv6Address(host[1:-1]))}]"
        except ValueError:
            return None, "has an invalid IPv6 address; write it like 'http://[::1]'"
    elif not _HOST.fullmatch(host):
        return None, (
            f"has an invalid host {host!r}; write an origin like"
            " 'https://app.example.com'"
        )

    port = ""
    if has_port:
        if not port_text.isdigit() or not 0 < int(port_text) <= 65535:
            return None, (
                f"has an invalid port {port_text!r}; a port is a number from 1"
                f" to 65535, as in '{scheme}://{host}:8080'"
            )
        if DEFAULT_PORTS.get(scheme) == int(port_text):
            return None, (
                f"names the default port, which browsers never send;"
                f" write '{scheme}://{host}'"
            )
        port = f":{int(port_text)}"

    canonical = f"{scheme}://{host}{port}"
    if tail:
        what = "a trailing slash" if tail == "/" else "a path, query or fragment"
        return None, (
            f"has {what}, but an origin is only scheme, host and port, so it"
            f" would never match; write {canonical!r}"
        )
    if len(canonical) > MAX_ORIGIN_LENGTH:
        return None, (
            f"is {len(canonical)} characters long, and an Origin header over"
            f" {MAX_ORIGIN_LENGTH} is refused unread, so it would never match;"
            " write the origin your site is served from"
        )

    return canonical, None


def _serialise_ipv6(address: ipaddress.IPv6Address) -> str:
    """Serialise an IPv6 address as browsers do (URL standard, "host
    serializing"): hex pieces, the first longest run of two or more zero
    pieces compressed to "::". Unlike ``str(address)``, IPv4-mapped
    addresses stay in hex on every Python version.
    """
    pieces = [int.from_bytes(address.packed[i : i + 2], "big") for i in range(0, 16, 2)]
    start, length = -1, 1
    run_start, run = 0, 0
    for index, piece in enumerate(pieces):
        if piece:
            run = 0
            continue
        if run == 0:
            run_start = index
        run += 1
        if run > length:
            start, length = run_start, run
    text = [f"{piece:x}" for piece in pieces]
    if start < 0:
        return ":".join(text)
    return ":".join(text[:start]) + "::" + ":".join(text[start + length :])


def _add_wildcard(
    text: str, stripped: str, rules: OriginRules, credentials: bool, insecure: bool
) -> None:
    hint = (
        " a wildcard stands for whole leading labels, as in"
        " 'https://*.example.com', or for the port, as in 'http://localhost:*'"
    )
    if "://" not in stripped:
        return rules.problems.append(
            f"origins: {text!r} has no scheme; write"
            f" {'https://' + stripped.strip('/')!r}"
        )

    scheme, rest = stripped.split("://", 1)
    scheme = scheme.lower()
    host, _, port = rest.lower().partition(":")
    if host.startswith("["):
        # An IPv6 literal: its colons do not separate the port.
        host, _, port = rest.lower().partition("]")
        host, port = host + "]", port[1:]
    subdomains = host.startswith("*.")
    base = host[2:] if subdomains else host
    if "*" in base or "/" in rest or (port and port != "*" and not port.isdigit()):
        return rules.problems.append(
            f"origins: {text!r} has a misplaced wildcard;{hint}"
        )

    probe = f"{scheme}://{base}" + (f":{port}" if port and port != "*" else "")
    _, problem = canonical_origin(probe)
    if problem:
        return rules.problems.append(f"origins: {text!r} {problem}")
    if base.startswith("["):
        base = host = str(canonical_origin(f"{scheme}://{base}")[0])[len(scheme) + 3 :]
    if subdomains and "." not in base:
        return rules.problems.append(
            f"origins: {text!r} would allow every site under the top-level"
            f" domain {base!r}; name your own domain, as in 'https://*.example.com'"
        )
    if credentials and subdomains and _is_public_suffix(base):
        return rules.problems.append(
            f"origins: {text!r} with supports_credentials=True would let"
            f" every site under {base!r} read your users' data, and anyone"
            " can get a site there; list your own origins, as in"
            f" 'https://yourapp.{base}'"
        )
    if credentials and not insecure and scheme == "http" and not is_loopback_host(base):
        return rules.problems.append(_insecure_problem(text, "https://" + rest))

    # Fetch serialises hosts in lower case, so the pattern needs no flags;
    # the request's Origin is lower-cased once before matching.
    source = re.escape(f"{scheme}://")
    if subdomains:
        source += rf"(?:{_LABEL}\.)+"
    source += re.escape(base)
    if port == "*":
        source += r"(?::[0-9]{1,5})?"
    elif port:
        source += re.escape(f":{int(port)}")
    rules.wildcards.append(source)
    rules.entries.append(f"{scheme}://{host}" + (f":{port}" if port else ""))
    return None


def _is_public_suffix(host: str) -> bool:
    """Best effort: is ``host`` a suffix under which anyone can register?"""
    if host in SHARED_HOST_SUFFIXES:
        return True
    first, _, rest = host.partition(".")
    # "co.uk", "com.au": a generic label under a two-letter country code.
    return first in _GENERIC_SECOND_LEVEL and len(rest) == 2 and rest.isalpha()


def _add_regex(
    pattern: re.Pattern[str],
    source: str,
    rules: OriginRules,
    credentials: bool,
    insecure: bool,
) -> None:
    if all(pattern.fullmatch(p) for p in _PROBES):
        # A match-all regex (Flask-CORS users write ".*") means "*".
        rules.any = True
        rules.entries.append(pattern)
        return

    if _OPEN_END.search(source) or _matches_longer_host(pattern, source):
        rules.problems.append(
            f"origins: the regex {source!r} ends in an unbounded wildcard, so"
            " it also matches hosts that only start with your origin, such as"
            " 'https://example.com.evil.net'; end the pattern at the host (an"
            r" optional port is r'(:\d+)?'), or use 'https://*.example.com'"
        )
        return

    glued = _GLUED_WILDCARD.search(source)
    if glued:
        rules.problems.append(
            f"origins: in the regex {source!r} the wildcard {glued.group(1)!r}"
            " can stop in the middle of a host name, so it also matches"
            " domains anyone can register, such as 'https://evilexample.com';"
            r" end the wildcard at a dot, as in r'https://.*\.example\.com',"
            " or use 'https://*.example.com'"
        )
        return

    lowered = source.lstrip("^").lower()
    if credentials and not insecure and re.match(r"(?:https\?|http:)", lowered):
        rules.problems.append(
            f"origins: the regex {source!r} trusts plain-http origins with"
            " credentials; a network attacker can inject script into such a"
            " page. Match 'https://' only, or set allow_insecure_origins=True"
            " if you accept the risk"
        )
        return

    if _LOOSE_DOT.search(source):
        rules.warnings.append(
            f"origins: in the regex {source!r} an unescaped '.' matches any"
            " character, so 'www.example.com' also matches 'wwwXexample.com';"
            r" escape it as '\.'"
        )
    rules.regexes.append(pattern)
    rules.entries.append(pattern)


def regex_literal_prefix(source: str) -> str:
    """The text every match of the regex ``source`` starts with.

    Escapes count as the character they escape; the scan stops at the first
    metacharacter, and drops the character before ``*``, ``?`` or ``{``,
    which may be absent.
    """
    literal: list[str] = []
    chars = iter(source.lstrip("^"))
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if not escaped or escaped.isalnum():
                break
            literal.append(escaped)
        elif char in ".^$*+?{}[]|()":
            if char in "*?{" and literal:
                literal.pop()
            break
        else:
            literal.append(char)
    return "".join(literal)


def _matches_longer_host(pattern: re.Pattern[str], source: str) -> bool:
    """Tell whether a regex that accepts the origin it starts with also
    accepts that origin followed by more host, the prefix-match flaw.
    """
    origin = regex_literal_prefix(source)
    if not pattern.fullmatch(origin) or canonical_origin(origin.lower())[1]:
        return False
    return any(pattern.fullmatch(origin + probe) for probe in _SUFFIX_PROBES)


def is_same_origin(origin: str, scheme: str, host: str) -> bool:
    """Tell whether ``origin`` is the origin of a request to ``scheme://host``.

    For a WebSocket handshake, whose page origin is http(s): ``ws`` and
    ``wss`` map to ``http`` and ``https``, and the scheme's default port is
    dropped from ``host``, as a browser serialises origins ("Origin"
    header). Compared case-insensitively, like every origin here.
    """
    scheme = "https" if scheme in ("wss", "https") else "http"
    host = host.lower()
    default_port = f":{DEFAULT_PORTS[scheme]}"
    if host.endswith(default_port):
        host = host[: -len(default_port)]
    return origin.lower() == f"{scheme}://{host}"


def compile_wildcards(sources: list[str]) -> re.Pattern[str] | None:
    """Join the wildcard patterns into one alternation, matched once."""
    if not sources:
        return None
    return re.compile("|".join(f"(?:{s})" for s in sources))
