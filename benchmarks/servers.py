"""Throughput behind real servers, on loopback, with and without crossorigin.

Flask runs under gunicorn and Quart under hypercorn (DESIGN.md: hypercorn
is kept for Quart), one worker each. Every server binds 127.0.0.1 and is
stopped at the end. The load generator is ``wrk`` (Debian's package) when it
is installed, else an httpx loop; each run is bounded in time, and the
variants alternate run by run, as in the direct benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from apps import ALLOWED_ORIGIN, PATH, REQUESTED_HEADERS

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"

#: (name, framework variant names compared, server): bare, crossorigin and,
#: for simple requests only, the reference that adds two fixed headers.
PAIRS = (
    (
        "flask",
        ("flask-sync-bare", "flask-sync-crossorigin", "flask-sync-fixed_headers"),
        "gunicorn",
    ),
    ("quart", ("quart-bare", "quart-crossorigin", "quart-fixed_headers"), "hypercorn"),
)
REQUESTS = {
    "simple": ("GET", {"Origin": ALLOWED_ORIGIN}),
    "preflight": (
        "OPTIONS",
        {
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": REQUESTED_HEADERS,
        },
    ),
}
CONNECTIONS = 8
#: Server processes per variant, used in turn round by round. One process
#: runs a little faster or slower than another of the same code for the
#: whole of its life (its hash seed, its memory layout); with one process
#: per variant that luck would be in every round of the comparison.
COPIES = 3


def _cpu_split() -> tuple[set[int], set[int]] | None:
    """The CPUs for the server and for the load generator, apart.

    With both on the same CPUs the scheduler moves them about, and each
    move shows up as noise in requests per second: the server gets the
    first CPU this process may use, the load generator the others.
    ``None`` where affinity cannot be set or there is only one CPU.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return {cpus[0]}, set(cpus[1:])


CPU_SPLIT = _cpu_split()


def _pin(cpus: set[int] | None) -> Callable[[], None] | None:
    if cpus is None:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, cpus)

    return pin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _command(server: str, port: int) -> list[str]:
    bind = f"{HOST}:{port}"
    if server == "gunicorn":
        # gthread keeps connections alive, as a production setup would; the
        # sync worker closes each one, and connecting would dominate.
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            bind,
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "serve:app",
        ]
    return [
        sys.executable,
        "-m",
        "hypercorn",
        "--bind",
        bind,
        "--workers",
        "1",
        "--log-level",
        "warning",
        "serve:app",
    ]


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready after {timeout}s")


def _python_path(current: str) -> str:
    """This directory, the crossorigin this process imports, then the rest.

    Entries are made absolute, since the servers run from another
    directory.
    """
    import crossorigin

    package_root = str(Path(crossorigin.__file__).resolve().parent.parent)
    entries = [str(HERE), package_root]
    entries += [str(Path(p).resolve()) for p in current.split(os.pathsep) if p]
    return os.pathsep.join(dict.fromkeys(entries))


@contextlib.contextmanager
def _servers(
    specs: list[tuple[str, str]], logdir: Path, cpus: set[int] | None
) -> Iterator[dict[str, list[int]]]:
    """Start ``COPIES`` servers per (variant, server); yield their ports."""
    procs: list[subprocess.Popen[bytes]] = []
    ports: dict[str, list[int]] = {}
    env = dict(os.environ)
    env["PYTHONPATH"] = _python_path(env.get("PYTHONPATH", ""))
    try:
        for variant, server in specs:
            ports[variant] = []
            for copy in range(COPIES):
                port = _free_port()
                name = f"{variant}.{copy}"
                log = (logdir / f"{name}.log").open("wb")
                proc = subprocess.Popen(
                    _command(server, port),
                    cwd=HERE,
                    env={**env, "CROSSORIGIN_BENCH_APP": variant},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Inherited by the server's worker processes.
                    preexec_fn=_pin(cpus),
                )
                procs.append(proc)
                try:
                    _wait_ready(port, proc, 20)
                except RuntimeError as exc:
                    tail = (logdir / f"{name}.log").read_text(errors="replace")
                    raise RuntimeError(f"{name}: {exc}\n{tail[-2000:]}") from None
                ports[variant].append(port)
        yield ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


_WRK_SCRIPT = """wrk.method = "{method}"
{headers}
"""


def _wrk(
    port: int, method: str, headers: dict[str, str], seconds: int, tmp: Path
) -> dict[str, Any]:
    script = tmp / f"{method}.lua"
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script.write_text(_WRK_SCRIPT.format(method=method, headers=lines))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://{HOST}:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
        preexec_fn=_pin(CPU_SPLIT[1] if CPU_SPLIT else None),
    ).stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"wrk printed no Requests/sec line:\n{out}")
    rps = float(found.group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def _httpx(
    port: int, method: str, headers: dict[str, str], seconds: float, tmp: Path
) -> dict[str, Any]:
    import httpx

    async def main() -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        url = f"http://{HOST}:{port}{PATH}"
        counts = [0, 0]

        async def worker(client: httpx.AsyncClient) -> None:
            # Bounded both in time and in count.
            for _ in range(1_000_000):
                if time.monotonic() >= deadline:
                    return
                response = await client.request(method, url, headers=headers)
                counts[0] += 1
                if response.status_code >= 400:
                    counts[1] += 1

        limits = httpx.Limits(max_connections=CONNECTIONS)
        async with httpx.AsyncClient(limits=limits, timeout=5) as client:
            start = time.monotonic()
            await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
            elapsed = time.monotonic() - start
        return {"rps": counts[0] / elapsed, "non_2xx": counts[1], "socket_errors": ""}

    return asyncio.run(main())


def load_generator() -> tuple[str, Callable[..., dict[str, Any]]]:
    if shutil.which("wrk"):
        return "wrk", _wrk
    return "httpx", _httpx


def run(rounds: int, seconds: int, log: Callable[[str], None]) -> dict[str, Any]:
    tool, load = load_generator()
    # Only wrk runs in a process of its own, which can be pinned.
    split = CPU_SPLIT if tool == "wrk" else None
    specs = [(variant, server) for _, variants, server in PAIRS for variant in variants]
    results: dict[str, Any] = {
        "tool": tool,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "rounds": rounds,
        "copies": COPIES,
        "servers": {name: server for name, _, server in PAIRS},
        "cpus": (
            {"server": sorted(split[0]), "load": sorted(split[1])} if split else None
        ),
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="crossorigin-bench-") as tmpdir:
        tmp = Path(tmpdir)
        with _servers(specs, tmp, split[0] if split else None) as ports:
            for name, variants, server in PAIRS:
                for request, (method, headers) in REQUESTS.items():
                    key = f"{name}/{request}"
                    # A preflight is no request the reference answers.
                    served = variants if request == "simple" else variants[:2]
                    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in served}
                    log(f"  {key} ({server}, {tool})")
                    for variant in served:  # warm-up, not recorded
                        for port in ports[variant]:
                            load(port, method, headers, 1, tmp)
                    for r in range(rounds):
                        order = served if r % 2 == 0 else served[::-1]
                        for variant in order:
                            port = ports[variant][r % COPIES]
                            runs[variant].append(
                                load(port, method, headers, seconds, tmp)
                            )
                    results["runs"][key] = runs
        for variant, _ in specs:
            for copy in range(COPIES):
                name = f"{variant}.{copy}"
                text = (tmp / f"{name}.log").read_text(errors="replace").strip()
                if text:
                    log(f"  server log {name}: {text[-500:]}")
    return results
