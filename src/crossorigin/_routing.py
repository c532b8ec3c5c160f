"""Which policy answers a preflight the router could not dispatch.

Shared by both adapters: Flask and Quart both route with Werkzeug, so the
routing errors and the URL adapter are the same objects. Imported by the
adapters only, never by ``import crossorigin``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter, RequestRedirect

from ._placement import blueprint_names, method_handler

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
