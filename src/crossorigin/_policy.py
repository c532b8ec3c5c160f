"""The sans-IO core: a validated ``Policy`` and its ``decide`` method.

Rules for this module, so that both adapters can trust it:

1. It imports no web framework, performs no I/O and does not log. What a
   decision means is carried by ``Decision.reason``; the adapters log it.
2. It keeps no mutable global state. A ``Policy``'s settings and answers are
   fixed once built, so it can be shared between apps, threads, event loops
   and frameworks; all it changes later is a bounded memo of the answers it
   gave to unlisted origins (``SEEN_LIMIT``), which gives no other answer.
3. Everything that does not depend on the request is computed when the
   ``Policy`` is built: validated and canonical origins, compiled patterns,
   joined header values, even whole header tuples. ``decide`` does only what
   the request's own headers make necessary.

Section names in comments refer to the WHATWG Fetch standard.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from ._errors import ConfigError
from ._origins import (
    MAX_ORIGIN_LENGTH,
    ORIGIN_GRAMMAR,
    REGEX_CHARS,
    compile_wildcards,
    is_loopback_host,
    parse_origins,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Decision", "DecisionOptions", "Policy"]

# -- Tables -----------------------------------------------------------------

#: Flask-CORS's default ``methods``.
DEFAULT_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")

#: CORS-safelisted methods never need to be allowed by a preflight
#: ("CORS-preflight fetch", step 7.5).
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})

#: Methods a browser refuses to send ("forbidden method").
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})

#: Request headers a script can never set ("forbidden request-header"), so
#: allowing them is a configuration mistake.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
FORBIDDEN_REQUEST_PREFIXES = ("proxy-", "sec-")

#: Response headers script can never read ("forbidden response-header name").
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})

#: Browsers cap the preflight cache: Firefox at 86400 s, Chromium at 7200 s.
MAX_AGE_CAP = 86400

#: ``Access-Control-Request-Headers`` longer than this is refused unparsed. A
#: browser sends each unsafe header name once, lower-cased and sorted
#: ("CORS-preflight fetch", step 5); real requests stay far below this.
MAX_REQUEST_HEADERS_LENGTH = 4096
#: How many origins that are not listed as sent (case variants included) a
#: policy remembers the answer for: a few hundred bytes each, as origins are
#: at most MAX_ORIGIN_LENGTH long. When full, it forgets them all, so that
#: requests from ever new origins cannot grow memory.
SEEN_LIMIT = 128

_TOKEN_CHARS = r"!#$%&'*+.^_`|~0-9A-Za-z-"
TOKEN = re.compile(f"[{_TOKEN_CHARS}]+")
# A comma-separated list of tokens with optional white space; unambiguous, so
# matching it is one linear pass.
_TOKEN_LIST = re.compile(f"[{_TOKEN_CHARS}]+(?:[ \\t]*,[ \\t]*[{_TOKEN_CHARS}]+)*")

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"

Headers = tuple[tuple[str, str], ...]


class DecisionOptions(TypedDict, total=False):
    """The keyword options of ``Policy`` (and of ``CORS``/``cross_origin``)."""

    origins: Any
    methods: str | Iterable[str]
    allow_headers: str | re.Pattern[str] | Iterable[str | re.Pattern[str]]
    expose_headers: str | Iterable[str] | None
    supports_credentials: bool
    max_age: int | str | datetime.timedelta | None
    send_wildcard: bool
    vary_header: bool
    always_send: bool
    allow_private_network: bool
    allow_null_origin: bool
    allow_insecure_origins: bool


DEFAULTS: Mapping[str, object] = MappingProxyType(
    {
        "origins": "*",
        "methods": DEFAULT_METHODS,
        "allow_headers": "*",
        "expose_headers": None,
        "supports_credentials": False,
        "max_age": None,
        "send_wildcard": False,
        "vary_header": True,
        "always_send": True,
        "allow_private_network": False,
        "allow_null_origin": False,
        "allow_insecure_origins": False,
    }
)
DECISION_OPTIONS = frozenset(DEFAULTS)
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "1", "0", "on", "off"})
_BOOLEAN_OPTIONS = (
    "supports_credentials",
    "send_wildcard",
    "vary_header",
    "always_send",
    "allow_private_network",
    "allow_null_origin",
    "allow_insecure_origins",
)

#: Names people write for our options, from typos, Flask-CORS habits and
#: quart-cors, each with the option to write instead.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "origin": "origins",
        "allow_origin": "origins",
        "allow_origins": "origins",
        "allowed_origins": "origins",
        "support_credentials": "supports_credentials",
        "allow_credentials": "supports_credentials",
        "credentials": "supports_credentials",
        "allow_methods": "methods",
        "allowed_methods": "methods",
        "method": "methods",
        "headers": "allow_headers",
        "allowed_headers": "allow_headers",
        "expose_header": "expose_headers",
        "send_origin_wildcard": "send_wildcard",
        "maxage": "max_age",
        "vary": "vary_header",
    }
)


def guess_option(name: str, known: Iterable[str]) -> str | None:
    """Return the known option an unknown ``name`` most likely means."""
    known = sorted(known)
    guess = ALIASES.get(name)
    if guess is None or guess not in known:
        close = difflib.get_close_matches(name, known, n=1)
        guess = close[0] if close else None
    return guess


def suggest_option(name: str, known: Iterable[str]) -> str:
    """Return a "did you mean" suffix for an unknown option name."""
    guess = guess_option(name, known)
    if guess is None:
        return f"; the options are: {', '.join(sorted(known))}"
    return f"; did you mean {guess}=?"


# -- The decision -------------------------------------------------------------


class Decision(NamedTuple):
    """What to do with one request: plain data, computed by ``Policy.decide``.

    ``headers`` are the ``(name, value)`` pairs to add to the response (a
    ``Vary`` pair is to be merged into any existing ``Vary``). ``preflight``
    tells whether the request was a CORS preflight, ``allowed`` whether the
    origin (and, for a preflight, the method and headers) were granted.
    ``status`` is the status to answer a preflight with, and ``None`` for any
    other request, whose response comes from the application. ``reason`` is
    a short plain-text explanation, fit for a log line.
    """

    headers: Headers
    preflight: bool
    allowed: bool
    status: int | None
    reason: str

    @property
    def awaits_origin_check(self) -> bool:
        """A refusal that the policy's async origin callables may overturn.

        The adapter then awaits ``Policy.decide_async`` (Quart) or runs it
        through ``ensure_sync`` (Flask); ignoring it leaves a refusal.
        """
        return self.reason is AWAITING_ORIGIN_CHECK


# Reasons are constants: building a string per request would cost more than
# the decision itself. Request values are logged separately, with %r.
NO_ORIGIN = "no Origin header: not a CORS request"
ALLOWED = "origin allowed"
ANY_ORIGIN = "every origin is allowed"
REFUSED_ORIGIN = "origin not allowed"
MALFORMED_ORIGIN = "Origin header is not a serialised origin"
DUPLICATE_ORIGIN = "more than one Origin header"
NULL_ORIGIN = "origin 'null' is not allowed (allow_null_origin=False)"
PREFLIGHT_OK = "preflight allowed"
BAD_METHOD = "requested method not allowed"
BAD_HEADERS = "a requested header is not allowed"
LONG_HEADERS = "Access-Control-Request-Headers too long"
INSECURE_ORIGIN = (
    "plain-http origin refused with credentials (allow_insecure_origins=False)"
)
AWAITING_ORIGIN_CHECK = "origin not listed; the async origin check decides"

#: Every reason to refuse; the refusals are built with the policy, so that
#: refusing costs one dict lookup.
REFUSALS = (
    REFUSED_ORIGIN,
    AWAITING_ORIGIN_CHECK,
    MALFORMED_ORIGIN,
    DUPLICATE_ORIGIN,
    NULL_ORIGIN,
    INSECURE_ORIGIN,
    BAD_METHOD,
    BAD_HEADERS,
    LONG_HEADERS,
)

# NamedTuple's generated __new__ is a Python function; building the tuple
# directly halves the cost of the one Decision made per allowed request.
_new_decision = tuple.__new__

_DUPLICATE = "\x00duplicate"

#: Lengths of "Origin" and the three Access-Control-Request-* names: a
#: cheap first filter on the request's header names.
_FACT_NAME_LENGTHS = frozenset({6, 29, 30, 38})


def request_facts(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[str | None, str | None, str | None, str | None]:
    """Extract Origin, ACRM, ACRH and ACRPN from request headers.

    ``headers`` is Werkzeug's ``Headers`` (Flask and Quart use it), any
    other mapping, or ``(name, value)`` pairs. Two ``Origin`` lines yield a
    value that is never allowed.
    """
    environ = getattr(headers, "environ", None)
    if environ is not None:
        # WSGI (Werkzeug's EnvironHeaders): read the environ directly. The
        # server has already joined repeated lines into one value, which is
        # never a valid origin.
        return (
            environ.get("HTTP_ORIGIN"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )

    return pair_facts(headers.items() if isinstance(headers, Mapping) else headers)


def origin_of(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The ``Origin`` of request headers given as ``(name, value)`` pairs.

    All an actual request's decision needs: ``None`` when absent, a value
    never allowed when the header is sent twice.
    """
    origin = None
    for name, value in pairs:
        if len(name) == 6 and name.lower() == "origin":
            origin = value if origin is None else _DUPLICATE
    return origin


def pair_facts(
    pairs: Iterable[tuple[str, str]],
) -> tuple[str | None, str | None, str | None, str | None]:
    """``request_facts`` of request headers given as ``(name, value)`` pairs.

    Werkzeug's ``Headers`` (Quart's request headers) iterates as pairs, so
    an adapter that holds one calls this directly.
    """
    origin = acrm = acrh = acrpn = None
    more_acrh: list[str] | None = None
    for name, value in pairs:
        if len(name) not in _FACT_NAME_LENGTHS:
            # Most of a browser's dozen headers end here, unlowered.
            continue
        key = name.lower()
        if key == "origin":
            origin = value if origin is None else _DUPLICATE
        elif not key.startswith("access-control-request-"):
            continue
        elif key == "access-control-request-method":
            acrm = value if acrm is None else acrm
        elif key == "access-control-request-headers":
            # Fetch joins repeated lines with ", " ("header list get"). The
            # lines are joined once, after the loop: appending to a growing
            # string would make many repeated lines cost quadratic time.
            if acrh is None:
                acrh = value
            elif more_acrh is None:
                more_acrh = [acrh, value]
            else:
                more_acrh.append(value)
        elif key == "access-control-request-private-network":
            acrpn = value if acrpn is None else acrpn
    if more_acrh is not None:
        acrh = ", ".join(more_acrh)
    return origin, acrm, acrh, acrpn


# -- The policy ---------------------------------------------------------------


class Policy:
    """An immutable, validated CORS policy.

    Build it once, from the same keyword options as Flask-CORS (``origins``,
    ``methods``, ``allow_headers``, ...), and share it between apps and
    frameworks. Every problem of the configuration is reported in a single
    :class:`ConfigError`; settings that are risky but allowed are listed in
    :attr:`warnings`, which the framework glue logs.
    """

    __slots__ = (
        "_acam",
        "_actual_tail",
        "_any",
        "_async_checks",
        "_exact",
        "_header_patterns",
        "_headers",
        "_headers_any",
        "_methods",
        "_methods_any",
        "_no_origin",
        "_null",
        "_pna",
        "_preflight_head",
        "_preflight_refusals",
        "_preflight_tail",
        "_refusals",
        "_regexes",
        "_secure_only",
        "_seen",
        "_settings",
        "_static",
        "_sync_checks",
        "_vary",
        "_wildcard",
        "_wildcard_actual",
        "warnings",
    )

    warnings: tuple[str, ...]
    _settings: Mapping[str, object]
    _any: bool
    _static: bool
    _null: bool
    _exact: dict[str, Decision]
    _seen: dict[str, Decision]
    _wildcard: re.Pattern[str] | None
    _regexes: tuple[re.Pattern[str], ...]
    _sync_checks: tuple[Callable[[str], Any], ...]
    _async_checks: tuple[Callable[[str], Any], ...]
    _methods_any: bool
    _methods: frozenset[str]
    _acam: str
    _headers_any: bool
    _headers: frozenset[str]
    _header_patterns: tuple[re.Pattern[str], ...]
    _pna: bool
    _secure_only: bool
    _vary: bool
    _no_origin: Decision
    _refusals: dict[str, Decision]
    _preflight_refusals: dict[str, Decision]
    _wildcard_actual: Decision
    _actual_tail: Headers
    _preflight_head: Headers
    _preflight_tail: Headers

    def __init__(self, **options: Unpack[DecisionOptions]) -> None:
        unknown = sorted(set(options) - DECISION_OPTIONS)
        problems = [
            f"{name}: unknown option{suggest_option(name, DECISION_OPTIONS)}"
            for name in unknown
        ]
        given = {k: v for k, v in options.items() if k not in unknown}
        settings = {**DEFAULTS, **given}
        warnings: list[str] = []
        build = _Builder(settings, problems, warnings)
        if problems:
            raise ConfigError(problems)

        set_ = object.__setattr__
        set_(self, "_settings", MappingProxyType(build.settings))
        set_(self, "warnings", tuple(warnings))
        for name, value in build.attributes.items():
            set_(self, name, value)

    # -- Python protocol ----------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        msg = "Policy is immutable; build a new one with Policy.replace(...)"
        raise AttributeError(msg)

    def __delattr__(self, name: str) -> None:
        msg = "Policy is immutable"
        raise AttributeError(msg)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        return _restore, (dict(self._settings),)

    def __repr__(self) -> str:
        changed = [
            f"{name}={value!r}"
            for name, value in self._settings.items()
            if _normalised_default(name) != value
        ]
        return f"Policy({', '.join(changed)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._settings == other._settings

    def __hash__(self) -> int:
        return hash(tuple(sorted(map(repr, self._settings.items()))))

    # -- Public helpers -----------------------------------------------------

    @property
    def settings(self) -> Mapping[str, object]:
        """The effective options, normalised (canonical origins, tuples)."""
        return self._settings

    def replace(self, **changes: Unpack[DecisionOptions]) -> Policy:
        """Return a new policy with some options changed."""
        options: dict[str, Any] = {**self._settings, **changes}
        return Policy(**options)

    @property
    def has_async_origin_check(self) -> bool:
        """Whether ``origins`` holds an async callable the adapter must await."""
        return bool(self._async_checks)

    async def check_origin_async(self, origin: str) -> bool:
        """Await the async origin callables for ``origin``.

        The adapters pass the result to :meth:`decide` as ``origin_allowed``.
        An exception or any result other than ``True`` refuses. ``null`` and
        values that are not a serialised origin never reach a callable.
        """
        if not _callable_may_see(origin):
            return False
        for check in self._async_checks:
            try:
                if await check(origin) is True:
                    return True
            except Exception:  # noqa: BLE001, S112 - a failing check refuses
                continue
        return False

    async def decide_async(
        self,
        method: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
    ) -> Decision:
        """``decide``, awaiting the async origin callables when they matter.

        They run only for an origin that nothing else in ``origins`` allows
        (the decision ``awaits_origin_check``), and their result is passed
        back to ``decide`` as ``origin_allowed``.
        """
        decision = self.decide(method, headers)
        if decision.reason is not AWAITING_ORIGIN_CHECK:
            return decision
        origin = request_facts(headers)[0]
        allowed = await self.check_origin_async(origin) if origin else False
        return self.decide(method, headers, origin_allowed=allowed)

    # -- The decision ---------------------------------------------------------

    def decide(
        self,
        method: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        origin_allowed: bool | None = None,
    ) -> Decision:
        """Decide the CORS response to one request.

        ``method`` is the request method as received; ``headers`` the request
        headers (a mapping, Werkzeug ``Headers`` or ``(name, value)`` pairs).
        ``origin_allowed`` is the awaited result of an async origin callable
        (see :meth:`check_origin_async`); sync callables are called here.
        """
        origin, acrm, acrh, acrpn = request_facts(headers)
        return self.decide_facts(method, origin, acrm, acrh, acrpn, origin_allowed)

    def listed_decisions(self) -> dict[str, Decision]:
        """The decision of an actual request from each listed origin.

        Exactly what :meth:`decide_facts` returns for a method other than
        ``OPTIONS`` and an ``Origin`` that is a key; a new dict, so that a
        caller on a hot path can look the answer up without a call. Empty
        when ``"*"`` with ``send_wildcard`` answers every origin alike.
        """
        return dict(self._exact)

    def decide_facts(
        self,
        method: str,
        origin: str | None,
        acrm: str | None = None,
        acrh: str | None = None,
        acrpn: str | None = None,
        origin_allowed: bool | None = None,
    ) -> Decision:
        """Decide from the four request headers CORS reads, already extracted."""
        if origin is None:
            return self._no_origin
        if method != "OPTIONS":
            # The common case first: an actual request from a listed origin,
            # sent in the canonical form the exact set holds. Its decision was
            # built with the policy.
            decision = self._exact.get(origin) or self._seen.get(origin)
            if decision is not None:
                return decision

        # "CORS-preflight request": OPTIONS with Origin and ACRM, nothing less.
        preflight_method = acrm if method == "OPTIONS" else None
        if self._static:
            if preflight_method is None:
                return self._wildcard_actual
            return self._preflight("*", preflight_method, acrh, acrpn)

        # Browsers send origins in the canonical form the exact set holds,
        # so a listed origin is found without any other check.
        reason = (
            ALLOWED
            if origin in self._exact or origin in self._seen
            else self._match_origin(origin, origin_allowed)
        )
        if reason is not ALLOWED:
            if preflight_method is None:
                return self._refusals[reason]
            return self._preflight_refusals[reason]

        if preflight_method is not None:
            return self._preflight(origin, preflight_method, acrh, acrpn)
        # _match_origin has just remembered an origin the settings allow.
        # Built anew: an origin a callable, origin_allowed or allow_null_origin
        # allowed, and any origin of an OPTIONS request that is no preflight.
        return self._seen.get(origin) or self._allowed_actual(origin)

    def _match_origin(self, origin: str, origin_allowed: bool | None) -> str:
        if len(origin) > MAX_ORIGIN_LENGTH:
            return MALFORMED_ORIGIN
        if origin == "null":
            # Fetch: opaque origins serialise as "null", shared by sandboxed
            # documents and cross-origin redirects alike; never matched by
            # "*", a regex or a callable.
            return ALLOWED if self._null else NULL_ORIGIN
        if origin is _DUPLICATE:
            return DUPLICATE_ORIGIN

        if not origin.isascii():
            # Browsers send hosts in Punycode. Checked first because
            # lower() and IGNORECASE fold some non-ASCII letters (the
            # Kelvin sign) into ASCII ones, and a header value that is not
            # Latin-1 cannot even be written by a WSGI server.
            return MALFORMED_ORIGIN

        lowered = origin.lower()
        if lowered in self._exact:
            return self._remember(origin)
        if self._wildcard is not None and self._wildcard.fullmatch(lowered):
            return self._remember(origin)
        if not ORIGIN_GRAMMAR.fullmatch(origin):
            # Never echo or hand to user code what is not an origin: a value
            # with CR, LF or NUL would be a header injection.
            return MALFORMED_ORIGIN
        if self._secure_only and _insecure(lowered):
            # Exact origins and wildcards are checked when the policy is
            # built; what a regex or callable accepts is only known now.
            return INSECURE_ORIGIN
        if self._any:
            return self._remember(origin)
        for pattern in self._regexes:
            if pattern.fullmatch(origin):
                return self._remember(origin)
        # What a callable answers may change from one request to the next,
        # so it is asked every time and never remembered.
        if origin_allowed is True:
            return ALLOWED
        for check in self._sync_checks:
            try:
                if check(origin) is True:
                    return ALLOWED
            except Exception:  # noqa: BLE001, S112 - a failing check refuses
                continue
        if self._async_checks and origin_allowed is None:
            return AWAITING_ORIGIN_CHECK
        return REFUSED_ORIGIN

    def _remember(self, origin: str) -> str:
        """Keep the answer to an origin the settings alone allow.

        The checks above cost more than the rest of the decision; browsers
        send one origin many times. Only this method writes ``_seen``: about
        ``SEEN_LIMIT`` entries at most, whatever origins requests carry (a
        few more while threads race between the check and the insert).
        """
        seen = self._seen
        if len(seen) >= SEEN_LIMIT:
            seen.clear()
        seen[origin] = self._allowed_actual(origin)
        return ALLOWED

    def _allowed_actual(self, origin: str) -> Decision:
        """The decision of an actual request from an allowed ``origin``."""
        return _new_decision(
            Decision, (((ACAO, origin), *self._actual_tail), False, True, None, ALLOWED)
        )

    def _preflight(
        self, acao: str, acrm: str, acrh: str | None, acrpn: str | None
    ) -> Decision:
        # Methods compare case-insensitively; browsers upper-case only the
        # standard methods and send others ("patch") as typed ("Methods").
        if self._methods_any:
            if not TOKEN.fullmatch(acrm):
                return self._preflight_refusals[BAD_METHOD]
            acam: str = acrm
        else:
            # Only ASCII is upper-cased: upper() folds some other letters
            # into ASCII ones ("ß" into "SS"). An ASCII value whose upper
            # case is a listed method is a token, safe to echo in ACAM.
            upper = acrm.upper() if acrm.isascii() else ""
            if upper not in self._methods and upper not in SAFELISTED_METHODS:
                return self._preflight_refusals[BAD_METHOD]
            acam = self._acam
            if acrm != upper and upper not in SAFELISTED_METHODS:
                # The browser compares ACAM case-sensitively (step 7.5), so
                # also name the method exactly as it was requested.
                acam = f"{acam}, {acrm}"

        headers: list[tuple[str, str]] = [(ACAO, acao), *self._preflight_head]
        if acam:
            headers.append((ACAM, acam))

        if acrh is not None:
            requested = acrh.strip(" \t")
            if requested:
                if len(requested) > MAX_REQUEST_HEADERS_LENGTH:
                    return self._preflight_refusals[LONG_HEADERS]
                if not self._headers_allowed(requested):
                    return self._preflight_refusals[BAD_HEADERS]
                # Echo the requested names rather than "*": a bare "*" never
                # covers Authorization (step 7.7) and is literal with
                # credentials.
                headers.append((ACAH, requested))

        headers.extend(self._preflight_tail)
        if self._pna and acrpn == "true":
            headers.append((ACAPN, "true"))
        if self._vary:
            headers.append(("Vary", "Origin"))
        return _new_decision(Decision, (tuple(headers), True, True, 200, PREFLIGHT_OK))

    def _headers_allowed(self, requested: str) -> bool:
        allowed = self._headers
        # Browsers send lower-case names joined by bare commas ("CORS-unsafe
        # request-header names"). If each is a listed name, the value is a
        # list of tokens; ASCII only, as lower() folds the Kelvin sign.
        if requested.isascii() and allowed.issuperset(requested.lower().split(",")):
            return True

        if not _TOKEN_LIST.fullmatch(requested):
            return False
        if self._headers_any:
            return True
        # The list is made of tokens, so spaces and tabs only surround commas.
        names = requested.lower().replace(" ", "").replace("\t", "").split(",")
        patterns = self._header_patterns
        for name in names:
            if name in allowed:
                continue
            if not any(p.fullmatch(name) for p in patterns):
                return False
        return True


def _insecure(origin: str) -> bool:
    """Tell whether a lower-cased origin is plain http and not loopback."""
    if not origin.startswith("http://"):
        return False
    authority = origin[7:]
    if authority.startswith("["):
        host = authority.partition("]")[0] + "]"
    else:
        host = authority.partition(":")[0]
    return not is_loopback_host(host)


def _callable_may_see(origin: str) -> bool:
    return (
        origin != "null"
        and len(origin) <= MAX_ORIGIN_LENGTH
        and ORIGIN_GRAMMAR.fullmatch(origin) is not None
    )


def _restore(settings: dict[str, Any]) -> Policy:
    return Policy(**settings)


def _normalised_default(name: str) -> object:
    return _DEFAULT_SETTINGS[name]


# -- Validation ---------------------------------------------------------------


class _Builder:
    """Validate the options and compute everything ``decide`` needs."""

    def __init__(
        self, settings: dict[str, Any], problems: list[str], warnings: list[str]
    ) -> None:
        self.settings = settings
        self.problems = problems
        self.warnings = warnings
        self.attributes: dict[str, object] = {}

        for name in _BOOLEAN_OPTIONS:
            self._check_bool(name)
        credentials = settings["supports_credentials"] is True

        origins = parse_origins(
            settings["origins"],
            credentials=credentials,
            allow_null=settings["allow_null_origin"] is True,
            allow_insecure=settings["allow_insecure_origins"] is True,
        )
        problems.extend(origins.problems)
        warnings.extend(origins.warnings)
        if origins.entries:
            settings["origins"] = tuple(origins.entries)

        methods_any, methods = self._methods()
        headers_any, header_names, header_patterns = self._allow_headers()
        expose = self._expose_headers(credentials)
        max_age = self._max_age()
        if settings["allow_private_network"] is True and origins.any:
            problems.append(
                "allow_private_network: True with an origins setting that"
                " allows every origin would let any public website reach this"
                " private-network service; list the allowed origins"
            )
        if problems:
            return

        vary = settings["vary_header"] is True
        static = origins.any and settings["send_wildcard"] is True
        # "CORS protocol and HTTP caches": only a response that is the same
        # for every Origin, present or absent, may go without Vary: Origin.
        origin_independent = static and settings["always_send"] is True
        vary_pair = (("Vary", "Origin"),) if vary and not origin_independent else ()
        credential_pair = ((ACAC, "true"),) if credentials else ()
        expose_pair = ((ACEH, expose),) if expose else ()
        max_age_pair = ((ACMA, str(max_age)),) if max_age is not None else ()
        actual_tail = (*credential_pair, *expose_pair, *vary_pair)

        # Without an Origin header ("CORS protocol and HTTP caches"): a
        # policy that would grant every origin can say "*" to everyone.
        if settings["always_send"] is True and origins.any and not credentials:
            no_origin = Decision(
                ((ACAO, "*"), *expose_pair, *vary_pair), False, True, None, NO_ORIGIN
            )
        else:
            no_origin = Decision(vary_pair, False, False, None, NO_ORIGIN)

        self.attributes = {
            "_any": origins.any,
            "_static": static,
            "_null": origins.null,
            # Each listed origin with the decision an actual request from it
            # gets: the same for every such request, so built once, here.
            # Beside "*" with send_wildcard, every origin gets "*", listed or
            # not: echoing a listed one would vary the answer on Origin, and
            # with always_send such a policy sends no Vary, so a cache would
            # serve that answer to other origins.
            "_exact": {
                origin: Decision(
                    ((ACAO, origin), *actual_tail), False, True, None, ALLOWED
                )
                for origin in (() if static else origins.exact)
            },
            # Filled per origin by Policy._remember, never by the builder.
            "_seen": {},
            "_wildcard": compile_wildcards(origins.wildcards),
            "_regexes": tuple(origins.regexes),
            "_sync_checks": tuple(origins.sync_callables),
            "_async_checks": tuple(origins.async_callables),
            "_methods_any": methods_any,
            "_methods": frozenset(methods),
            "_acam": ", ".join(methods),
            "_headers_any": headers_any,
            "_headers": frozenset(header_names),
            "_header_patterns": tuple(header_patterns),
            "_pna": settings["allow_private_network"] is True,
            "_secure_only": credentials
            and settings["allow_insecure_origins"] is not True,
            "_vary": bool(vary_pair),
            "_no_origin": no_origin,
            "_refusals": {
                reason: Decision(vary_pair, False, False, None, reason)
                for reason in REFUSALS
            },
            # Fetch ("HTTP responses") lets a server deny a preflight with 403
            # and no CORS headers; the browser then fails the request.
            "_preflight_refusals": {
                reason: Decision(vary_pair, True, False, 403, reason)
                for reason in REFUSALS
            },
            "_actual_tail": actual_tail,
            "_preflight_head": credential_pair,
            "_preflight_tail": max_age_pair,
            # Empty vary_pair unless always_send=False, where the answer
            # without an Origin differs and caches must know it.
            "_wildcard_actual": Decision(
                ((ACAO, "*"), *expose_pair, *vary_pair), False, True, None, ANY_ORIGIN
            ),
        }

    def _check_bool(self, name: str) -> None:
        value = self.settings[name]
        if isinstance(value, bool):
            return
        hint = ""
        if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
            hint = " (a string from an environment variable? convert it first)"
        self.problems.append(
            f"{name}: {value!r} is not a boolean{hint}; write {name}=True or"
            f" {name}=False"
        )

    def _split(self, name: str, value: object) -> list[Any] | None:
        if isinstance(value, str):
            return [v for v in re.split(r"[,\s]+", value) if v]
        if isinstance(value, re.Pattern):
            return [value]
        if isinstance(value, Iterable):
            return list(value)
        self.problems.append(
            f"{name}: {value!r} is not a string or a list of strings;"
            f" write for example {name}=['X-Requested-With']"
        )
        return None

    def _methods(self) -> tuple[bool, list[str]]:
        items = self._split("methods", self.settings["methods"])
        if items is None:
            return False, []
        if "*" in items:
            self.settings["methods"] = "*"
            return True, []

        methods: list[str] = []
        for item in items:
            if not isinstance(item, str) or not TOKEN.fullmatch(item):
                self.problems.append(
                    f"methods: {item!r} is not an HTTP method name; write"
                    " methods like ['GET', 'POST']"
                )
                continue
            method = item.upper()
            if method in FORBIDDEN_METHODS:
                self.warnings.append(
                    f"methods: {item!r} is never sent by browsers (a forbidden"
                    " method in Fetch); it is ignored"
                )
            elif method not in methods:
                methods.append(method)
        self.settings["methods"] = tuple(methods)
        return False, methods

    def _allow_headers(self) -> tuple[bool, list[str], list[re.Pattern[str]]]:
        items = self._split("allow_headers", self.settings["allow_headers"])
        if items is None:
            return False, [], []
        if "*" in items:
            self.settings["allow_headers"] = "*"
            return True, [], []

        names: list[str] = []
        patterns: list[re.Pattern[str]] = []
        kept: list[object] = []
        for item in items:
            if isinstance(item, re.Pattern):
                patterns.append(item)
                kept.append(item)
            elif not isinstance(item, str):
                self.problems.append(
                    f"allow_headers: {item!r} is not a header name; write names"
                    " like ['Content-Type', 'Authorization']"
                )
            elif REGEX_CHARS & set(item) or "*" in item:
                try:
                    patterns.append(re.compile(item, re.IGNORECASE))
                    kept.append(item)
                except re.error as exc:
                    self.problems.append(
                        f"allow_headers: {item!r} looks like a regular expression"
                        f" but does not compile ({exc}); write plain header names"
                    )
            elif not TOKEN.fullmatch(item):
                self.problems.append(
                    f"allow_headers: {item!r} is not a valid header name; write"
                    " names like ['Content-Type', 'Authorization']"
                )
            elif _forbidden_request_header(item.lower()):
                self.warnings.append(
                    f"allow_headers: {item!r} is a header browsers never let a"
                    " script send (a forbidden request-header in Fetch);"
                    " it is dropped"
                )
            elif item.lower() not in names:
                names.append(item.lower())
                kept.append(item)
        self.settings["allow_headers"] = tuple(kept)
        return False, names, patterns

    def _expose_headers(self, credentials: bool) -> str:
        value = self.settings["expose_headers"]
        if value is None:
            return ""
        items = self._split("expose_headers", value)
        if items is None:
            return ""

        names: list[str] = []
        for item in items:
            if item == "*" and credentials:
                self.problems.append(
                    "expose_headers: '*' with supports_credentials=True is read"
                    " by browsers as a header literally named '*'"
                    " ('CORS protocol and credentials'); list the header names"
                )
            elif not isinstance(item, str) or not TOKEN.fullmatch(item):
                self.problems.append(
                    f"expose_headers: {item!r} is not a valid header name; write"
                    " names like ['X-Total-Count']"
                )
            elif item.lower() in FORBIDDEN_RESPONSE_HEADERS:
                self.warnings.append(
                    f"expose_headers: {item!r} can never be read by a script"
                    " (a forbidden response-header name in Fetch); it is dropped"
                )
            elif item.lower() not in (n.lower() for n in names):
                names.append(item)
        self.settings["expose_headers"] = tuple(names) if names else None
        return ", ".join(names)

    def _max_age(self) -> int | None:
        value = self.settings["max_age"]
        if value is None:
            return None
        seconds: int | None = None
        if isinstance(value, datetime.timedelta):
            seconds = int(value.total_seconds())
        elif isinstance(value, int) and not isinstance(value, bool):
            seconds = value
        elif isinstance(value, str) and value.strip().isdigit():
            seconds = int(value.strip())
        if seconds is None:
            self.problems.append(
                f"max_age: {value!r} is not a number of seconds; write an int,"
                " a string of digits or a datetime.timedelta, as in max_age=600"
            )
            return None
        if seconds < 0:
            self.problems.append(
                f"max_age: {value!r} is negative; write 0 to disable preflight"
                " caching, or a number of seconds such as 600"
            )
            return None
        if seconds > MAX_AGE_CAP:
            self.warnings.append(
                f"max_age: {value!r} is more than browsers keep a preflight"
                " (Firefox 86400 s, Chromium 7200 s); they cap it"
            )
        self.settings["max_age"] = seconds
        return seconds


def _forbidden_request_header(name: str) -> bool:
    return name in FORBIDDEN_REQUEST_HEADERS or name.startswith(
        FORBIDDEN_REQUEST_PREFIXES
    )


# The defaults as a policy normalises them, for repr; built once, at import.
_DEFAULT_SETTINGS: Mapping[str, object] = Policy().settings
