"""``flask cors ...`` and ``quart cors ...``: see and explain the policies.

``CORS(app)`` and ``CORS(bp)`` add a ``cors`` group to the app's CLI:

- ``cors check`` lists every policy in force and the configuration's
  warnings;
- ``cors explain ORIGIN [PATH]`` runs one request, in the app's own request
  context, through the resolution and ``Policy.decide`` the adapter uses,
  and says what the browser would get, and why.

Nothing here decides: the policy comes from ``AppState.resolve`` and the
decision from the adapter's own ``_decide``, so an explanation cannot
disagree with the app. The views never run.
"""

from __future__ import annotations

import asyncio
import difflib
import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from ._placement import EXEMPT, MARKER, AppState, Placement, Scope, ViewSpec
from ._policy import (
    ACAC,
    ACAO,
    BAD_HEADERS,
    BAD_METHOD,
    DUPLICATE_ORIGIN,
    LONG_HEADERS,
    MALFORMED_ORIGIN,
    NULL_ORIGIN,
    REFUSED_ORIGIN,
    SAFELISTED_METHODS,
    Decision,
    Policy,
)

__all__ = ["register_cli"]

_GROUP_MARK = "_crossorigin_cli"

#: Fetch "normalize a method": browsers upper-case these six only, and send
#: any other method (``patch``) exactly as the script wrote it.
_NORMALISED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


def register_cli(app: Any) -> None:
    """Add the ``cors`` command group to ``app.cli``, once per app.

    A ``cors`` command the application defined itself is left in place.
    """
    cli = getattr(app, "cli", None)
    commands = getattr(cli, "commands", None)
    if cli is None or not isinstance(commands, dict) or "cors" in commands:
        return

    cli.add_command(_make_group(app))


def _make_group(app: Any) -> click.Group:
    # The commands close over the app: they need no app context, which
    # Quart would provide by running an event loop around them.

    @click.group(
        "cors",
        help="Show the CORS policies of this app and explain its decisions.",
    )
    def group() -> None:
        pass

    @group.command(
        "check",
        help=(
            "List every CORS policy in force (app, blueprints, resource"
            " rules, decorated and exempt views) with its effective"
            " settings, and the warnings of the configuration."
        ),
    )
    @click.option(
        "--strict",
        is_flag=True,
        help="Exit with status 1 when there is any warning.",
    )
    def check(strict: bool) -> None:
        report = _check_report(app)
        click.echo("\n".join(report.lines))
        if report.failed or (strict and report.warnings):
            click.get_current_context().exit(1)

    @group.command(
        "explain",
        help=(
            "Explain what a page on ORIGIN gets when its script calls PATH"
            " (default /): the preflight, if the browser sends one, then the"
            " actual request. Exits with status 1 when the browser would"
            " refuse the call."
        ),
    )
    @click.argument("origin")
    @click.argument("path", default="/")
    @click.option(
        "--method",
        "-X",
        default="GET",
        show_default=True,
        help="The method the script uses.",
    )
    @click.option(
        "--header",
        "-H",
        "headers",
        multiple=True,
        metavar="NAME",
        help=(
            "A request header the script sets that is not CORS-safelisted"
            " (repeat for several); it makes the browser send a preflight."
        ),
    )
    @click.option(
        "--credentials",
        is_flag=True,
        help="The script sends cookies (fetch credentials: 'include').",
    )
    def explain(
        origin: str,
        path: str,
        method: str,
        headers: tuple[str, ...],
        credentials: bool,
    ) -> None:
        query = Query(origin, path, _normalise_method(method), headers, credentials)
        steps = _explain(app, query)
        lines, allowed = _render(query, steps)
        click.echo("\n".join(lines))
        if not allowed:
            click.get_current_context().exit(1)

    setattr(group, _GROUP_MARK, True)
    return group


# -- cors check -------------------------------------------------------------------


@dataclass
class CheckReport:
    lines: list[str]
    warnings: list[str]
    failed: bool


def _check_report(app: Any) -> CheckReport:
    state = _state(app)
    config = app.config
    lines: list[str] = [f"CORS policies of app {app.name!r}", ""]
    # Each warning once, with every scope it comes from: a config key's
    # warning belongs to every scope that read the config.
    warnings: dict[str, list[str]] = {}
    failed = False

    def note(where: str, scope: Scope) -> None:
        for warning in scope.warnings:
            warnings.setdefault(warning, []).append(where)

    if state.app_scope is not None:
        covers = "paths its resources match" if state.app_scope.rules else "every path"
        lines += _scope_lines("CORS(app)", state.app_scope, covers)
        note("CORS(app)", state.app_scope)
    else:
        lines += ["CORS(app): not called; other requests get no CORS headers", ""]

    for name, scope in sorted(state.blueprint_scopes.items()):
        routes = _describe_routes(app, _blueprint_endpoints(app, name))
        where = f"CORS(blueprint {name!r})"
        lines += _scope_lines(where, scope, routes)
        note(where, scope)

    for endpoint, view in sorted(app.view_functions.items()):
        spec = getattr(view, MARKER, None)
        if spec is None:
            continue
        routes = _describe_routes(app, [endpoint])
        if spec == EXEMPT:
            lines += [f"exempt view {endpoint!r} ({routes}): no CORS handling", ""]
            continue
        where = f"@cross_origin on view {endpoint!r}"
        try:
            scope = spec.scope_for(app, config)
        except ValueError as exc:
            # A ConfigError: the app's CORS_* keys and the decorator's
            # options do not make a valid policy together.
            lines += [f"{where} ({routes}): INVALID", f"  {exc}", ""]
            failed = True
            continue
        lines += _scope_lines(where, scope, routes)
        note(where, scope)

    lines.append(_preflight_note(state))
    lines.append("")
    if warnings:
        lines.append(f"Warnings ({len(warnings)}):")
        lines += [f"  - {w} [{', '.join(where)}]" for w, where in warnings.items()]
    else:
        lines.append("No warnings.")
    return CheckReport(lines, list(warnings), failed)


def _scope_lines(where: str, scope: Scope, routes: str) -> list[str]:
    lines = [f"{where} ({routes})", f"  placement: {_placement_text(scope.placement)}"]
    for label, policy in scope.policies():
        lines.append(f"  {label}:")
        lines += [f"    {name:<23}{value}" for name, value in _settings_rows(policy)]
    if scope.rules and scope.default is None:
        lines.append("  paths no resources rule matches: no CORS headers")
    lines.append("")
    return lines


def _placement_text(placement: Placement) -> str:
    names = (
        "automatic_options",
        "intercept_exceptions",
        "check_websocket_origin",
        "debug",
    )
    return ", ".join(f"{n}={getattr(placement, n)}" for n in names)


def _settings_rows(policy: Policy) -> list[tuple[str, str]]:
    settings = policy.settings
    rows = []
    for name, value in settings.items():
        if name == "max_age" and value is None:
            shown = "(not sent)"
        elif name == "expose_headers" and value is None:
            shown = "(none)"
        else:
            shown = _show(value)
        rows.append((name, shown))
    return rows


def _show(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, re.Pattern):
        flags = ", case-insensitive" if value.flags & re.IGNORECASE else ""
        return f"regex {value.pattern!r}{flags}"
    if isinstance(value, (tuple, list)):
        return ", ".join(_show(v) for v in value) if value else "(none)"
    if callable(value):
        module = getattr(value, "__module__", None)
        name = getattr(value, "__qualname__", repr(value))
        return f"callable {module}.{name}" if module else f"callable {name}"
    return repr(value)


def _blueprint_endpoints(app: Any, name: str) -> list[str]:
    prefix = f"{name}."
    return [e for e in app.view_functions if e.startswith(prefix)]


def _describe_routes(app: Any, endpoints: Iterable[str], limit: int = 4) -> str:
    wanted = set(endpoints)
    rules = sorted({r.rule for r in app.url_map.iter_rules() if r.endpoint in wanted})
    if not rules:
        return "no routes"
    shown = ", ".join(rules[:limit])
    more = len(rules) - limit
    return f"{shown}, and {more} more" if more > 0 else shown


def _preflight_note(state: AppState) -> str:
    if state.hooks_installed:
        return (
            "Preflights: answered by crossorigin's early hook, before every"
            " other before_request function."
        )
    return (
        "Preflights: no CORS(app) or CORS(bp), so a decorated view answers them"
        " inside the view call, after the app's before_request functions."
    )


def _state(app: Any) -> AppState:
    state = app.extensions.get("crossorigin")
    return state if isinstance(state, AppState) else AppState()


# -- cors explain -----------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """The call a page's script makes, as given on the command line."""

    origin: str
    path: str
    method: str
    headers: tuple[str, ...]
    credentials: bool

    @property
    def needs_preflight(self) -> bool:
        # "CORS-preflight fetch" is needed for a method other than a
        # safelisted one, or for a request header that is not safelisted.
        return bool(self.headers) or self.method not in SAFELISTED_METHODS

    @property
    def request_headers(self) -> str:
        # Fetch "CORS-unsafe request-header names": lower-cased, sorted,
        # without duplicates, joined with a bare comma.
        names = sorted({h.strip().lower() for h in self.headers if h.strip()})
        return ",".join(names)


@dataclass(frozen=True)
class Step:
    """One request of the explanation: the preflight, or the actual one."""

    preflight: bool
    method: str
    path: str
    label: str
    policy: Policy | None
    decision: Decision | None
    handler: str
    routing_status: int | None


def _normalise_method(method: str) -> str:
    return method.upper() if method.upper() in _NORMALISED_METHODS else method


def _explain(app: Any, query: Query) -> list[Step]:
    """Resolve and decide the request(s) of ``query``, as the app would."""
    adapter = importlib.import_module("crossorigin._glue").adapter_for(app)
    quart = adapter.__name__.endswith("_quart")
    headers: dict[str, str] = {"Origin": query.origin}
    steps: list[Step] = []
    if query.needs_preflight:
        preflight_headers = {**headers, "Access-Control-Request-Method": query.method}
        if query.request_headers:
            preflight_headers["Access-Control-Request-Headers"] = query.request_headers
        steps.append(
            _step(app, adapter, quart, "OPTIONS", query.path, preflight_headers)
        )
        if not _browser_accepts(steps[0], query):
            return steps

    steps.append(_step(app, adapter, quart, query.method, query.path, headers))
    return steps


def _step(
    app: Any,
    adapter: Any,
    quart: bool,
    method: str,
    path: str,
    headers: dict[str, str],
) -> Step:
    if quart:
        return asyncio.run(_quart_step(app, adapter, method, path, headers))
    return _flask_step(app, adapter, method, path, headers)


@dataclass(frozen=True)
class _Route:
    """Where a request goes: what the adapter's hooks read to resolve it."""

    method: str
    path: str
    endpoint: str | None
    view: Any
    blueprints: Sequence[str]
    routing_status: int | None
    #: The view and blueprints the early hook resolves a preflight with;
    #: ``None`` when the early hook leaves the request to the app.
    preflight_target: tuple[Any, Sequence[str]] | None


_Resolved = tuple[Policy | None, Placement, str]


def _flask_step(
    app: Any, adapter: Any, method: str, path: str, headers: dict[str, str]
) -> Step:
    from flask import request

    state = _state(app)
    with app.test_request_context(path, method=method, headers=headers):
        req = request._get_current_object()  # type: ignore[attr-defined]
        target = None
        acrm = headers.get("Access-Control-Request-Method")
        if method == "OPTIONS" and acrm is not None:
            target = adapter._preflight_target(app, req, acrm)
        route = _route(app, req, method, target)
        early, late = _candidates(app, state, route)
        decisions = {
            id(r): adapter._decide(app, r[0], method, req.headers)
            for r in (early, late)
            if r is not None and r[0] is not None
        }
    return _make_step(state, route, early, late, decisions)


async def _quart_step(
    app: Any, adapter: Any, method: str, path: str, headers: dict[str, str]
) -> Step:
    from quart import request

    state = _state(app)
    async with app.test_request_context(path, method=method, headers=headers):
        req = request._get_current_object()  # type: ignore[attr-defined]
        target = None
        acrm = headers.get("Access-Control-Request-Method")
        if method == "OPTIONS" and acrm is not None:
            target = adapter._preflight_target(req, app.view_functions, acrm)
        route = _route(app, req, method, target)
        early, late = _candidates(app, state, route)
        decisions = {}
        for resolved in (early, late):
            if resolved is not None and resolved[0] is not None:
                decisions[id(resolved)] = await adapter._decide(
                    resolved[0], method, req
                )
    return _make_step(state, route, early, late, decisions)


def _route(app: Any, req: Any, method: str, target: Any) -> _Route:
    endpoint = req.endpoint
    view = app.view_functions.get(endpoint) if endpoint else None
    error = getattr(req, "routing_exception", None)
    code = getattr(error, "code", None)
    status = code if isinstance(code, int) else None
    return _Route(method, req.path, endpoint, view, req.blueprints, status, target)


def _candidates(
    app: Any, state: AppState, route: _Route
) -> tuple[_Resolved | None, _Resolved | None]:
    """The policies of the early hook (preflights) and of the late one."""
    early = None
    if route.preflight_target is not None and state.hooks_installed:
        view, blueprints = route.preflight_target
        early = _resolve(app, state, view, blueprints, route.path)
    late = _resolve(app, state, route.view, route.blueprints, route.path)
    return early, late


def _make_step(
    state: AppState,
    route: _Route,
    early: _Resolved | None,
    late: _Resolved | None,
    decisions: Mapping[int, Decision],
) -> Step:
    """Follow the adapter: the early hook answers, or the app's response
    gets the headers of the late hook (or of a decorator on its own)."""
    method, path = route.method, route.path
    if early is not None:
        policy, placement, label = early
        decision = decisions.get(id(early))
        if policy is not None and decision is not None and placement.automatic_options:
            return Step(True, method, path, label, policy, decision, "early", None)

    status = route.routing_status
    preflight = method == "OPTIONS"
    if late is None:
        label = _no_scope_label(route.view, route.endpoint)
        return Step(preflight, method, path, label, None, None, "none", status)

    policy, placement, label = late
    decision = decisions.get(id(late))
    if policy is None or decision is None:
        return Step(preflight, method, path, label, None, None, "none", status)

    handler = "late"
    spec = getattr(route.view, MARKER, None)
    if isinstance(spec, ViewSpec) and not state.hooks_installed:
        # No app hooks: the decorator does the work inside the view call.
        answers = decision.preflight and placement.automatic_options
        handler = "view-answer" if answers else "view"
    return Step(
        decision.preflight, method, path, label, policy, decision, handler, status
    )


def _resolve(
    app: Any, state: AppState, view: Any, blueprints: Sequence[str], path: str
) -> tuple[Policy | None, Placement, str] | None:
    """The policy ``AppState.resolve`` picks, with where it comes from.

    ``None`` when no scope applies at all (an exempt view, or nothing set).
    """
    scope = state.scope(app, app.config, view, blueprints)
    if scope is None:
        return None

    where = _scope_name(state, scope, view, blueprints)
    rule = next((r for r in scope.rules if r.matches(path)), None)
    policy = rule.policy if rule is not None else scope.default
    if rule is not None:
        label = f"{where}, resources[{rule.pattern!r}]"
    elif scope.rules:
        label = f"{where}: no resources rule matches {path!r}"
    else:
        label = where
    return policy, scope.placement, label


def _scope_name(
    state: AppState, scope: Scope, view: Any, blueprints: Sequence[str]
) -> str:
    if isinstance(getattr(view, MARKER, None), ViewSpec):
        return f"@cross_origin on view {getattr(view, '__name__', '?')!r}"
    for name in blueprints:
        if state.blueprint_scopes.get(name) is scope:
            return f"CORS(blueprint {name!r})"
    return "CORS(app)"


def _no_scope_label(view: Any, endpoint: str | None) -> str:
    if getattr(view, MARKER, None) == EXEMPT:
        return f"view {endpoint!r} is exempt: no CORS handling"
    return "no CORS(app), blueprint or decorator covers this request"


# -- Rendering ------------------------------------------------------------------


def _browser_accepts(step: Step, query: Query) -> bool:
    """Whether the browser's CORS check passes for this step's response.

    Fetch "CORS check": an ``Access-Control-Allow-Origin`` that is ``*`` or
    the origin; with credentials, not ``*`` and with
    ``Access-Control-Allow-Credentials: true``. A preflight also needs an
    ok (2xx) status ("CORS-preflight fetch").
    """
    decision = step.decision
    if decision is None or not decision.allowed:
        return False
    if step.preflight and step.handler == "late" and step.routing_status:
        return False
    headers = dict(decision.headers)
    acao = headers.get(ACAO)
    if acao is None:
        return False
    if query.credentials:
        return acao != "*" and headers.get(ACAC) == "true"
    return True


def _render(query: Query, steps: list[Step]) -> tuple[list[str], bool]:
    lines = [
        f"A page on {query.origin} calls {query.method} {query.path}"
        + (" with credentials" if query.credentials else "")
        + (f", setting {', '.join(query.headers)}" if query.headers else ""),
    ]
    if query.needs_preflight:
        why = (
            f"it sets {query.request_headers}"
            if query.headers
            else f"{query.method} is not a CORS-safelisted method"
        )
        lines.append(f"The browser sends a preflight first, because {why}.")

    allowed = True
    for step in steps:
        lines.append("")
        lines += _step_lines(step, query)
        allowed = allowed and _browser_accepts(step, query)

    if query.needs_preflight and len(steps) == 1:
        lines += [
            "",
            "Actual request: not sent; the browser stops at the failed preflight.",
        ]

    lines.append("")
    if allowed:
        lines.append(
            f"Result: allowed. The page on {query.origin} can read the response."
        )
    else:
        lines.append(
            f"Result: refused. The browser keeps the response from the page on"
            f" {query.origin}."
        )
        if not query.needs_preflight:
            lines.append(
                "The browser still sends this request, so the view runs: CORS"
                " decides what the page may read; it is not access control."
            )
    return lines, allowed


def _step_lines(step: Step, query: Query) -> list[str]:
    title = "Preflight" if step.preflight and query.needs_preflight else "Request"
    lines = [f"{title}: {step.method} {step.path}"]
    if step.preflight and query.needs_preflight:
        lines[0] += f" (Access-Control-Request-Method: {query.method}"
        if query.request_headers:
            lines[0] += f", Access-Control-Request-Headers: {query.request_headers}"
        lines[0] += ")"
    lines.append(f"  policy: {step.label}")
    lines.append(f"  handled by: {_handler_text(step)}")

    lines += _routing_lines(step)
    decision = step.decision
    if decision is None:
        lines.append("  decision: none; the response carries no CORS headers")
        return lines

    verdict = "allowed" if decision.allowed else "refused"
    lines.append(f"  decision: {verdict} ({decision.reason})")
    lines += [f"  why: {w}" for w in _why(step, decision, query)]
    if step.handler in ("early", "view-answer"):
        lines.append(f"  status: {decision.status}")
    if decision.headers:
        lines.append("  headers:")
        lines += [f"    {name}: {value}" for name, value in decision.headers]
    else:
        lines.append("  headers: none")
    if decision.allowed and query.credentials:
        lines += _credential_lines(decision)
    return lines


def _handler_text(step: Step) -> str:
    return {
        "early": (
            "crossorigin's early hook, before any other before_request"
            " function, auth decorator or view"
        ),
        "late": (
            "the app (routing, hooks, view); crossorigin adds headers to its response"
        ),
        "view-answer": (
            "@cross_origin inside the view call, after the app's before_request"
            " functions (no CORS(app) on this app)"
        ),
        "view": "the view; @cross_origin adds headers to its response",
        "none": "the app alone",
    }[step.handler]


def _routing_lines(step: Step) -> list[str]:
    if step.routing_status is None:
        return []
    route = f"{step.method} {step.path}"
    lines = [f"  routing: no route takes {route} (status {step.routing_status})"]
    if step.preflight:
        lines.append("  the browser fails a preflight whose status is not 2xx")
    return lines


def _why(step: Step, decision: Decision, query: Query) -> list[str]:
    policy = step.policy
    if policy is None or decision.allowed:
        return []

    reason = decision.reason
    if reason == REFUSED_ORIGIN:
        return _origin_hints(policy, query.origin)
    if reason == NULL_ORIGIN:
        return ["pages in sandboxed frames and file:// URLs send 'null'"]
    if reason == MALFORMED_ORIGIN:
        return [
            f"{query.origin!r} is not an origin: write scheme://host[:port],"
            " with no path and no trailing slash"
        ]
    if reason == DUPLICATE_ORIGIN:
        return ["a request must carry exactly one Origin header"]
    if reason == BAD_METHOD:
        allowed = _show(policy.settings["methods"])
        return [
            f"method {query.method!r} is not allowed; the allowed methods are {allowed}"
        ]
    if reason == BAD_HEADERS:
        return _header_hints(policy, query)
    if reason == LONG_HEADERS:
        return ["the list of requested headers is longer than any browser sends"]
    return []


def _origin_hints(policy: Policy, origin: str) -> list[str]:
    listed = [o for o in _as_tuple(policy.settings["origins"]) if isinstance(o, str)]
    others = [
        o for o in _as_tuple(policy.settings["origins"]) if not isinstance(o, str)
    ]
    hints = [f"origin {origin!r} is not in the list of allowed origins"]
    if listed:
        closest = difflib.get_close_matches(origin.lower(), listed, n=1, cutoff=0.0)
        hints.append(f"the closest listed origin is {closest[0]!r}")
    if others:
        hints.append(
            "no regular expression or callable of the policy accepted it either"
        )
    return hints


def _header_hints(policy: Policy, query: Query) -> list[str]:
    refused = []
    for name in query.request_headers.split(","):
        probe = policy.decide_facts(
            "OPTIONS", query.origin, query.method, name, None, origin_allowed=True
        )
        if probe.reason == BAD_HEADERS:
            refused.append(name)
    allowed = _show(policy.settings["allow_headers"]) or "(none)"
    names = ", ".join(repr(n) for n in refused) or repr(query.request_headers)
    noun = "header" if len(refused) == 1 else "headers"
    return [f"{noun} {names} not allowed; the allowed headers are {allowed}"]


def _credential_lines(decision: Decision) -> list[str]:
    headers = dict(decision.headers)
    if headers.get(ACAO) == "*":
        return [
            "  credentials: refused by the browser; it never accepts"
            " Access-Control-Allow-Origin: * with credentials"
        ]
    if headers.get(ACAC) != "true":
        return [
            "  credentials: refused by the browser; there is no"
            " Access-Control-Allow-Credentials: true (set supports_credentials=True)"
        ]
    return []


def _as_tuple(value: object) -> tuple[object, ...]:
    if isinstance(value, tuple):
        return value
    return (value,)
