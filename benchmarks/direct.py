"""Time requests by calling the WSGI or ASGI app directly, with no socket.

A request's environ (WSGI) or scope (ASGI) is built once per case and
copied for each call, so the harness costs the same for every variant and
the CORS layer is not lost in network noise. The variants of one case are
interleaved: each round times a batch of calls of every variant in turn,
in an order shuffled anew each round.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from apps import PATH, Case, Variant

HOST = "api.example.com"

#: The clock batches are timed with. By default the CPU time of the thread
#: that calls the app, where Flask and Quart handle the request and every
#: CORS library does its work: it leaves out the time other processes take
#: the CPU away, which on a busy shared machine is most of the noise. A
#: Flask async view also runs an event loop in a thread of its own
#: (asgiref), whose CPU time is the same for every variant but spreads far
#: wider than any CORS cost; ``cpu`` (the whole process) counts it too, and
#: ``wall`` is elapsed time.
CLOCKS = {
    "thread": time.thread_time_ns,
    "cpu": time.process_time_ns,
    "wall": time.perf_counter_ns,
}
clock = CLOCKS["thread"]


def set_clock(name: str) -> None:
    global clock
    clock = CLOCKS[name]


def _start_response(
    status: str, headers: list[tuple[str, str]], exc: Any = None
) -> Any:
    return None


class WSGICaller:
    """Calls a WSGI app with a copy of one prebuilt environ."""

    def __init__(self, app: Any, case: Case) -> None:
        from werkzeug.test import EnvironBuilder

        builder = EnvironBuilder(
            path=PATH,
            method=case.method,
            headers=list(case.headers),
            base_url=f"https://{HOST}",
        )
        self.app = app
        self.environ = builder.get_environ()
        builder.close()

    def inspect(self) -> tuple[int, list[tuple[str, str]], bytes]:
        seen: dict[str, Any] = {}

        def start_response(status: str, headers: Any, exc: Any = None) -> None:
            seen["status"] = int(status.split()[0])
            seen["headers"] = list(headers)

        body = self.app(self.environ.copy(), start_response)
        data = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return seen["status"], seen["headers"], data

    def time(self, n: int) -> int:
        app = self.app
        copy = self.environ.copy
        start_response = _start_response
        now = clock
        start = now()
        for _ in range(n):
            body = app(copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return now() - start

    def median_call(self, n: int) -> float:
        """The median of ``n`` calls, each timed on its own (ns).

        The call is written out here as in ``time``, not shared through a
        helper: a function call per request would be timed with it.
        """
        app = self.app
        copy = self.environ.copy
        start_response = _start_response
        now = clock
        times = []
        for _ in range(n):
            start = now()
            body = app(copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
            times.append(now() - start)
        return statistics.median(times)


_REQUEST_MESSAGE = {"type": "http.request", "body": b"", "more_body": False}


async def _ignore(message: Any) -> None:
    return None


class ASGICaller:
    """Calls an ASGI app with a copy of one prebuilt scope, in one loop."""

    def __init__(self, app: Any, case: Case, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": case.method,
            "scheme": "https",
            "path": PATH,
            "raw_path": PATH.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", HOST.encode()),
                *((k.lower().encode(), v.encode()) for k, v in case.headers),
            ],
            "client": ("127.0.0.1", 50000),
            "server": (HOST, 443),
            "extensions": {},
        }
        loop.run_until_complete(app.startup())

    def _receive(self) -> Callable[[], Any]:
        loop = self.loop
        sent = False

        async def receive() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return _REQUEST_MESSAGE
            # The request has no more body: wait until the app is done and
            # cancels us, as a server would until the client disconnects.
            return await loop.create_future()

        return receive

    def inspect(self) -> tuple[int, list[tuple[str, str]], bytes]:
        messages: list[Any] = []

        async def send(message: Any) -> None:
            messages.append(message)

        async def one() -> None:
            await self.app(dict(self.scope), self._receive(), send)

        self.loop.run_until_complete(one())
        start = messages[0]
        headers = [(k.decode(), v.decode()) for k, v in start["headers"]]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        return start["status"], headers, body

    def time(self, n: int) -> int:
        app = self.app
        scope = self.scope
        make_receive = self._receive

        now = clock

        async def batch() -> int:
            start = now()
            for _ in range(n):
                await app(dict(scope), make_receive(), _ignore)
            return now() - start

        return self.loop.run_until_complete(batch())

    def close(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())


Caller = WSGICaller | ASGICaller

#: Groups whose figure for a round is the median call of the batch, not the
#: mean. A Flask async view starts a thread and an event loop for every call
#: (asgiref), and how long that takes varies from call to call by far more
#: than a CORS layer costs: the few slow calls in a batch move its mean by
#: more than the difference being measured, and they do not move its median.
#: Timing each call adds two clock reads to every variant alike.
MEDIAN_CALL_GROUPS = frozenset({"flask-async"})


def make_caller(
    variant: Variant, case: Case, loop: asyncio.AbstractEventLoop
) -> Caller:
    app = variant.build(case.origins)
    if variant.framework == "quart":
        return ASGICaller(app, case, loop)
    return WSGICaller(app, case)


def check_response(
    variant: Variant, case: Case, status: int, headers: list[tuple[str, str]]
) -> tuple[str | None, str | None]:
    """Return (problem, note) about a variant's answer to a case.

    A benchmark of a broken configuration measures nothing, so every
    variant is checked once before it is timed. A problem is a response
    that is not what the case is about; a note records where another
    library answers differently by its own design.
    """
    acao = [v for k, v in headers if k.lower() == "access-control-allow-origin"]
    if status != 200:
        return f"status {status}, expected 200", None
    if variant.role == "bare":
        return ("bare app sent CORS headers" if acao else None), None
    if acao and not case.expect_acao:
        message = f"sends Access-Control-Allow-Origin: {acao[0]}"
        return (message, None) if variant.role == "ours" else (None, message)
    if not acao and case.expect_acao:
        return "no Access-Control-Allow-Origin", None
    return None, None


@dataclass
class CaseResult:
    """Per-call times (ns) of each variant, one value per round."""

    case: Case
    batch: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, list[float]] = field(default_factory=dict)
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _calibrate(caller: Caller, target_ns: int) -> int:
    """Warm the variant up, then size a batch to last about ``target_ns``."""
    caller.time(50)
    n = 50
    while True:
        elapsed = caller.time(n)
        if elapsed >= target_ns / 4 or n >= 1_000_000:
            break
        n *= 4
    return max(20, round(n * target_ns / max(elapsed, 1)))


WARM_CALLS = 10


def _settle(threads: int) -> None:
    """Let the previous batch finish before the next one is timed.

    Flask runs each async view on an event loop in a new thread (asgiref);
    the last of those threads may still be exiting when its batch ends, and
    the CPU time it takes would be charged to the next variant's batch.
    """
    deadline = time.monotonic() + 1.0
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.001)
    gc.collect()


def run_case(
    case: Case,
    variants: Iterable[Variant],
    rounds: int,
    target_ns: int,
    loop: asyncio.AbstractEventLoop,
    log: Callable[[str], None],
) -> CaseResult:
    result = CaseResult(case)
    callers: dict[str, Caller] = {}
    median_call: set[str] = set()
    for variant in variants:
        caller = make_caller(variant, case, loop)
        status, headers, body = caller.inspect()
        problem, note = check_response(variant, case, status, headers)
        result.responses[variant.name] = {
            "status": status,
            "headers": headers,
            "body_bytes": len(body),
        }
        if problem is not None:
            result.problems[variant.name] = problem
            log(f"  ! {variant.name}: {problem}; headers {headers}")
        if note is not None:
            result.notes[variant.name] = note
        callers[variant.name] = caller
        if variant.group in MEDIAN_CALL_GROUPS:
            median_call.add(variant.name)

    for name, caller in callers.items():
        result.batch[name] = _calibrate(caller, target_ns)
        result.rounds[name] = []

    names = list(callers)
    # A new order each round: with a fixed cyclic order every variant would
    # always follow the same one, and inherit whatever it leaves behind. The
    # seed is fixed, so a run can be repeated.
    shuffle = random.Random(f"{case.name}/{rounds}").shuffle
    threads = threading.active_count()
    for _ in range(rounds):
        order = names[:]
        shuffle(order)
        for name in order:
            n = result.batch[name]
            caller = callers[name]
            # A few calls first, untimed, so that the batch starts with this
            # variant's code and data in the caches, not the last variant's.
            caller.time(WARM_CALLS)
            _settle(threads)
            if name in median_call and isinstance(caller, WSGICaller):
                result.rounds[name].append(caller.median_call(n))
            else:
                result.rounds[name].append(caller.time(n) / n)

    for caller in callers.values():
        if isinstance(caller, ASGICaller):
            caller.close()
    return result
