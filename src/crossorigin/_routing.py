"""Which policy answers a preflight, routed or not.

Shared by both adapters: Flask and Quart both route with Werkzeug, so the
routing errors and the URL adapter are the same objects. Imported by the
adapters only, never by ``import crossorigin``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter, RequestRedirect

from ._placement import AppState, Placement, blueprint_names, method_handler
from ._policy import Policy

Target = tuple[Callable[..., Any] | None, Sequence[str]]


def preflight_target(
    routing_exception: Exception | None,
    endpoint: str | None,
    url_adapter: MapAdapter | None,
    view_functions: Mapping[str, Callable[..., Any]],
    acrm: str,
) -> Target | None:
    """The view and blueprints whose policy answers this preflight.

    ``None`` leaves the preflight to the app: a path that routes nowhere
    gets the app's 404 (with the headers of the app policy), as a resource
    that does not exist should.
    """
    if routing_exception is None:
        view = method_handler(view_functions.get(endpoint or ""), acrm)
        return view, blueprint_names(endpoint)

    if isinstance(routing_exception, RequestRedirect):
        # A preflight must not be redirected ("CORS-preflight fetch": any
        # status but ok fails it), so the app policy answers at the old URL;
        # the actual request then follows the 308.
        return None, ()

    if isinstance(routing_exception, MethodNotAllowed) and url_adapter is not None:
        # The route exists but takes no OPTIONS (provide_automatic_options
        # is off). Find it by the method the preflight asks about, so that
        # its blueprint or decorator policy is the one that answers.
        try:
            rule, _ = url_adapter.match(method=acrm.upper(), return_rule=True)
        except HTTPException:
            return None
        return view_functions.get(rule.endpoint), blueprint_names(rule.endpoint)

    return None


def preflight_policy(
    state: AppState,
    app: Any,
    config: Mapping[str, Any],
    view_functions: Mapping[str, Callable[..., Any]],
    routing_exception: Exception | None,
    endpoint: str | None,
    url_adapter: MapAdapter | None,
    path: str,
    acrm: str,
) -> tuple[Policy, Placement] | None:
    """The policy and placement that answer this preflight in the early hook.

    ``None`` leaves the request to the app: nothing of crossorigin's covers
    it, or its placement turned ``automatic_options`` off.
    """
    if routing_exception is None:
        # Routed: the endpoint's scope, cached as for every other response.
        scope = state.endpoint_scope(app, config, endpoint, view_functions, acrm)
        if scope is None:
            return None
        policy: Policy | None = scope.policy_for(path)
        placement: Placement | None = scope.placement
    else:
        target = preflight_target(
            routing_exception, endpoint, url_adapter, view_functions, acrm
        )
        if target is None:
            return None
        view, blueprints = target
        policy, placement = state.resolve(app, config, view, blueprints, path)
    if policy is None or placement is None or not placement.automatic_options:
        return None
    return policy, placement
