"""The Quart adapter: async hooks that find the policy, decide and apply.

No CORS rule lives here. Each request is resolved to one policy by
``AppState`` (cached per endpoint), decided by ``Policy.decide`` and applied
with ``apply_decision``. Every hook is ``async def``: Quart sends a sync hook to
a worker thread on every request (``ensure_async``), and an async origin
callable is awaited here, on the event loop, never through a thread.

Three hooks per app, installed once:

- an early ``before_request`` function, first in the app's list, that
  answers CORS preflights before any other ``before_request`` function,
  auth decorator or view runs;
- a late ``after_request`` function, last to run, that adds the headers of
  the decision to every other response: views, ``abort()``, error handlers,
  routing errors, redirects, streamed bodies (never consumed) and, unless
  ``intercept_exceptions=False``, the 500 of an unhandled exception;
- a ``before_websocket`` function, first in its list, that refuses a
  foreign origin's handshake when ``check_websocket_origin=True``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from quart import (
    Blueprint,
    Quart,
    Response,
    abort,
    after_this_request,
    current_app,
    has_request_context,
    has_websocket_context,
)
from quart.globals import _cv_request, request_ctx, websocket_ctx
from quart.signals import got_request_exception
from quart.typing import ResponseTypes
from quart.wrappers import Request, Websocket
from werkzeug.datastructures import Headers

from ._apply import apply_decision as _apply_decision
from ._apply import log_decision, logger
from ._origins import is_same_origin
from ._placement import (
    AppState,
    Placement,
    ViewSpec,
)
from ._policy import Decision, Policy, origin_of, pair_facts
from ._routing import preflight_policy, preflight_target

__all__ = ["call_async", "call_sync", "ensure_hooks", "is_blueprint"]

#: Attributes set on a Quart request object. ``_HANDLED``: this request's
#: CORS work is done (a preflight was answered, or a decorator applies its
#: decision itself), so the app-wide hook keeps out. ``_UNHANDLED``: the
#: response is the 500 Quart made for an exception no error handler took.
_HANDLED = "_crossorigin_handled"
_UNHANDLED = "_crossorigin_unhandled_exception"

_UNKNOWN: Any = object()


# Werkzeug's Headers.get is overloaded in a way that mypy does not match
# against the HeaderStore protocol; the runtime object is exactly what the
# function expects, so only its static type is narrowed here, once.
apply_decision = cast(Callable[[Decision, Headers], None], _apply_decision)


def is_blueprint(target: object) -> bool:
    """Whether ``CORS`` was given a blueprint rather than an app."""
    return isinstance(target, Blueprint)


# -- Hooks installed by CORS(app) and CORS(bp) -----------------------------------


def ensure_hooks(app: Quart, state: AppState) -> None:
    """Install the preflight, header and websocket hooks, once."""
    if state.hooks_installed:
        return

    # Everything that does not change per request is bound here, once.
    config = app.config
    view_functions = app.view_functions
    resolve = state.resolve
    response_scope = state.response_scope
    # Read without a call on the hot path; endpoint_scope fills it.
    scopes = state.endpoint_scopes
    current = _cv_request.get
    debug_enabled = logger.isEnabledFor
    debug_level = logging.DEBUG

    async def answer_preflight() -> Response | None:
        # The context variable itself: request_ctx.request goes through two
        # proxies, which costs more than the whole policy resolution.
        req: Request = current().request
        if req.method != "OPTIONS":
            return None

        # One pass over the request's headers for all four CORS ones.
        origin, acrm, acrh, acrpn = pair_facts(req.headers)
        if acrm is None or origin is None:
            return None

        answer = preflight_policy(
            state,
            app,
            config,
            view_functions,
            req.routing_exception,
            req.endpoint or None,
            current().url_adapter,
            req.path,
            acrm,
        )
        if answer is None:
            return None
        policy, placement = answer

        decision = policy.decide_facts("OPTIONS", origin, acrm, acrh, acrpn)
        if decision.awaits_origin_check:
            decision = await policy.decide_async("OPTIONS", req.headers)
        if not decision.preflight:
            return None

        _log(decision, req, placement)
        setattr(req, _HANDLED, True)
        return _preflight_response(app, decision)

    async def add_headers(response: ResponseTypes) -> ResponseTypes:
        req: Request = current().request
        if getattr(req, _HANDLED, False):
            return response

        endpoint = req.endpoint or None
        scope = scopes.get(endpoint, _UNKNOWN)
        if scope is _UNKNOWN:
            scope = response_scope(
                app,
                config,
                endpoint,
                view_functions,
                req.method,
                req.headers.get("Access-Control-Request-Method"),
            )
        if scope is None:
            return response

        # Decided inline, not through _add_headers: on the path every
        # response takes, one more coroutine costs more than the decision.
        method = req.method
        policy = scope.plain
        if policy is not None and method != "OPTIONS":
            # The path every simple request takes (Scope.plain: neither the
            # path nor an unhandled exception nor debug logging changes a
            # thing): only Origin matters outside a preflight.
            origin = origin_of(req.headers)
            # A listed origin's answer is looked up, not computed.
            decision = scope.listed.get(origin) or policy.decide_facts(method, origin)
            if not decision.awaits_origin_check:
                apply_decision(decision, response.headers)
                if debug_enabled(debug_level):
                    _log(decision, req, scope.placement)
                return response

        placement = scope.placement
        if not placement.intercept_exceptions and getattr(req, _UNHANDLED, False):
            return response
        policy = scope.policy_for(req.path) if scope.rules else scope.default
        if policy is None:
            return response
        decision = policy.decide_facts(method, *pair_facts(req.headers))
        if decision.awaits_origin_check:
            decision = await policy.decide_async(method, req.headers)
        apply_decision(decision, response.headers)
        if placement.debug or debug_enabled(debug_level):
            _log(decision, req, placement)
        return response

    async def check_websocket() -> None:
        socket = websocket_ctx.websocket
        view = view_functions.get(socket.endpoint) if socket.endpoint else None
        policy, placement = resolve(app, config, view, socket.blueprints, socket.path)
        if policy is not None and placement is not None:
            await _check_websocket(socket, policy, placement)

    # First in the list, so that preflights are answered ahead of every
    # other before_request function, including those registered earlier.
    app.before_request_funcs.setdefault(None, []).insert(0, answer_preflight)
    # after_request functions run in reverse order: index 0 runs last, so
    # this hook sees headers the other hooks set (a Vary, their own ACAO).
    app.after_request_funcs.setdefault(None, []).insert(0, add_headers)
    app.before_websocket_funcs.setdefault(None, []).insert(0, check_websocket)
    state.hooks_installed = True


def _preflight_target(
    req: Request, view_functions: dict[str, Callable[..., Any]], acrm: str
) -> tuple[Callable[..., Any] | None, Sequence[str]] | None:
    """``preflight_target`` for the current Quart request."""
    return preflight_target(
        req.routing_exception,
        req.endpoint,
        request_ctx.url_adapter,
        view_functions,
        acrm,
    )


async def _check_websocket(
    socket: Websocket, policy: Policy, placement: Placement
) -> None:
    """Refuse the handshake (403) of an origin the policy does not allow."""
    if not placement.check_websocket_origin:
        return

    decision = _websocket_decision(socket, policy)
    if decision is not None and decision.awaits_origin_check:
        decision = await policy.decide_async("GET", socket.headers)
    _refuse_websocket(socket, decision, placement)


def _websocket_decision(socket: Websocket, policy: Policy) -> Decision | None:
    """The decision on a handshake, or ``None`` when there is none to make.

    A decision that ``awaits_origin_check`` is settled by the caller, which
    awaits (or runs) ``Policy.decide_async``.
    """
    origin = socket.headers.get("Origin")
    # No Origin: not a browser, whose handshakes always carry one (RFC 6455,
    # section 4.1), so there is no cross-site page to guard against.
    if origin is None or is_same_origin(origin, socket.scheme, socket.host):
        return None
    return policy.decide("GET", socket.headers)


def _refuse_websocket(
    socket: Websocket, decision: Decision | None, placement: Placement
) -> None:
    if decision is None:
        return
    origin = socket.headers.get("Origin")
    log_decision(decision, "WEBSOCKET", socket.path, origin, placement.debug)
    if not decision.allowed:
        abort(403)


# -- Shared steps ------------------------------------------------------------------


async def _decide(policy: Policy, method: str, req: Request | Websocket) -> Decision:
    """Decide, awaiting the async origin callables on the event loop."""
    return await policy.decide_async(method, req.headers)


async def _add_headers(
    response: ResponseTypes, req: Request, policy: Policy, placement: Placement
) -> ResponseTypes:
    if not placement.intercept_exceptions and getattr(req, _UNHANDLED, False):
        return response

    decision = await _decide(policy, req.method, req)
    apply_decision(decision, response.headers)
    _log(decision, req, placement)

    return response


def _preflight_response(app: Quart, decision: Decision) -> Response:
    # An explicit empty body: some servers never start a response whose
    # body yields nothing (DESIGN.md, "Known pitfalls").
    # A new response has no headers to merge with: hand them over at once.
    return app.response_class(
        b"", status=decision.status or 200, headers=Headers(decision.headers)
    )


def _log(decision: Decision, req: Request, placement: Placement) -> None:
    # Only look the Origin up when a record can be emitted: a Headers
    # lookup is a scan of the request's headers.
    if placement.debug or logger.isEnabledFor(logging.DEBUG):
        origin = req.headers.get("Origin")
        log_decision(decision, req.method, req.path, origin, placement.debug)


async def _note_unhandled_exception(sender: object, **extra: object) -> None:
    # Quart sends got_request_exception from handle_exception, for an
    # exception no error handler took, just before it makes the 500. Async,
    # so that Quart awaits it rather than sending it to a thread.
    if has_request_context():
        setattr(request_ctx.request, _UNHANDLED, True)


# One receiver for every app, connected once; it only marks the request.
got_request_exception.connect(_note_unhandled_exception, weak=False)


# -- The runtime of @cross_origin -------------------------------------------------


def _view_policy(app: Quart, spec: ViewSpec) -> tuple[Policy | None, Placement]:
    # A decorator's scope has no resources, so its default is its one
    # policy; its placement includes the app's CORS_* keys.
    scope = spec.scope_for(app, app.config)
    return scope.default, scope.placement


async def _answer_options(
    app: Quart, req: Request, policy: Policy, placement: Placement
) -> Response:
    """An OPTIONS request routed to the decorator, which answers it itself.

    A preflight gets the decision; any other OPTIONS request Quart's
    default OPTIONS response, with the headers of an actual request.
    """
    decision = await _decide(policy, "OPTIONS", req)
    _log(decision, req, placement)
    if decision.preflight:
        return _preflight_response(app, decision)

    response = await app.make_default_options_response()
    apply_decision(decision, response.headers)
    return response


async def _check_decorated_websocket(spec: ViewSpec) -> None:
    """The decorator's own websocket check, unless the app's hook ran it.

    Quart has not accepted the handshake yet when the handler starts, so a
    403 raised here still refuses it.
    """
    app: Quart = current_app._get_current_object()  # type: ignore[attr-defined]
    socket = websocket_ctx.websocket
    if spec.covered_by_hooks(app.extensions, app.view_functions, socket.endpoint):
        return

    policy, placement = _view_policy(app, spec)
    if policy is not None:
        await _check_websocket(socket, policy, placement)


def _check_decorated_websocket_sync(spec: ViewSpec) -> None:
    """``_check_decorated_websocket`` for a sync handler, in Quart's thread.

    Nothing can be awaited here, so an async origin callable runs on an
    event loop of its own, as Flask runs async code.
    """
    app: Quart = current_app._get_current_object()  # type: ignore[attr-defined]
    socket = websocket_ctx.websocket
    if spec.covered_by_hooks(app.extensions, app.view_functions, socket.endpoint):
        return

    policy, placement = _view_policy(app, spec)
    if policy is None or not placement.check_websocket_origin:
        return
    decision = _websocket_decision(socket, policy)
    if decision is not None and decision.awaits_origin_check:
        decision = asyncio.run(policy.decide_async("GET", socket.headers))
    _refuse_websocket(socket, decision, placement)


def _headers_later(req: Request, policy: Policy, placement: Placement) -> None:
    """Have whatever response the view ends in (its own, an ``abort()``, an
    error handler's) get the headers, decided on the event loop."""

    async def add_headers(response: ResponseTypes) -> ResponseTypes:
        return await _add_headers(response, req, policy, placement)

    setattr(req, _HANDLED, True)
    after_this_request(add_headers)


def call_sync(
    view: Callable[..., Any], spec: ViewSpec, args: Any, kwargs: dict[str, Any]
) -> Any:
    """Run a sync view decorated with ``@cross_origin``.

    Quart calls it in a worker thread, so nothing here awaits. What must be
    awaited (an async origin callable, ``make_default_options_response``)
    goes to an async ``after_this_request`` function, which Quart awaits on
    the event loop and which replaces the placeholder returned here.
    """
    if not has_request_context():
        if has_websocket_context():
            _check_decorated_websocket_sync(spec)
        return view(*args, **kwargs)

    app: Quart = current_app._get_current_object()  # type: ignore[attr-defined]
    req = request_ctx.request
    options = req.method == "OPTIONS" and spec.placement.automatic_options
    if spec.covered_by_hooks(app.extensions, app.view_functions, req.endpoint):
        # The early hook answered any preflight; the late hook adds the
        # headers. An OPTIONS here is not a preflight.
        if not options:
            return view(*args, **kwargs)

        async def default_options(response: ResponseTypes) -> ResponseTypes:
            return await app.make_default_options_response()

        after_this_request(default_options)
        return app.response_class(b"")

    policy, placement = _view_policy(app, spec)
    if policy is None:
        return view(*args, **kwargs)

    if options:

        async def answer(response: ResponseTypes) -> ResponseTypes:
            return await _answer_options(app, req, policy, placement)

        setattr(req, _HANDLED, True)
        after_this_request(answer)
        return app.response_class(b"")

    _headers_later(req, policy, placement)
    return view(*args, **kwargs)


async def call_async(
    view: Callable[..., Awaitable[Any]],
    spec: ViewSpec,
    args: Any,
    kwargs: dict[str, Any],
) -> Any:
    """Run an async view or websocket handler decorated with ``@cross_origin``."""
    if not has_request_context():
        if has_websocket_context():
            await _check_decorated_websocket(spec)
        return await view(*args, **kwargs)

    app: Quart = current_app._get_current_object()  # type: ignore[attr-defined]
    req = request_ctx.request
    options = req.method == "OPTIONS" and spec.placement.automatic_options
    if spec.covered_by_hooks(app.extensions, app.view_functions, req.endpoint):
        if options:
            return await app.make_default_options_response()
        return await view(*args, **kwargs)

    policy, placement = _view_policy(app, spec)
    if policy is None:
        return await view(*args, **kwargs)

    if options:
        setattr(req, _HANDLED, True)
        return await _answer_options(app, req, policy, placement)

    _headers_later(req, policy, placement)
    return await view(*args, **kwargs)
