"""Flask async views on threads: each request keeps its own CORS headers."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from crossorigin import CORS, cross_origin

pytest.importorskip("asgiref")

ACAO = "Access-Control-Allow-Origin"
WORKERS = 8
ORIGINS = [f"https://app{i}.example.com" for i in range(WORKERS)]
ALLOWED = set(ORIGINS[::2])


def rendezvous_check(barrier: threading.Barrier) -> Any:
    """An async origin callable that holds every request inside its
    decision until all of them are there, so that they overlap."""

    async def check(origin: str) -> bool:
        await asyncio.to_thread(barrier.wait, 10)
        return origin in ALLOWED

    return check


def run_concurrently(app: Flask, method: str) -> list[Any]:
    def one(origin: str) -> Any:
        headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
        return app.test_client().open("/x", method=method, headers=headers)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, ORIGINS, timeout=30))


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
@pytest.mark.parametrize("with_cors_app", [False, True])
def test_async_threads_headers_stay_per_request(
    method: str, with_cors_app: bool
) -> None:
    app = Flask(__name__)
    if with_cors_app:
        CORS(app, resources={})

    @app.route("/x", methods=["GET", "PUT"])
    @cross_origin(origins=rendezvous_check(threading.Barrier(WORKERS)))
    async def x() -> str:
        await asyncio.sleep(0)
        return "x"

    responses = run_concurrently(app, method)

    for origin, response in zip(ORIGINS, responses, strict=True):
        allowed = origin in ALLOWED
        assert response.headers.getlist(ACAO) == ([origin] if allowed else [])
        assert response.headers.getlist("Vary") == ["Origin"]
        if method == "OPTIONS":
            assert response.status_code == (200 if allowed else 403)
