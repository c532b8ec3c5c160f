"""The example API on Quart: the same routes and the same policies as Flask.

Serve it with hypercorn::

    hypercorn --bind 127.0.0.1:5002 examples.quart_app:app
"""

from __future__ import annotations

import uuid

from quart import Quart, Response, abort, jsonify, request

from crossorigin import CORS, exempt
from examples.policy import RESOURCES

app = Quart(__name__)
CORS(app, resources=RESOURCES)


@app.get("/api/items")
async def items() -> Response:
    response = jsonify(items=[{"id": 1, "name": "teapot"}])
    # Script may read X-Request-Id (the policy exposes it), never the trace.
    response.headers["X-Request-Id"] = uuid.uuid4().hex
    response.headers["X-Internal-Trace"] = "internal"
    return response


@app.post("/api/items")
async def create_item() -> tuple[Response, int]:
    payload = await request.get_json()
    return jsonify(created=payload), 201


@app.put("/api/items/<int:item_id>")
async def update_item(item_id: int) -> Response:
    payload = await request.get_json(silent=True)
    client = request.headers.get("X-Client-Version")
    return jsonify(id=item_id, updated=payload, client_version=client)


@app.get("/api/whoami")
async def whoami() -> Response:
    return jsonify(authorization=request.headers.get("Authorization"))


@app.get("/api/boom")
async def boom() -> Response:
    msg = "the example's deliberate failure"
    raise RuntimeError(msg)


@app.post("/account/login")
async def login() -> Response:
    user = ((await request.get_json(silent=True)) or {}).get("user", "alice")
    response = jsonify(user=user)
    # Lax is enough: the front end and the API are same-site (one host).
    response.set_cookie("session", user, httponly=True, samesite="Lax")
    return response


@app.get("/account/me")
async def me() -> Response:
    user = request.cookies.get("session")
    if user is None:
        abort(401)
    return jsonify(user=user)


@app.route("/partner/echo", methods=["GET", "PUT"])
async def partner_echo() -> Response:
    return jsonify(client_version=request.headers.get("X-Client-Version"))


@app.get("/token/whoami")
async def token_whoami() -> Response:
    return jsonify(authorization=request.headers.get("Authorization"))


# Health checks come from load balancers, not browsers: no CORS at all.
@app.get("/healthz")
@exempt
async def healthz() -> Response:
    return jsonify(ok=True)
