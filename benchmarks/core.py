"""Time ``Policy.decide`` alone: no framework, no app, no socket.

Each case builds its policy and request headers once; the timed loop only
calls ``decide``, so a figure is the cost of one CORS decision, header
extraction included. The request carries the headers a browser sends with
a fetch (about a dozen). Every case runs with the headers in two forms:
a plain dict, which ``decide`` scans (what an ASGI server or Quart hands
over), and Werkzeug's ``EnvironHeaders``, which Flask hands over and
``decide`` reads from the WSGI environ directly.

Run with ``PYTHONPATH=src python benchmarks/core.py`` (pyperf options such
as ``--fast``, ``--rigorous`` or ``-o result.json`` apply). Target on the
development machine: the common cases under 2 us per decision.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyperf
from werkzeug.datastructures import EnvironHeaders

from crossorigin import Policy

APP = "https://app.example.com"

#: What Chromium sends with a cross-origin fetch, minus the CORS headers.
BROWSER_HEADERS = {
    "Host": "api.example.com",
    "Connection": "keep-alive",
    "sec-ch-ua": '"Chromium";v="131", "Not_A Brand";v="24"',
    "sec-ch-ua-mobile": "?0",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36",
    "Accept": "*/*",
    "Sec-Fetch-Site": "same-site",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
    "Referer": f"{APP}/",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-GB,en;q=0.9",
}

MEGABYTE = 1024 * 1024


def request(**cors: str) -> dict[str, str]:
    headers = dict(BROWSER_HEADERS)
    headers.update((name.replace("_", "-"), value) for name, value in cors.items())
    return headers


#: (name, policy, method, headers, expected "allowed").
CASES: list[tuple[str, Policy, str, Mapping[str, str], bool]] = [
    (
        "simple, 2 origins",
        Policy(origins=[APP, "https://admin.example.com"]),
        "GET",
        request(Origin=APP),
        True,
    ),
    (
        "simple, 1000 exact origins",
        Policy(origins=[f"https://app{i}.example.com" for i in range(1000)]),
        "GET",
        request(Origin="https://app777.example.com"),
        True,
    ),
    (
        "simple, wildcard subdomain",
        Policy(origins=["https://*.example.com"], supports_credentials=True),
        "GET",
        request(Origin="https://eu.app.example.com"),
        True,
    ),
    (
        "preflight, 3 requested headers",
        Policy(
            origins=[APP],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
            supports_credentials=True,
            max_age=600,
        ),
        "OPTIONS",
        request(
            Origin=APP,
            Access_Control_Request_Method="PUT",
            Access_Control_Request_Headers="authorization,content-type,x-request-id",
        ),
        True,
    ),
    (
        "simple, no Origin (same-origin)",
        Policy(origins=[APP]),
        "GET",
        request(),
        False,
    ),
    (
        "adversarial, 1 MB Origin",
        Policy(origins=[APP]),
        "GET",
        request(Origin="https://" + "a" * MEGABYTE + ".example.com"),
        False,
    ),
    (
        "adversarial, 1 MB Origin, regex policy",
        Policy(origins=[r"https://[a-z0-9-]+\.example\.com"]),
        "GET",
        request(Origin="https://" + "a" * MEGABYTE + ".example.com"),
        False,
    ),
    (
        "adversarial, 1 MB request headers",
        Policy(origins=[APP]),
        "OPTIONS",
        request(
            Origin=APP,
            Access_Control_Request_Method="PUT",
            Access_Control_Request_Headers="x-a," * (MEGABYTE // 4),
        ),
        False,
    ),
]


def environ_headers(headers: Mapping[str, str]) -> EnvironHeaders:
    """The same request as Flask sees it: a WSGI environ."""
    environ = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in headers.items()
    }
    return EnvironHeaders(environ)


def time_decide(
    loops: int, policy: Policy, method: str, headers: Mapping[str, str]
) -> float:
    decide = policy.decide
    started = pyperf.perf_counter()
    for _ in range(loops):
        decide(method, headers)
    return pyperf.perf_counter() - started


def main() -> None:
    runner = pyperf.Runner()
    runner.metadata["description"] = "Policy.decide, one decision per loop"
    for name, policy, method, headers, allowed in CASES:
        for form, given in (("dict", headers), ("WSGI", environ_headers(headers))):
            decision = policy.decide(method, given)
            # A benchmark of the wrong outcome would measure the wrong path.
            assert decision.allowed is allowed, (name, form, decision.reason)
            runner.bench_time_func(
                f"{name} [{form}]", time_decide, policy, method, given
            )


if __name__ == "__main__":
    main()
