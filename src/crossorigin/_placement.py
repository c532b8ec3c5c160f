"""Where policies apply: options, ``CORS_*`` keys, resources and resolution.

Framework-free, like the core: the adapters hand in plain values (the app's
config mapping, the endpoint's view function, blueprint names, the path) and
get back the one policy that governs a request. Everything is validated and
compiled when ``CORS``/``init_app``/``cross_origin`` run.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import ConfigError
from ._origins import regex_literal_prefix
from ._policy import (
    DECISION_OPTIONS,
    Decision,
    Policy,
    guess_option,
    suggest_option,
)

logger = logging.getLogger("crossorigin")

#: Options of ``CORS``/``cross_origin`` that say where and how a policy is
#: applied, with their defaults. They are not part of a ``Policy``.
PLACEMENT_DEFAULTS: Mapping[str, bool] = {
    "automatic_options": True,
    "intercept_exceptions": True,
    "check_websocket_origin": False,
    "debug": False,
}
PLACEMENT_OPTIONS = frozenset(PLACEMENT_DEFAULTS)
ALL_OPTIONS = DECISION_OPTIONS | PLACEMENT_OPTIONS | {"resources", "policy"}

CONFIG_PREFIX = "CORS_"

#: Config keys people set that we do not read, with the key to use instead.
CONFIG_REPLACEMENTS: Mapping[str, str] = {
    "CORS_HEADERS": "CORS_ALLOW_HEADERS",
    "CORS_ORIGIN": "CORS_ORIGINS",
    "CORS_SUPPORT_CREDENTIALS": "CORS_SUPPORTS_CREDENTIALS",
    "CORS_ALLOW_CREDENTIALS": "CORS_SUPPORTS_CREDENTIALS",
    "CORS_ALLOW_ORIGIN": "CORS_ORIGINS",
    "CORS_ALLOW_METHODS": "CORS_METHODS",
    "CORS_EXPOSE_HEADER": "CORS_EXPOSE_HEADERS",
    "QUART_CORS_ALLOW_ORIGIN": "CORS_ORIGINS",
    "QUART_CORS_ALLOW_CREDENTIALS": "CORS_SUPPORTS_CREDENTIALS",
    "QUART_CORS_ALLOW_METHODS": "CORS_METHODS",
    "QUART_CORS_ALLOW_HEADERS": "CORS_ALLOW_HEADERS",
    "QUART_CORS_EXPOSE_HEADERS": "CORS_EXPOSE_HEADERS",
    "QUART_CORS_MAX_AGE": "CORS_MAX_AGE",
    "QUART_CORS_SEND_ORIGIN_WILDCARD": "CORS_SEND_WILDCARD",
}


# -- Options ------------------------------------------------------------------


def check_option_names(options: Mapping[str, object], where: str) -> list[str]:
    """Return one problem per unknown option name, with a "did you mean"."""
    return [
        f"{name}: unknown option of {where}{suggest_option(name, ALL_OPTIONS)}"
        for name in sorted(set(options) - ALL_OPTIONS)
    ]


def config_options(config: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Read the ``CORS_*`` keys of an app's config.

    Returns the options they set (``None`` values are skipped, as
    Flask-CORS does) and a warning for each key that is not ours, naming the
    key to use instead.
    """
    options: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in config.items():
        if not isinstance(key, str):
            continue
        if key in CONFIG_REPLACEMENTS:
            warnings.append(
                f"config key {key} is not read by crossorigin; use"
                f" {CONFIG_REPLACEMENTS[key]} instead"
            )
        elif key.startswith("QUART_CORS_"):
            warnings.append(
                f"config key {key} is quart-cors's and is not read by"
                " crossorigin; use the matching CORS_* key (see the README)"
            )
        elif key.startswith(CONFIG_PREFIX):
            name = key[len(CONFIG_PREFIX) :].lower()
            if name in ALL_OPTIONS - {"policy"}:
                if value is not None:
                    options[name] = value
            else:
                known = ALL_OPTIONS - {"policy"}
                guess = guess_option(name, known)
                hint = (
                    f"did you mean {CONFIG_PREFIX}{guess.upper()}?"
                    if guess
                    else "the keys are "
                    + ", ".join(CONFIG_PREFIX + k.upper() for k in sorted(known))
                )
                warnings.append(
                    f"config key {key} is not a crossorigin setting and is"
                    f" ignored; {hint}"
                )
    return options, warnings


@dataclass(frozen=True)
class Placement:
    """The validated placement options of one ``CORS`` call or decorator."""

    automatic_options: bool = True
    intercept_exceptions: bool = True
    check_websocket_origin: bool = False
    debug: bool = False


def split_options(
    options: Mapping[str, Any], problems: list[str]
) -> tuple[dict[str, Any], Placement]:
    """Separate decision options from placement options and check the latter."""
    decision = {k: v for k, v in options.items() if k in DECISION_OPTIONS}
    placement: dict[str, bool] = {}
    for name, default in PLACEMENT_DEFAULTS.items():
        value = options.get(name, default)
        if not isinstance(value, bool):
            problems.append(
                f"{name}: {value!r} is not a boolean; write {name}=True or {name}=False"
            )
            value = default
        placement[name] = value
    return decision, Placement(**placement)


# -- Resources ----------------------------------------------------------------

_PATH_REGEX_CHARS = frozenset("\\[]()?$^|+{}*")


@dataclass(frozen=True)
class Rule:
    """One ``resources`` entry: a compiled path pattern and its policy."""

    pattern: str
    regex: re.Pattern[str]
    prefix: str
    policy: Policy

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


def compile_path(pattern: str | re.Pattern[str]) -> tuple[re.Pattern[str], str]:
    """Compile a resource pattern; return it with its literal prefix.

    A trailing ``*`` means "this prefix and everything after it", and a
    trailing ``/*`` also covers the bare prefix (``/api/*`` covers ``/api``,
    never ``/apiary``). Other regex syntax is matched in full; anything else
    is a literal path. Matching is case-sensitive and always whole-path.
    """
    if isinstance(pattern, re.Pattern):
        return pattern, regex_literal_prefix(pattern.pattern)

    if pattern.endswith("*") and not pattern.endswith(".*"):
        head = pattern[:-1]
        if not _PATH_REGEX_CHARS & set(head):
            if head.endswith("/"):
                bare = head[:-1]
                return re.compile(re.escape(bare) + "(?:/.*)?", re.DOTALL), bare
            return re.compile(re.escape(head) + ".*", re.DOTALL), head

    if _PATH_REGEX_CHARS & set(pattern):
        return re.compile(pattern, re.DOTALL), regex_literal_prefix(pattern)
    return re.compile(re.escape(pattern)), pattern


def parse_resources(
    resources: object,
    base: Mapping[str, Any],
    problems: list[str],
) -> tuple[Rule, ...]:
    """Build the rules of a ``resources`` option over the ``base`` options.

    A rule's value is a dict of decision options (merged over ``base``) or a
    complete ``Policy``. Rules are ordered by the length of their literal
    prefix, longest first; ties keep the order they were declared in.
    """
    if isinstance(resources, (str, re.Pattern)):
        entries: list[tuple[Any, Any]] = [(resources, {})]
    elif isinstance(resources, Mapping):
        entries = list(resources.items())
    elif isinstance(resources, Iterable):
        entries = [(p, {}) for p in resources]
    else:
        problems.append(
            f"resources: {resources!r} is not a mapping of path patterns;"
            " write resources={'/api/*': {'origins': ['https://app.example.com']}}"
        )
        return ()

    rules: list[tuple[int, int, Rule]] = []
    for index, (pattern, value) in enumerate(entries):
        label = f"resources[{pattern!r}]"
        if not isinstance(pattern, (str, re.Pattern)):
            problems.append(f"{label}: a path pattern must be a string like '/api/*'")
            continue
        try:
            regex, prefix = compile_path(pattern)
        except re.error as exc:
            problems.append(
                f"{label}: the pattern does not compile ({exc}); write a path"
                " like '/api/*'"
            )
            continue

        policy = _rule_policy(label, value, base, problems)
        if policy is not None:
            text = pattern if isinstance(pattern, str) else pattern.pattern
            rule = Rule(text, regex, prefix, policy)
            rules.append((-len(prefix), index, rule))

    return tuple(rule for _, _, rule in sorted(rules, key=lambda r: r[:2]))


def _rule_policy(
    label: str, value: object, base: Mapping[str, Any], problems: list[str]
) -> Policy | None:
    if isinstance(value, Policy):
        return value
    if not isinstance(value, Mapping):
        problems.append(
            f"{label}: {value!r} is neither a dict of options nor a Policy;"
            " write {'origins': [...]} or a crossorigin.Policy"
        )
        return None

    misplaced = sorted(set(value) & (ALL_OPTIONS - DECISION_OPTIONS))
    for name in misplaced:
        problems.append(
            f"{label}: {name} cannot be set per resource; pass it to CORS(...)"
        )
    unknown = sorted(set(value) - ALL_OPTIONS)
    for name in unknown:
        hint = suggest_option(name, DECISION_OPTIONS)
        problems.append(f"{label}: {name}: unknown option{hint}")
    if misplaced or unknown:
        return None
    return build_policy({**base, **value}, problems, label)


def build_policy(
    options: Mapping[str, Any], problems: list[str], label: str = ""
) -> Policy | None:
    """Build a ``Policy``, adding its problems (prefixed) to ``problems``."""
    try:
        return Policy(**options)
    except ConfigError as exc:
        prefix = f"{label}: " if label else ""
        problems.extend(prefix + p for p in exc.problems)
        return None


# -- Scopes and resolution ------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one ``CORS(app)`` or ``CORS(blueprint)`` put in force."""

    default: Policy | None
    rules: tuple[Rule, ...]
    placement: Placement
    warnings: tuple[str, ...] = ()
    #: The policy of every response in this scope when nothing about the
    #: request but its headers matters: no path rules, the 500s of unhandled
    #: exceptions included, no ``debug`` logging. ``None`` otherwise. Worked
    #: out once, so that the adapters' header hook reads one attribute.
    plain: Policy | None = field(init=False, repr=False, compare=False)
    #: ``plain.listed_decisions()``, or empty without a plain policy.
    listed: dict[str, Decision] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        placement = self.placement
        plain = (
            self.default
            if not self.rules and placement.intercept_exceptions and not placement.debug
            else None
        )
        object.__setattr__(self, "plain", plain)
        listed = plain.listed_decisions() if plain is not None else {}
        object.__setattr__(self, "listed", listed)

    def policy_for(self, path: str) -> Policy | None:
        for rule in self.rules:
            if rule.regex.fullmatch(path) is not None:
                return rule.policy
        return self.default

    def policies(self) -> Iterable[tuple[str, Policy]]:
        """Every policy of this scope, labelled, for ``cors check``."""
        for rule in self.rules:
            yield f"resources[{rule.pattern!r}]", rule.policy
        if self.default is not None:
            yield "default", self.default


def build_scope(
    config: Mapping[str, Any],
    options: Mapping[str, Any],
    where: str,
    *,
    one_view: bool = False,
) -> Scope:
    """Merge config and options into a validated ``Scope``, or raise.

    Precedence, lowest first: defaults, the ``CORS_*`` config keys, the
    options. ``policy=`` is a complete policy and excludes the decision
    options and the config keys. Raises ``ConfigError`` with every problem.
    ``one_view`` builds the scope of a decorated view, which path rules do
    not apply to, so ``CORS_RESOURCES`` is left out.
    """
    problems = check_option_names(options, where)
    if one_view:
        config = {k: v for k, v in config.items() if k != "CORS_RESOURCES"}
    policy = options.get("policy")
    from_config, warnings = config_options(config)
    if policy is not None:
        if not isinstance(policy, Policy):
            problems.append(
                f"policy: {policy!r} is not a crossorigin.Policy; build one with"
                " Policy(origins=[...]) or pass the options directly"
            )
        given = sorted(set(options) & DECISION_OPTIONS)
        if given:
            problems.append(
                f"policy: a complete Policy was given, so {', '.join(given)}"
                " cannot be given too; put them into the Policy"
            )
        merged: dict[str, Any] = {
            k: v for k, v in from_config.items() if k not in DECISION_OPTIONS
        }
        merged.update(options)
        warnings.extend(
            f"config key {_config_key(name)} is ignored because policy= gives"
            " a complete Policy; put the setting into the Policy or remove the"
            " key"
            for name in sorted(set(from_config) & DECISION_OPTIONS)
        )
    else:
        merged = {**from_config, **options}

    decision, placement = split_options(merged, problems)
    default: Policy | None = None
    rules: tuple[Rule, ...] = ()
    if isinstance(policy, Policy):
        default = policy
    elif policy is None:
        default = build_policy(decision, problems)
    if merged.get("resources") is not None:
        base: Mapping[str, Any] = decision if policy is None else policy.settings
        rules = parse_resources(merged["resources"], base, problems)
        default = None

    if problems:
        from_keys = set(from_config) - set(options)
        raise ConfigError(_name_config_keys(problems, from_keys))
    policy_warnings = [w for p in _unique_policies(default, rules) for w in p.warnings]
    return Scope(default, rules, placement, tuple(warnings + policy_warnings))


def _config_key(name: str) -> str:
    return f"{CONFIG_PREFIX}{name.upper()}"


def _name_config_keys(problems: list[str], from_keys: set[str]) -> list[str]:
    """Say which problems come from ``app.config`` keys, naming the key.

    A message such as "supports_credentials: 'True' is not a boolean" would
    send a user looking for a keyword argument they never wrote.
    """
    named: list[str] = []
    for problem in problems:
        name, sep, rest = problem.partition(":")
        if sep and name in from_keys:
            problem = f"{name} (from app.config[{_config_key(name)!r}]):{rest}"
        named.append(problem)
    return named


def _unique_policies(default: Policy | None, rules: Sequence[Rule]) -> list[Policy]:
    seen: list[Policy] = []
    for policy in [*(r.policy for r in rules), default]:
        if policy is not None and not any(policy is s for s in seen):
            seen.append(policy)
    return seen


EXEMPT = "exempt"
MARKER = "__crossorigin__"
#: Where an app keeps its ``AppState``: ``app.extensions[EXTENSION_KEY]``.
EXTENSION_KEY = "crossorigin"


@dataclass
class ViewSpec:
    """What ``cross_origin`` attached to a view: its options, validated.

    The policy depends on the app's ``CORS_*`` keys, so it is built once per
    app, on the first request, and cached.
    """

    options: dict[str, Any]
    placement: Placement
    _cache: weakref.WeakKeyDictionary[Any, Scope] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    def covered_by_hooks(
        self,
        extensions: Mapping[str, Any],
        view_functions: Mapping[str, Callable[..., Any]],
        endpoint: str | None,
    ) -> bool:
        """Whether the app's hooks find this decorator through the endpoint.

        Then the decorator leaves the CORS work to them. A decorator on a
        method of a class-based view is not on the endpoint's view function;
        it then applies its decision itself.
        """
        state = extensions.get(EXTENSION_KEY)
        if not isinstance(state, AppState) or not state.hooks_installed:
            return False
        view = view_functions.get(endpoint or "")
        return getattr(view, MARKER, None) is self

    def scope_for(self, app: Any, config: Mapping[str, Any]) -> Scope:
        scope = self._cache.get(app)
        if scope is None:
            scope = build_scope(config, self.options, "cross_origin", one_view=True)
            # Built on the first request a decorated view gets from this app,
            # since only then are the app's CORS_* keys known; the glue logs
            # configuration warnings, never the core.
            for warning in scope.warnings:
                logger.warning("@cross_origin: %s", warning)
            self._cache[app] = scope
        return scope


def make_view_spec(options: Mapping[str, Any]) -> ViewSpec:
    """Validate the decorator's options now, at decoration time."""
    problems = check_option_names(options, "cross_origin")
    if "resources" in options:
        problems.append(
            "resources: cross_origin applies to one view; use"
            " CORS(app, resources=...) for path rules"
        )
    decision, placement = split_options(options, problems)
    policy = options.get("policy")
    if policy is not None:
        if not isinstance(policy, Policy):
            problems.append(f"policy: {policy!r} is not a crossorigin.Policy")
        elif decision:
            problems.append(
                f"policy: a complete Policy was given, so {', '.join(sorted(decision))}"
                " cannot be given too; put them into the Policy"
            )
    else:
        build_policy(decision, problems)
    if problems:
        raise ConfigError(problems)
    return ViewSpec(dict(options), placement)


def blueprint_names(endpoint: str | None) -> list[str]:
    """``"a.b.view"`` -> ``["a.b", "a"]``, innermost first.

    The same list as Flask's and Quart's ``Request.blueprints``, computed
    from the endpoint alone, so that it can be cached per endpoint.
    """
    names: list[str] = []
    name = endpoint.rpartition(".")[0] if endpoint else ""
    while name:
        names.append(name)
        name = name.rpartition(".")[0]
    return names


def method_handler(
    view: Callable[..., Any] | None, method: str
) -> Callable[..., Any] | None:
    """The class-based view's handler for ``method`` if it carries a mark.

    ``@cross_origin`` or ``@exempt`` on a ``MethodView`` method is not on
    the endpoint's view function; the request's method (for a preflight,
    the method it asks about) names the handler whose mark applies.
    """
    if view is None or getattr(view, MARKER, None) is not None:
        return view
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    name = method.lower()
    handler = getattr(view_class, name, None)
    if handler is None and name == "head":
        # MethodView answers HEAD with get() when it has no head().
        handler = getattr(view_class, "get", None)
    return handler if getattr(handler, MARKER, None) is not None else view


def _marks_methods(view: Callable[..., Any] | None) -> bool:
    """Whether a class-based view has methods with their own CORS mark."""
    if view is None or getattr(view, MARKER, None) is not None:
        return False
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return False
    names = {m.lower() for m in getattr(view_class, "methods", None) or ()}
    return any(
        getattr(getattr(view_class, name, None), MARKER, None) is not None
        for name in names | {"get", "head", "options"}
    )


@dataclass
class AppState:
    """Per-app registry, kept in ``app.extensions['crossorigin']``.

    Change scopes through ``set_app_scope``/``add_blueprint_scope``: they
    clear the per-endpoint cache that ``endpoint_scope`` keeps.
    """

    app_scope: Scope | None = None
    blueprint_scopes: dict[str, Scope] = field(default_factory=dict)
    hooks_installed: bool = False
    endpoint_scopes: dict[str | None, Scope | None] = field(default_factory=dict)

    method_scopes: dict[tuple[str | None, str], Scope | None] = field(
        default_factory=dict
    )

    def set_app_scope(self, scope: Scope) -> None:
        self.app_scope = scope
        self._forget()

    def add_blueprint_scope(self, name: str, scope: Scope) -> None:
        self.blueprint_scopes[name] = scope
        self._forget()

    def _forget(self) -> None:
        self.endpoint_scopes.clear()
        self.method_scopes.clear()

    def endpoint_scope(
        self,
        app: Any,
        config: Mapping[str, Any],
        endpoint: str | None,
        view_functions: Mapping[str, Callable[..., Any]],
        method: str | None = None,
    ) -> Scope | None:
        """The scope of requests routed to ``endpoint``, cached per endpoint.

        ``method`` is the request's method (a preflight's requested one),
        which picks the handler of a class-based view whose methods are
        decorated one by one.

        ``None`` is the endpoint of a routing error (404, 405, redirect),
        which belongs to no blueprint. The view and blueprints of an
        endpoint are fixed once the app serves requests, so the answer is
        worked out once; only the path (for ``resources``) stays per request.
        """
        try:
            return self.endpoint_scopes[endpoint]
        except KeyError:
            pass
        view = view_functions.get(endpoint) if endpoint else None
        if method is not None and _marks_methods(view):
            # A class-based view whose methods carry their own decorator or
            # exempt mark: the scope depends on the method, so it is cached
            # per (endpoint, method) and never under the endpoint alone.
            key = (endpoint, method.upper())
            try:
                return self.method_scopes[key]
            except KeyError:
                pass
            handler = method_handler(view, method)
            scope = self.scope(app, config, handler, blueprint_names(endpoint))
            self.method_scopes[key] = scope
            return scope

        scope = self.scope(app, config, view, blueprint_names(endpoint))
        self.endpoint_scopes[endpoint] = scope
        return scope

    def response_scope(
        self,
        app: Any,
        config: Mapping[str, Any],
        endpoint: str | None,
        view_functions: Mapping[str, Callable[..., Any]],
        method: str,
        acrm: str | None,
    ) -> Scope | None:
        """``endpoint_scope`` for the response to a request with ``method``.

        The method names a class-based view's handler; for a preflight the
        app answered itself (``acrm`` given), it is the method asked about.
        """
        if method == "OPTIONS" and acrm:
            method = acrm
        return self.endpoint_scope(app, config, endpoint, view_functions, method)

    def resolve(
        self,
        app: Any,
        config: Mapping[str, Any],
        view: Callable[..., Any] | None,
        blueprints: Sequence[str],
        path: str,
    ) -> tuple[Policy | None, Placement | None]:
        """Find the one policy for a request, most specific first.

        An ``exempt`` or decorated view, then the innermost blueprint with a
        ``CORS(bp)``, then the app's resources and default. A narrower scope
        is a boundary: what it refuses, no wider scope grants.
        """
        scope = self.scope(app, config, view, blueprints)
        if scope is None:
            return None, None
        return scope.policy_for(path), scope.placement

    def scope(
        self,
        app: Any,
        config: Mapping[str, Any],
        view: Callable[..., Any] | None,
        blueprints: Sequence[str],
    ) -> Scope | None:
        spec = getattr(view, MARKER, None)
        if spec is not None:
            return None if spec == EXEMPT else spec.scope_for(app, config)
        for name in blueprints:
            scope = self.blueprint_scopes.get(name)
            if scope is not None:
                return scope
        return self.app_scope
