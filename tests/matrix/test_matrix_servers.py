"""The scenario matrix over real HTTP on 127.0.0.1.

One server per target, started and stopped here, serving every scenario of
the table under ``/<scenario name>`` (``apps.create_server_app``): gunicorn
with threaded workers for the Flask apps (sync views and async views),
hypercorn for Quart. hypercorn 0.18 serving WSGI drops empty-body
responses, so Flask is served by gunicorn only. httpx is the client;
WebSocket handshakes are written on a raw socket.

Each scenario runs in order, then the whole table runs as interleaved
copies on threads. Startup, requests and shutdown are all bounded in time.
"""

from __future__ import annotations

import base64
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import crossorigin

from .checks import Observed, assert_all, describe, instantiate, interleaved, problems
from .scenarios import SCENARIOS, TARGETS, Req, Scenario, scenarios_for

httpx = pytest.importorskip("httpx")

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 10.0
COPIES = 3
THREADS = 8


@dataclass(frozen=True)
class Server:
    target: str
    host: str
    port: int

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(target: str, port: int) -> list[str]:
    factory = f"matrix.apps:create_server_app({target!r})"
    bind = f"127.0.0.1:{port}"
    if target == "quart":
        pytest.importorskip("quart")
        pytest.importorskip("hypercorn")
        # -w 0: one process, no spawned worker to leave behind.
        return [sys.executable, "-m", "hypercorn", "-w", "0", "-b", bind, factory]

    pytest.importorskip("gunicorn")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        "--workers",
        "1",
        "--threads",
        str(THREADS),
        "--bind",
        bind,
        "--graceful-timeout",
        "5",
        factory,
    ]


class Servers:
    """Starts one server per target on first use; stops them all at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, tuple[Server, subprocess.Popen[bytes]]] = {}

    def get(self, target: str) -> Server:
        if target not in self.running:
            self.running[target] = self._start(target)
        return self.running[target][0]

    def _start(self, target: str) -> tuple[Server, subprocess.Popen[bytes]]:
        port = free_port()
        command = server_command(target, port)
        # The crossorigin under test (src/ or installed), and tests/ for
        # matrix.apps.
        package_root = str(Path(crossorigin.__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([package_root, str(TESTS)]),
        }
        log_path = self.logs / f"{target}.log"
        # To a file: a pipe nobody reads could fill up and block the server.
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=TESTS.parent,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_serving(process, port, log_path)
        except BaseException:
            stop(process)
            raise
        return Server(target, "127.0.0.1", port), process

    def stop_all(self) -> None:
        for _, process in self.running.values():
            stop(process)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    pool = Servers(tmp_path_factory.mktemp("servers"))
    try:
        yield pool
    finally:
        pool.stop_all()


def wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start in {START_TIMEOUT} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The session started for this server only: its workers too.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# -- Sending one request --------------------------------------------------------


def send(
    client: httpx.Client, server: Server, scenario: Scenario, request: Req
) -> Observed:
    path = f"/{scenario.name}{request.path}"
    if request.method == "WEBSOCKET":
        return websocket_handshake(server, path, request.headers)
    response = client.request(request.method, path, headers=list(request.headers))
    return Observed(
        response.status_code, tuple(response.headers.multi_items()), response.content
    )


def websocket_handshake(
    server: Server, path: str, headers: tuple[tuple[str, str], ...]
) -> Observed:
    """Open a WebSocket, echo one message, close; or return the refusal."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {server.host}:{server.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers),
    ]
    with socket.create_connection(
        (server.host, server.port), timeout=REQUEST_TIMEOUT
    ) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head, rest = read_head(sock)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ")[1])
        pairs = tuple(
            (name.strip(), value.strip())
            for name, _, value in (h.partition(":") for h in header_lines)
        )
        if status != 101:
            return Observed(status, pairs, None)

        mask = os.urandom(4)
        payload = b"ping"
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        frame = rest
        while len(frame) < 2 + len(payload):
            chunk = sock.recv(64)
            if not chunk:
                break
            frame += chunk
        if frame[:2] != bytes([0x81, len(payload)]) or frame[2:6] != payload:
            return Observed(599, pairs, frame)
        sock.sendall(bytes([0x88, 0x80]) + mask)  # close, no payload
        return Observed(101, (), None)


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > 65536:
            break
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


# -- The tests --------------------------------------------------------------------

CASES = [
    pytest.param(target, scenario, id=f"{target}-{scenario.name}")
    for target in TARGETS
    for scenario in SCENARIOS
    if scenario.applies_to(target)
]


@pytest.mark.parametrize(("target", "scenario"), CASES)
def test_matrix_server_sequential(
    servers: Servers, target: str, scenario: Scenario
) -> None:
    """Every request of the scenario, in order, over real HTTP."""
    server = servers.get(target)
    failures = []
    with httpx.Client(base_url=server.origin, timeout=REQUEST_TIMEOUT) as client:
        for index, template in enumerate(scenario.requests):
            request = instantiate(template, 0, server.origin)
            found = problems(request.expect, send(client, server, scenario, request))
            where = describe(scenario, server.target, index, request)
            failures.extend(f"{where}: {p}" for p in found)

    assert_all(failures)


@pytest.mark.parametrize("target", TARGETS)
def test_matrix_server_concurrent(servers: Servers, target: str) -> None:
    """The whole table, interleaved copies on threads against one server."""
    server = servers.get(target)
    work = [
        (scenario, index, request)
        for number, scenario in enumerate(scenarios_for(server.target))
        for index, request in interleaved(scenario, COPIES, server.origin, number)
    ]
    # Scenarios mixed too, in an order the seed makes reproducible.
    random.Random(len(work)).shuffle(work)

    with httpx.Client(
        base_url=server.origin,
        timeout=REQUEST_TIMEOUT,
        limits=httpx.Limits(max_connections=THREADS),
    ) as client:

        def run(item: tuple[Scenario, int, Req]) -> list[str]:
            scenario, index, request = item
            found = problems(request.expect, send(client, server, scenario, request))
            where = describe(scenario, server.target, index, request)
            return [f"{where}: {p}" for p in found]

        with ThreadPoolExecutor(THREADS) as pool:
            failures = [p for found in pool.map(run, work) for p in found]

    expected = sum(COPIES * len(s.requests) for s in scenarios_for(server.target))
    assert len(work) == expected
    assert_all(failures)
