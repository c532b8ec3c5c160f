"""Compare an observed response with a scenario's expectation.

Every runner (test clients, real servers) reduces a response to an
``Observed`` and calls ``problems``; an empty list means the response is
what the table says.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .scenarios import Expect, Req, Scenario

#: Headers whose value is a comma-separated list: compared as
#: case-insensitive token sets.
LIST_HEADERS = frozenset(
    {
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
        "vary",
        "allow",
    }
)


@dataclass(frozen=True)
class Observed:
    """A response, whatever produced it. ``status`` 101: WebSocket accepted."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes | None

    def values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]


def tokens(values: Iterable[str]) -> list[str]:
    return [t.strip() for v in values for t in v.split(",") if t.strip()]


def _same(name: str, got: str, wanted: str) -> bool:
    if name.lower() in LIST_HEADERS:
        return {t.lower() for t in tokens([got])} == {
            t.lower() for t in tokens([wanted])
        }
    return got == wanted


def fill(value: str, n: int, origin: str | None, self_origin: str) -> str:
    value = value.replace("{n}", str(n)).replace("{self}", self_origin)
    if origin is not None:
        value = value.replace("{origin}", origin)
    return value


def instantiate(request: Req, n: int, self_origin: str) -> Req:
    """The request of copy ``n``, placeholders filled in."""
    headers = tuple((k, fill(v, n, None, self_origin)) for k, v in request.headers)
    concrete = replace(request, headers=headers)
    origin = concrete.origin
    expect = request.expect

    def f(value: str) -> str:
        return fill(value, n, origin, self_origin)

    cors = None if expect.cors is None else {k: f(v) for k, v in expect.cors.items()}
    return replace(
        concrete,
        expect=replace(
            expect,
            cors=cors,
            headers={k: None if v is None else f(v) for k, v in expect.headers.items()},
        ),
    )


def problems(expect: Expect, observed: Observed) -> list[str]:
    """Everything in which ``observed`` differs from ``expect``."""
    found: list[str] = []
    if observed.status != expect.status:
        found.append(f"status {observed.status}, expected {expect.status}")

    if expect.cors is not None:
        wanted = {k.lower(): (k, v) for k, v in expect.cors.items()}
        for name, value in observed.headers:
            if name.lower().startswith("access-control-") and (
                name.lower() not in wanted
            ):
                found.append(f"unexpected {name}: {value!r}")
        for name, value in wanted.values():
            found.extend(_check_header(observed, name, value))

    found.extend(_check_vary(expect.vary, observed))
    for name, value in expect.headers.items():
        found.extend(_check_header(observed, name, value))
    for name, exact in expect.exact_tokens.items():
        present = set(tokens(observed.values(name)))
        found.extend(
            f"{name} lacks the exact token {token!r}: {observed.values(name)!r}"
            for token in exact
            if token not in present
        )
    body = observed.body
    if expect.body is not None and body is not None and body != expect.body.encode():
        found.append(f"body {body[:200]!r}, expected {expect.body!r}")

    # An invariant of every response (the Vary ones are in _check_vary):
    # one Allow-Origin at most.
    if len(observed.values("Access-Control-Allow-Origin")) > 1:
        found.append("more than one Access-Control-Allow-Origin")
    return found


def _check_header(observed: Observed, name: str, value: str | None) -> list[str]:
    got = observed.values(name)
    if value is None:
        return [f"unexpected {name}: {got!r}"] if got else []
    if len(got) != 1:
        return [f"{name}: {got!r}, expected exactly one {value!r}"]
    if not _same(name, got[0], value):
        return [f"{name}: {got[0]!r}, expected {value!r}"]
    return []


def _check_vary(wanted: str | None, observed: Observed) -> list[str]:
    lines = observed.values("Vary")
    found: list[str] = []
    seen = [t.lower() for t in tokens(lines)]
    if len(lines) > 1:
        found.append(f"Vary on {len(lines)} lines: {lines!r}")
    if len(seen) != len(set(seen)):
        found.append(f"Vary repeats a token: {lines!r}")

    optional = wanted is not None and wanted.startswith("?")
    if optional and not lines:
        return found
    if wanted is None:
        if lines:
            found.append(f"unexpected Vary: {lines!r}")
        return found
    expected = {t.lower() for t in tokens([wanted.lstrip("?")])}
    if set(seen) != expected:
        found.append(f"Vary: {lines!r}, expected {wanted.lstrip('?')!r}")
    return found


def describe(scenario: Scenario, target: str, index: int, request: Req) -> str:
    return (
        f"[{target}] {scenario.name} request #{index}: {request.method}"
        f" {request.path} {list(request.headers)!r}"
    )


def interleaved(
    scenario: Scenario, copies: int, self_origin: str, seed: int
) -> list[tuple[int, Req]]:
    """``copies`` instantiated copies of the scenario's requests, shuffled.

    Returns ``(index in the scenario, request)`` pairs. The seed makes a
    failing order reproducible.
    """
    work = [
        (index, instantiate(request, n, self_origin))
        for n in range(1, copies + 1)
        for index, request in enumerate(scenario.requests)
    ]
    random.Random(seed).shuffle(work)
    return work


def assert_all(failures: Sequence[str]) -> None:
    assert not failures, "\n".join(failures[:40]) + (
        f"\n... and {len(failures) - 40} more" if len(failures) > 40 else ""
    )
