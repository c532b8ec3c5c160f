"""Flask behind gunicorn (threaded workers), over real HTTP with httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("gunicorn")

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = "https://app.example.com"
PARTNER = "https://partner.example.com"
EVIL = "https://evil.example.net"
TOKEN = {"Authorization": "Bearer secret"}
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
CORS_NAMES = (
    ACAO,
    ACAC,
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Vary",
)
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        "--workers",
        "1",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "flask_apps.gunicorn_app:app",
    ]
    # The log goes to a file: a pipe nobody reads could fill and block.
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {log_path.read_text()}")
            try:
                httpx.get(url + "/items", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start in time")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def assert_no_duplicates(response: httpx.Response) -> None:
    for name in CORS_NAMES:
        assert len(response.headers.get_list(name)) <= 1, name


def test_gunicorn_preflight_answered_before_auth(base_url: str) -> None:
    response = httpx.options(
        base_url + "/items",
        headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers[ACAO] == FRONTEND
    assert response.headers[ACAC] == "true"
    assert response.headers["Access-Control-Allow-Headers"] == (
        "authorization, content-type"
    )
    assert_no_duplicates(response)


def test_gunicorn_refused_preflight_is_403(base_url: str) -> None:
    response = httpx.options(
        base_url + "/items",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"},
        timeout=10,
    )

    assert response.status_code == 403
    assert response.content == b""
    assert not [n for n in response.headers if n.startswith("access-control-")]
    assert response.headers["Vary"] == "Origin"


def test_gunicorn_credentials_on_401_and_200(base_url: str) -> None:
    denied = httpx.get(base_url + "/items", headers={"Origin": FRONTEND}, timeout=10)
    granted = httpx.get(
        base_url + "/items", headers={"Origin": FRONTEND, **TOKEN}, timeout=10
    )

    assert denied.status_code == 401
    assert denied.headers[ACAO] == FRONTEND
    assert denied.headers[ACAC] == "true"
    assert granted.status_code == 200
    assert granted.headers[ACAO] == FRONTEND
    assert granted.headers[ACAC] == "true"
    assert granted.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert granted.headers.get_list("Vary") == ["Accept-Encoding, Origin"]
    assert_no_duplicates(denied)
    assert_no_duplicates(granted)


def test_gunicorn_async_decorated_view(base_url: str) -> None:
    preflight = httpx.options(
        base_url + "/partner",
        headers={"Origin": PARTNER, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    actual = httpx.get(
        base_url + "/partner", headers={"Origin": PARTNER, **TOKEN}, timeout=10
    )
    frontend = httpx.get(
        base_url + "/partner", headers={"Origin": FRONTEND, **TOKEN}, timeout=10
    )

    assert preflight.status_code == 200
    assert preflight.headers[ACAO] == PARTNER
    assert actual.json() == {"partner": True}
    assert actual.headers[ACAO] == PARTNER
    assert ACAO not in frontend.headers
    assert_no_duplicates(actual)


def test_gunicorn_unhandled_exception_gets_headers(base_url: str) -> None:
    response = httpx.get(
        base_url + "/boom", headers={"Origin": FRONTEND, **TOKEN}, timeout=10
    )

    assert response.status_code == 500
    assert response.headers[ACAO] == FRONTEND
    assert_no_duplicates(response)


def test_gunicorn_threads_keep_headers_apart(base_url: str) -> None:
    origins = [FRONTEND, EVIL, PARTNER, f"{FRONTEND}:8443"] * 10

    def one(origin: str) -> tuple[str, httpx.Response]:
        headers = {"Origin": origin, **TOKEN}
        return origin, httpx.get(base_url + "/items", headers=headers, timeout=10)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, origins, timeout=60))

    for origin, response in results:
        assert response.status_code == 200
        assert response.json()["origin"] == origin
        expected = [FRONTEND] if origin == FRONTEND else []
        assert response.headers.get_list(ACAO) == expected
        assert_no_duplicates(response)
