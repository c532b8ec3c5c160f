"""Memory growth over many decisions, measured with tracemalloc.

``Policy.decide`` runs a million times over a mix of requests in which every
refused origin is new, and so is every origin the wildcard allows: the
policy remembers its answers to the latter, and this shows that what it
remembers stays bounded (``SEEN_LIMIT``) however many origins come. The
adapters then serve a smaller number of requests the same way, next to the
bare app, whose own growth is the baseline.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from apps import ALLOWED_ORIGIN, CASES_BY_NAME, REQUESTED_HEADERS, VARIANTS_BY_NAME
from direct import ASGICaller, WSGICaller

#: Growth under this many bytes counts as none: tracemalloc also sees
#: interpreter free lists and caches settle.
GROWTH_LIMIT = 64 * 1024


def _measure(step: Callable[[int], None], warmup: int, count: int) -> dict[str, Any]:
    tracemalloc.start()
    try:
        step(warmup)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        step(count)
        seconds = time.perf_counter() - start
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = after - before
    return {
        "count": count,
        "before_bytes": before,
        "after_bytes": after,
        "peak_bytes": peak,
        "growth_bytes": growth,
        "seconds": seconds,
        "ok": growth < GROWTH_LIMIT,
    }


def decisions(count: int) -> dict[str, Any]:
    """A million (or ``count``) calls of ``Policy.decide``."""
    from crossorigin import Policy

    policy = Policy(origins=[ALLOWED_ORIGIN, "https://*.example.org"], max_age=600)
    allowed = {"Origin": ALLOWED_ORIGIN}
    preflight = {
        "Origin": "https://a.example.org",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": REQUESTED_HEADERS,
    }
    none: dict[str, str] = {}
    decide = policy.decide
    counter = [0]

    def step(n: int) -> None:
        i = counter[0]
        for _ in range(n // 5):
            i += 1
            decide("GET", allowed)
            decide("OPTIONS", preflight)
            # A new refused origin every time, and a new allowed one.
            decide("GET", {"Origin": f"https://x{i}.example.net"})
            decide("GET", {"Origin": f"https://y{i}.example.org"})
            decide("GET", none)
        counter[0] = i

    return _measure(step, 20_000, count)


def adapter(name: str, count: int, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    """``count`` requests to one variant, alternating allowed and new
    refused origins."""
    variant = VARIANTS_BY_NAME[name]
    case = CASES_BY_NAME["simple"]
    app = variant.build(case.origins)
    caller: WSGICaller | ASGICaller
    counter = [0]
    if variant.framework == "quart":
        caller = ASGICaller(app, case, loop)
        scope = caller.scope
        base_headers = [h for h in scope["headers"] if h[0] != b"origin"]

        def step(n: int) -> None:
            i = counter[0]
            for _ in range(n // 2):
                i += 1
                caller.scope = {
                    **scope,
                    "headers": [*base_headers, (b"origin", ALLOWED_ORIGIN.encode())],
                }
                caller.inspect()
                caller.scope = {
                    **scope,
                    "headers": [
                        *base_headers,
                        (b"origin", f"https://x{i}.example.net".encode()),
                    ],
                }
                caller.inspect()
            counter[0] = i

    else:
        caller = WSGICaller(app, case)
        environ = caller.environ

        def step(n: int) -> None:
            i = counter[0]
            for _ in range(n // 2):
                i += 1
                caller.environ = {**environ, "HTTP_ORIGIN": ALLOWED_ORIGIN}
                caller.inspect()
                caller.environ = {**environ, "HTTP_ORIGIN": f"https://x{i}.example.net"}
                caller.inspect()
            counter[0] = i

    result = _measure(step, 2_000, count)
    if isinstance(caller, ASGICaller):
        caller.close()
    return result
