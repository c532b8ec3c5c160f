"""When the async origin callables decide, and how decide_async settles it."""

from __future__ import annotations

import asyncio

from crossorigin import Policy

LISTED = "https://listed.example"
CHECKED = "https://checked.example"
OTHER = "https://other.example"
ACAO = "Access-Control-Allow-Origin"

calls: list[str] = []


async def allow_checked(origin: str) -> bool:
    calls.append(origin)
    return origin == CHECKED


POLICY = Policy(origins=[LISTED, allow_checked])


def test_listed_origin_never_awaits_the_callable() -> None:
    decision = POLICY.decide("GET", {"Origin": LISTED})

    assert decision.allowed
    assert not decision.awaits_origin_check


def test_unlisted_origin_awaits_and_is_refused_until_settled() -> None:
    decision = POLICY.decide("GET", {"Origin": CHECKED})

    assert decision.awaits_origin_check
    assert not decision.allowed
    assert ACAO not in dict(decision.headers)


def test_decide_async_settles_with_the_callables_answer() -> None:
    calls.clear()
    allowed = asyncio.run(POLICY.decide_async("GET", {"Origin": CHECKED}))
    refused = asyncio.run(POLICY.decide_async("GET", {"Origin": OTHER}))
    listed = asyncio.run(POLICY.decide_async("GET", {"Origin": LISTED}))

    assert dict(allowed.headers)[ACAO] == CHECKED
    assert not refused.allowed
    assert not refused.awaits_origin_check
    assert listed.allowed
    assert calls == [CHECKED, OTHER]


def test_null_and_malformed_origins_never_await() -> None:
    for origin in ("null", "https://a.example/path", "https://ä.example"):
        decision = POLICY.decide("GET", {"Origin": origin})
        assert not decision.awaits_origin_check
        assert not decision.allowed


def test_explicit_origin_allowed_false_refuses_without_awaiting() -> None:
    decision = POLICY.decide("GET", {"Origin": CHECKED}, origin_allowed=False)

    assert not decision.allowed
    assert not decision.awaits_origin_check


def test_preflight_awaits_too() -> None:
    headers = {"Origin": CHECKED, "Access-Control-Request-Method": "PUT"}
    pending = POLICY.decide("OPTIONS", headers)
    settled = asyncio.run(POLICY.decide_async("OPTIONS", headers))

    assert pending.awaits_origin_check
    assert pending.status == 403
    assert settled.status == 200
    assert dict(settled.headers)[ACAO] == CHECKED
