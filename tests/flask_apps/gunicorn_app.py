"""An API behind token auth, served by gunicorn in the integration tests.

Written as a Flask-CORS user would write it, with crossorigin's import.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, jsonify, request

from crossorigin import CORS, cross_origin

FRONTEND = "https://app.example.com"
PARTNER = "https://partner.example.com"

app = Flask(__name__)


@app.before_request
def require_token() -> None:
    # Knows nothing of CORS: it would refuse a preflight, which carries no
    # credentials, if crossorigin did not answer it first.
    if request.headers.get("Authorization") != "Bearer secret":
        abort(401)


CORS(app, origins=[FRONTEND], supports_credentials=True, expose_headers=["X-Total"])


def audit(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = app.make_response(view(*args, **kwargs))
        response.headers["Vary"] = "Accept-Encoding"
        return response

    return wrapper


@app.route("/items", methods=["GET", "PUT"])
@audit
def items() -> Any:
    response = jsonify(items=[1, 2, 3], origin=request.headers.get("Origin"))
    response.headers["X-Total"] = "3"
    return response


@app.get("/partner")
@cross_origin(origins=[PARTNER])
async def partner() -> Any:
    return jsonify(partner=True)


@app.get("/boom")
def boom() -> str:
    raise RuntimeError("boom")
