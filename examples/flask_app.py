"""The example API on Flask, with async views (or sync ones: same routes).

Serve it with gunicorn, not hypercorn (hypercorn's WSGI bridge turns
empty-bodied responses into 500s)::

    gunicorn --worker-class gthread --threads 4 --bind 127.0.0.1:5001 \
        examples.flask_app:app

``examples.flask_app:sync_app`` is the same API with plain ``def`` views.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response, abort, jsonify, request

from crossorigin import CORS, exempt
from examples.policy import RESOURCES

Handler = Callable[..., Any]


def items() -> Response:
    response = jsonify(items=[{"id": 1, "name": "teapot"}])
    # Script may read X-Request-Id (the policy exposes it), never the trace.
    response.headers["X-Request-Id"] = uuid.uuid4().hex
    response.headers["X-Internal-Trace"] = "internal"
    return response


def create_item() -> tuple[Response, int]:
    payload = request.get_json()
    return jsonify(created=payload), 201


def update_item(item_id: int) -> Response:
    payload = request.get_json(silent=True)
    client = request.headers.get("X-Client-Version")
    return jsonify(id=item_id, updated=payload, client_version=client)


def whoami() -> Response:
    return jsonify(authorization=request.headers.get("Authorization"))


def boom() -> Response:
    msg = "the example's deliberate failure"
    raise RuntimeError(msg)


def login() -> Response:
    user = (request.get_json(silent=True) or {}).get("user", "alice")
    response = jsonify(user=user)
    # Lax is enough: the front end and the API are same-site (one host).
    response.set_cookie("session", user, httponly=True, samesite="Lax")
    return response


def me() -> Response:
    user = request.cookies.get("session")
    if user is None:
        abort(401)
    return jsonify(user=user)


def partner_echo() -> Response:
    return jsonify(client_version=request.headers.get("X-Client-Version"))


def healthz() -> Response:
    return jsonify(ok=True)


ROUTES: Sequence[tuple[str, Handler, Sequence[str]]] = (
    ("/api/items", items, ["GET"]),
    ("/api/items", create_item, ["POST"]),
    ("/api/items/<int:item_id>", update_item, ["PUT"]),
    ("/api/whoami", whoami, ["GET"]),
    ("/api/boom", boom, ["GET"]),
    ("/account/login", login, ["POST"]),
    ("/account/me", me, ["GET"]),
    ("/partner/echo", partner_echo, ["GET", "PUT"]),
    ("/token/whoami", whoami, ["GET"]),
)


def _as_view(handler: Handler, async_views: bool) -> Handler:
    if async_views:

        async def view(**kwargs: Any) -> Any:
            # Yield to the loop once, as a view awaiting real I/O would.
            await asyncio.sleep(0)
            return handler(**kwargs)

    else:

        def view(**kwargs: Any) -> Any:
            return handler(**kwargs)

    return functools.update_wrapper(view, handler)


def create_app(*, async_views: bool = True) -> Flask:
    """Build the example API; ``async_views`` picks ``async def`` views."""
    app = Flask(__name__)
    CORS(app, resources=RESOURCES)

    for rule, handler, methods in ROUTES:
        app.add_url_rule(
            rule,
            endpoint=f"{methods[0]} {rule}",
            view_func=_as_view(handler, async_views),
            methods=methods,
        )
    # Health checks come from load balancers, not browsers: no CORS at all.
    app.add_url_rule("/healthz", view_func=exempt(_as_view(healthz, async_views)))

    return app


app = create_app()
sync_app = create_app(async_views=False)
