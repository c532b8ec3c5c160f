"""Throughput behind real servers, on loopback, with and without crossorigin.

Flask runs under gunicorn and Quart under hypercorn (DESIGN.md: hypercorn
is kept for Quart), one worker each. Every server binds 127.0.0.1 and is
stopped at the end. The load generator is ``wrk`` (Debian's package) when it
is installed, else an httpx loop; each run is bounded in time.

The variants are compared in pairs *served at the same moment*: the bare
app and the other variant, each in its own server on the same CPU, each
loaded by its own half of the connections. A shared machine changes speed
from one second to the next (its neighbours take caches, memory bandwidth
and the CPU itself), by far more than the few per cent compared here; two
servers loaded together meet the same conditions, where two loaded one
after the other do not. Each server's throughput is its requests per
second of its own CPU time (its whole process tree, from the scheduler's
``/proc/<pid>/task/*/schedstat``): with two servers sharing one CPU, that
is what each would serve with the CPU to itself, and it does not depend on
how the scheduler happened to split the CPU between them.

Each simple-request run also pairs the bare app with a second process of
the bare app: the *control*, whose ratio would be 1 on a quiet machine, so
its spread is the resolution of the whole comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
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

#: (name, server, bare variant, crossorigin variant, reference variant).
#: The reference adds two fixed headers and no CORS logic; it and the
#: control are served for simple requests only.
FRAMEWORKS = (
    (
        "flask",
        "gunicorn",
        "flask-sync-bare",
        "flask-sync-crossorigin",
        "flask-sync-fixed_headers",
    ),
    ("quart", "hypercorn", "quart-bare", "quart-crossorigin", "quart-fixed_headers"),
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
#: Connections in all, half to each server of a pair.
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
) -> Iterator[dict[str, list[tuple[int, int]]]]:
    """Start ``COPIES`` servers per (variant, server); yield (port, pid)s."""
    procs: list[subprocess.Popen[bytes]] = []
    ports: dict[str, list[tuple[int, int]]] = {}
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
                ports[variant].append((port, proc.pid))
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


def _cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its descendants, all threads, in seconds.

    Read from the scheduler's per-thread run time (nanoseconds), which
    unlike ``utime`` is not rounded to clock ticks: a 2-second run would
    otherwise be measured to the nearest percent. ``None`` where /proc has
    no schedstat (not Linux).
    """
    total = 0
    pending = [pid]
    try:
        while pending:
            current = pending.pop()
            task_dir = Path(f"/proc/{current}/task")
            for task in task_dir.iterdir():
                total += int((task / "schedstat").read_text().split()[0])
                pending += map(int, (task / "children").read_text().split())
    except FileNotFoundError:
        return None
    return total / 1e9


_WRK_SCRIPT = """wrk.method = "{method}"
{headers}
"""


def _wrk(
    ports: list[int],
    method: str,
    headers: dict[str, str],
    seconds: int,
    tmp: Path,
) -> list[dict[str, Any]]:
    """Load every port at once, each from its own wrk; one result per port."""
    script = tmp / f"{method}.lua"
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script.write_text(_WRK_SCRIPT.format(method=method, headers=lines))
    connections = max(1, CONNECTIONS // len(ports))
    procs = [
        subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                str(script),
                f"http://{HOST}:{port}{PATH}",
            ],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=_pin(CPU_SPLIT[1] if CPU_SPLIT else None),
        )
        for port in ports
    ]
    outputs = [proc.communicate(timeout=seconds + 30)[0] for proc in procs]
    results = []
    for proc, out in zip(procs, outputs, strict=True):
        found = re.search(r"(\d+) requests in", out)
        if proc.returncode != 0 or found is None:
            raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out}")
        bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
        errors = re.search(r"Socket errors:.*", out)
        results.append(
            {
                "requests": int(found.group(1)),
                "non_2xx": int(bad.group(1)) if bad else 0,
                "socket_errors": errors.group(0) if errors else "",
            }
        )
    return results


def _httpx(
    ports: list[int],
    method: str,
    headers: dict[str, str],
    seconds: float,
    tmp: Path,
) -> list[dict[str, Any]]:
    """``_wrk`` without wrk: every port loaded at once from one event loop."""
    import httpx

    async def main() -> list[dict[str, Any]]:
        deadline = time.monotonic() + seconds
        counts = [[0, 0] for _ in ports]

        async def worker(client: httpx.AsyncClient, index: int) -> None:
            url = f"http://{HOST}:{ports[index]}{PATH}"
            # Bounded both in time and in count.
            for _ in range(1_000_000):
                if time.monotonic() >= deadline:
                    return
                response = await client.request(method, url, headers=headers)
                counts[index][0] += 1
                if response.status_code >= 400:
                    counts[index][1] += 1

        per_port = max(1, CONNECTIONS // len(ports))
        limits = httpx.Limits(max_connections=CONNECTIONS)
        async with httpx.AsyncClient(limits=limits, timeout=5) as client:
            await asyncio.gather(
                *(
                    worker(client, index)
                    for index in range(len(ports))
                    for _ in range(per_port)
                )
            )
        return [
            {"requests": done, "non_2xx": bad, "socket_errors": ""}
            for done, bad in counts
        ]

    return asyncio.run(main())


def load_generator() -> tuple[str, Callable[..., list[dict[str, Any]]]]:
    if shutil.which("wrk"):
        return "wrk", _wrk
    return "httpx", _httpx


def _comparisons(request: str, bare: str, ours: str, reference: str) -> dict[str, str]:
    """What is paired with the bare app, by role."""
    if request != "simple":
        # A preflight is no request the reference answers.
        return {"ours": ours}
    return {"ours": ours, "reference": reference, "control": bare}


def run(rounds: int, seconds: int, log: Callable[[str], None]) -> dict[str, Any]:
    tool, load = load_generator()
    # Only wrk runs in a process of its own, which can be pinned.
    split = CPU_SPLIT if tool == "wrk" else None
    specs = [
        (variant, server) for _, server, *variants in FRAMEWORKS for variant in variants
    ]
    results: dict[str, Any] = {
        "tool": tool,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "rounds": rounds,
        "copies": COPIES,
        "paired": True,
        "servers": {name: server for name, server, *_ in FRAMEWORKS},
        "cpus": (
            {"server": sorted(split[0]), "load": sorted(split[1])} if split else None
        ),
        "runs": {},
    }
    # A fixed seed: the same order on every run of the benchmark.
    shuffle = random.Random(7).shuffle
    with tempfile.TemporaryDirectory(prefix="crossorigin-bench-") as tmpdir:
        tmp = Path(tmpdir)
        with _servers(specs, tmp, split[0] if split else None) as served:
            for name, server, bare, ours, reference in FRAMEWORKS:
                for request, (method, headers) in REQUESTS.items():
                    key = f"{name}/{request}"
                    pairs = _comparisons(request, bare, ours, reference)
                    log(f"  {key} ({server}, {tool}, {' / '.join(pairs)})")
                    for variant in {bare, *pairs.values()}:  # warm-up
                        for port, _ in served[variant]:
                            load([port], method, headers, 1, tmp)
                    runs: dict[str, list[dict[str, Any]]] = {r: [] for r in pairs}
                    for r in range(rounds):
                        roles = list(pairs)
                        shuffle(roles)
                        for role in roles:
                            variant = pairs[role]
                            # The control pairs two different processes of
                            # the bare app.
                            other = (r + (variant == bare)) % COPIES
                            runs[role].append(
                                _paired_run(
                                    load,
                                    served[bare][r % COPIES],
                                    served[variant][other],
                                    # Which server's load starts first
                                    # alternates.
                                    r % 2 == 1,
                                    (method, headers, seconds, tmp),
                                )
                            )
                    results["runs"][key] = runs
        for variant, _ in specs:
            for copy in range(COPIES):
                name = f"{variant}.{copy}"
                text = (tmp / f"{name}.log").read_text(errors="replace").strip()
                if text:
                    log(f"  server log {name}: {text[-500:]}")
    return results


def _paired_run(
    load: Callable[..., list[dict[str, Any]]],
    bare: tuple[int, int],
    other: tuple[int, int],
    other_first: bool,
    request: tuple[str, dict[str, str], int, Path],
) -> dict[str, Any]:
    """One simultaneous run of the bare server and another; both results."""
    servers = [other, bare] if other_first else [bare, other]
    before = [_cpu_seconds(pid) for _, pid in servers]
    loads = load([port for port, _ in servers], *request)
    after = [_cpu_seconds(pid) for _, pid in servers]
    for result, start, end in zip(loads, before, after, strict=True):
        result["cpu_s"] = None if start is None or end is None else end - start
    if other_first:
        loads.reverse()
    bare_result, other_result = loads
    return {"bare": bare_result, "other": other_result}
