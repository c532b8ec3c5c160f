"""The Flask adapter: hooks for ``CORS(app)``/``CORS(bp)`` and the runtime
of ``@cross_origin`` on sync and async views.

No CORS rule lives here. Each request is resolved to one policy by
``AppState`` (cached per endpoint), decided by ``Policy.decide`` and applied
with ``apply_decision``. Hooks are plain ``def`` functions: Flask's
``ensure_sync`` leaves them inline, even when the view is ``async def``.

Two hooks per app, installed once:

- an early ``before_request`` function, first in the app's list, that
  answers CORS preflights before any other ``before_request`` function,
  auth decorator or view runs;
- a late ``after_request`` function, last to run, that adds the headers of
  the decision to every other response: views, ``abort()``, error handlers,
  routing errors, redirects and (unless ``intercept_exceptions=False``) the
  500 of an unhandled exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    after_this_request,
    current_app,
    got_request_exception,
    request,
)
from flask.globals import _cv_request

from ._apply import apply_decision, log_decision, logger
from ._placement import (
    AppState,
    Placement,
    ViewSpec,
)
from ._policy import Decision, Policy
from ._routing import preflight_policy, preflight_target

__all__ = ["call_async", "call_sync", "ensure_hooks", "is_blueprint"]

#: WSGI environ keys, per request. ``_HANDLED``: this request's CORS work
#: is done (a preflight was answered, or a decorator applies its decision
#: itself), so the app-wide hook keeps out. ``_UNHANDLED``: the response is
#: the 500 Flask made for an exception no error handler took.
_HANDLED = "crossorigin.handled"
_UNHANDLED = "crossorigin.unhandled_exception"

_UNKNOWN: Any = object()


def is_blueprint(target: object) -> bool:
    """Whether ``CORS`` was given a blueprint rather than an app."""
    return isinstance(target, Blueprint)


def ensure_hooks(app: Flask, state: AppState) -> None:
    """Install the early preflight hook and the late header hook, once."""
    if state.hooks_installed:
        return

    answer_preflight, add_headers = _make_hooks(app, state)
    # First in the list, so that preflights are answered ahead of every
    # other before_request function, including those registered earlier.
    app.before_request_funcs.setdefault(None, []).insert(0, answer_preflight)
    # after_request functions run in reverse order: index 0 runs last, so
    # this hook sees headers the other hooks set (a Vary, their own ACAO).
    app.after_request_funcs.setdefault(None, []).insert(0, add_headers)
    state.hooks_installed = True


def _make_hooks(
    app: Flask, state: AppState
) -> tuple[Callable[[], Response | None], Callable[[Response], Response]]:
    # Everything that does not change per request is bound here, once: these
    # two functions run on every request, so each attribute lookup counts.
    config = app.config
    view_functions = app.view_functions
    response_scope = state.response_scope
    # Read without a call on the hot path; endpoint_scope fills it.
    scopes = state.endpoint_scopes
    current = _cv_request.get
    apply = apply_decision
    debug_enabled = logger.isEnabledFor
    debug_level = logging.DEBUG

    def answer_preflight() -> Response | None:
        req = current().request
        if req.method != "OPTIONS":
            return None

        # Read the environ directly: EnvironHeaders.get raises and catches
        # a KeyError for an absent header.
        acrm = req.environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if acrm is None:
            return None

        answer = preflight_policy(
            state,
            app,
            config,
            view_functions,
            req.routing_exception,
            req.endpoint,
            current().url_adapter,
            req.path,
            acrm,
        )
        if answer is None:
            return None
        policy, placement = answer

        decision = _decide(app, policy, "OPTIONS", req.headers)
        if not decision.preflight:
            return None

        _log(decision, req, placement)
        req.environ[_HANDLED] = True
        return _preflight_response(app, decision)

    def add_headers(response: Response) -> Response:
        req = current().request
        environ = req.environ
        if _HANDLED in environ:
            return response

        rule = req.url_rule
        endpoint = rule.endpoint if rule else None
        scope = scopes.get(endpoint, _UNKNOWN)
        if scope is _UNKNOWN:
            scope = response_scope(
                app,
                config,
                endpoint,
                view_functions,
                req.method,
                environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            )
        if scope is None:
            return response

        method = req.method
        policy = scope.plain
        if policy is not None and method != "OPTIONS":
            # The path every simple request takes: only Origin matters
            # outside a preflight, read from the environ in one lookup, and
            # a listed origin's answer is looked up, not computed.
            origin = environ.get("HTTP_ORIGIN")
            decision = scope.listed.get(origin) or policy.decide_facts(method, origin)
            if not decision.awaits_origin_check:
                apply(decision, response.headers)
                if debug_enabled(debug_level):
                    _log(decision, req, scope.placement)
                return response

        placement = scope.placement
        if not placement.intercept_exceptions and _UNHANDLED in environ:
            return response
        policy = scope.policy_for(req.path) if scope.rules else scope.default
        if policy is None:
            return response
        decision = _decide(app, policy, method, req.headers)
        apply(decision, response.headers)
        if placement.debug or debug_enabled(debug_level):
            _log(decision, req, placement)
        return response

    return answer_preflight, add_headers


def _preflight_target(
    app: Flask, req: Request, acrm: str
) -> tuple[Callable[..., Any] | None, Sequence[str]] | None:
    """``preflight_target`` for the current Flask request."""
    return preflight_target(
        req.routing_exception,
        req.endpoint,
        _cv_request.get().url_adapter,
        app.view_functions,
        acrm,
    )


def _decide(app: Flask, policy: Policy, method: str, headers: Any) -> Decision:
    """Decide, running the async origin callables only when they matter.

    Only an origin nothing else in ``origins`` allows goes to them, through
    ``ensure_sync`` (costly: an event loop per call, hence the advice to
    cache inside the callable).
    """
    decision = policy.decide(method, headers)
    if decision.awaits_origin_check:
        decision = app.ensure_sync(policy.decide_async)(method, headers)
    return decision


def _preflight_response(app: Flask, decision: Decision) -> Response:
    # An explicit empty body: some WSGI servers (hypercorn 0.18) never
    # start a response whose body iterable yields nothing.
    # A new response has no headers to merge with: hand them over at once.
    return app.response_class(
        b"", status=decision.status or 200, headers=list(decision.headers)
    )


def _log(decision: Decision, req: Request, placement: Placement) -> None:
    if placement.debug or logger.isEnabledFor(logging.DEBUG):
        origin = req.environ.get("HTTP_ORIGIN")
        log_decision(decision, req.method, req.path, origin, placement.debug)


def _note_unhandled_exception(sender: object, **extra: object) -> None:
    # Flask sends got_request_exception from handle_exception, for an
    # exception no error handler took, just before it makes the 500.
    if request:
        request.environ[_UNHANDLED] = True


# A module-level receiver, connected once for every app: blinker holds it
# weakly, and it lives as long as this module.
got_request_exception.connect(_note_unhandled_exception)


# -- The runtime of @cross_origin ---------------------------------------------


def _on_its_own(
    app: Flask, placement: Placement, req: Request, decision: Decision
) -> Response | None:
    """The decorator without app hooks: answer or arrange the headers.

    Returns the response to a preflight or OPTIONS request, or ``None``
    after registering ``after_this_request`` so that whatever response the
    view ends in (its own, an ``abort()``, an error handler's) gets them.
    """
    environ = req.environ
    environ[_HANDLED] = True
    _log(decision, req, placement)
    if decision.preflight and placement.automatic_options:
        return _preflight_response(app, decision)

    if req.method == "OPTIONS" and placement.automatic_options:
        # The decorator took over Flask's automatic OPTIONS answer.
        response = app.make_default_options_response()
        apply_decision(decision, response.headers)
        return response

    def add_headers(response: Response) -> Response:
        if not placement.intercept_exceptions and _UNHANDLED in environ:
            return response
        apply_decision(decision, response.headers)
        return response

    after_this_request(add_headers)
    return None


def _view_policy(app: Flask, spec: ViewSpec) -> tuple[Policy | None, Placement]:
    # A decorator's scope has no resources, so its default is its one
    # policy; its placement includes the app's CORS_* keys.
    scope = spec.scope_for(app, app.config)
    return scope.default, scope.placement


def call_sync(view: Callable[..., Any], spec: ViewSpec, args: Any, kwargs: Any) -> Any:
    """Run a sync view decorated with ``@cross_origin``."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    if spec.covered_by_hooks(app.extensions, app.view_functions, req.endpoint):
        # The early hook answered any preflight; the late hook adds the
        # headers. An OPTIONS here is not a preflight.
        if req.method == "OPTIONS" and spec.placement.automatic_options:
            return app.make_default_options_response()
        return view(*args, **kwargs)

    policy, placement = _view_policy(app, spec)
    if policy is None:
        return view(*args, **kwargs)

    decision = _decide(app, policy, req.method, req.headers)
    response = _on_its_own(app, placement, req, decision)
    if response is not None:
        return response
    return view(*args, **kwargs)


async def call_async(
    view: Callable[..., Any], spec: ViewSpec, args: Any, kwargs: Any
) -> Any:
    """Run an async view decorated with ``@cross_origin``.

    Flask runs it on an event loop through ``ensure_sync``; the request
    context travels with it, so the same steps as ``call_sync`` apply, and
    an async origin callable is awaited directly.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    if spec.covered_by_hooks(app.extensions, app.view_functions, req.endpoint):
        if req.method == "OPTIONS" and spec.placement.automatic_options:
            return app.make_default_options_response()
        return await view(*args, **kwargs)

    policy, placement = _view_policy(app, spec)
    if policy is None:
        return await view(*args, **kwargs)

    decision = await policy.decide_async(req.method, req.headers)
    response = _on_its_own(app, placement, req, decision)
    if response is not None:
        return response
    return await view(*args, **kwargs)
