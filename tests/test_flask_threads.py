"""Flask: concurrent requests never see each other's CORS headers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from crossorigin import CORS, cross_origin

ACAO = "Access-Control-Allow-Origin"
WORKERS = 8
ALLOWED = {f"https://app{i}.example.com" for i in range(0, WORKERS, 2)}
ORIGINS = [f"https://app{i}.example.com" for i in range(WORKERS)]


def rendezvous_check(barrier: threading.Barrier) -> Any:
    """An origin callable that holds every request inside its decision
    until all of them are there, so that they overlap for certain."""

    def check(origin: str) -> bool:
        barrier.wait(timeout=10)
        return origin in ALLOWED

    return check


def run_concurrently(app: Flask, method: str, path: str) -> list[Any]:
    def one(origin: str) -> Any:
        headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
        return app.test_client().open(path, method=method, headers=headers)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, ORIGINS, timeout=30))


def assert_each_got_its_own(responses: list[Any], preflight: bool) -> None:
    for origin, response in zip(ORIGINS, responses, strict=True):
        allowed = origin in ALLOWED
        assert response.headers.getlist(ACAO) == ([origin] if allowed else [])
        assert response.headers.getlist("Vary") == ["Origin"]
        if preflight:
            assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_threads_cors_app_headers_stay_per_request(method: str) -> None:
    app = Flask(__name__)
    CORS(app, origins=rendezvous_check(threading.Barrier(WORKERS)))

    @app.put("/x")
    @app.get("/x")
    def x() -> str:
        return "x"

    responses = run_concurrently(app, method, "/x")

    assert_each_got_its_own(responses, preflight=method == "OPTIONS")


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_threads_decorator_alone_headers_stay_per_request(method: str) -> None:
    app = Flask(__name__)

    @app.route("/x", methods=["GET", "PUT"])
    @cross_origin(origins=rendezvous_check(threading.Barrier(WORKERS)))
    def x() -> str:
        return "x"

    responses = run_concurrently(app, method, "/x")

    assert_each_got_its_own(responses, preflight=method == "OPTIONS")
