"""Start the example servers and the front ends as subprocesses, and stop them.

Every server binds 127.0.0.1 on a free port, is waited for with a bounded
timeout and is always stopped, with its whole process group (gunicorn forks
workers). Shared by the demo and the browser suite.

Two static front ends serve ``examples/frontend/``: the *listed* one, whose
origin the policies name, and the *other* one, which they do not. Both are
on 127.0.0.1, so they are cross-origin to the APIs but same-site with them,
and ``SameSite=Lax`` cookies flow over plain http.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRONTEND_DIR = ROOT / "examples" / "frontend"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

#: The API servers: name -> (how it is served, server command after the port).
BACKENDS = {
    "flask-async": "gunicorn (gthread), Flask async views",
    "flask-sync": "gunicorn (gthread), Flask sync views",
    "quart": "hypercorn, Quart",
}


class ServerError(RuntimeError):
    """A server did not start in time, or exited while starting."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(name: str, port: int) -> list[str]:
    bind = f"127.0.0.1:{port}"
    if name in ("frontend-listed", "frontend-other"):
        return [
            sys.executable, "-m", "http.server", str(port),
            "--bind", "127.0.0.1", "--directory", str(FRONTEND_DIR),
        ]  # fmt: skip
    if name in ("flask-async", "flask-sync"):
        # gunicorn, not hypercorn, for WSGI: see DESIGN.md's known pitfalls.
        # One worker, so that the recorder sees every request.
        flag = name == "flask-async"
        return [
            sys.executable, "-m", "gunicorn", "--bind", bind,
            "--worker-class", "gthread", "--workers", "1", "--threads", "4",
            "--graceful-timeout", "3", "--chdir", str(ROOT),
            f"examples._recorder:recorded_flask(async_views={flag})",
        ]  # fmt: skip
    if name == "quart":
        return [
            sys.executable, "-m", "hypercorn", "--bind", bind,
            "--graceful-timeout", "3",
            "examples._recorder:recorded_quart()",
        ]  # fmt: skip
    msg = f"unknown server {name!r}"
    raise ValueError(msg)


def _ready_path(name: str) -> str:
    return "/index.html" if name.startswith("frontend") else "/healthz"


def server_env(frontend_origin: str) -> dict[str, str]:
    """The environment for the API servers: the policy's origin, the paths."""
    env = dict(os.environ)
    env["CROSSORIGIN_EXAMPLE_FRONTEND"] = frontend_origin
    paths = [str(ROOT)]
    # From a plain checkout (nothing installed), import crossorigin from src/.
    if importlib.util.find_spec("crossorigin") is None:
        paths.append(str(ROOT / "src"))
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, deadline: float) -> None:
        url = self.origin + _ready_path(self.name)
        while True:
            if self.process.poll() is not None:
                msg = (
                    f"{self.name} exited with {self.process.returncode} while"
                    f" starting:\n{self.log_tail()}"
                )
                raise ServerError(msg)
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                msg = f"{self.name} did not answer {url} in time:\n{self.log_tail()}"
                raise ServerError(msg)
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            # The server leads its own process group (start_new_session), so
            # this reaches gunicorn's workers too, and nothing else.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)


def _spawn(name: str, port: int, env: dict[str, str], log_dir: Path) -> Server:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _command(name, port),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, process, log_path)


@dataclass
class Stack:
    """The running servers, by name, and the log directory."""

    servers: dict[str, Server] = field(default_factory=dict)
    log_dir: Path = ROOT

    @property
    def listed_origin(self) -> str:
        return self.servers["frontend-listed"].origin

    @property
    def other_origin(self) -> str:
        return self.servers["frontend-other"].origin

    def api(self, backend: str) -> str:
        return self.servers[backend].origin

    def calls(self, backend: str, tag: str) -> list[dict[str, Any]]:
        """What the ``backend`` server recorded for requests tagged ``tag``."""
        url = f"{self.api(backend)}/__calls?tag={tag}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]


@dataclass
class Api:
    """One backend's API, as seen from a test: URLs and what it received."""

    backend: str
    origin: str
    tag: str
    stack: Stack

    def url(self, path: str) -> str:
        return f"{self.origin}{path}?tag={self.tag}"

    def received(
        self, method: str | None = None, path: str | None = None
    ) -> list[dict[str, Any]]:
        """The requests this test sent to the server, oldest first."""
        return [
            call
            for call in self.stack.calls(self.backend, self.tag)
            if method in (None, call["method"]) and path in (None, call["path"])
        ]

    def preflights(self, path: str | None = None) -> list[dict[str, Any]]:
        return [
            call
            for call in self.received("OPTIONS", path)
            if call["request_method"] is not None
        ]


@contextlib.contextmanager
def running(backends: Sequence[str] = tuple(BACKENDS)) -> Iterator[Stack]:
    """Start both front ends and the ``backends``; stop them all on exit."""
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        msg = f"unknown backends {sorted(unknown)}; choose from {list(BACKENDS)}"
        raise ValueError(msg)

    names = ["frontend-listed", "frontend-other", *backends]
    ports = {name: free_port() for name in names}
    env = server_env(f"http://127.0.0.1:{ports['frontend-listed']}")
    with tempfile.TemporaryDirectory(prefix="crossorigin-servers-") as tmp:
        stack = Stack(log_dir=Path(tmp))
        try:
            for name in names:
                stack.servers[name] = _spawn(name, ports[name], env, stack.log_dir)
            deadline = time.monotonic() + START_TIMEOUT
            for server in stack.servers.values():
                server.wait_ready(deadline)
            yield stack
        finally:
            for server in stack.servers.values():
                server.stop()
