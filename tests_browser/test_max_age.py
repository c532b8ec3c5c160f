"""``max_age``: the browser's preflight cache, counted at the server."""

from __future__ import annotations

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser


def _put_twice(frontend: Frontend, url: str) -> None:
    for _ in range(2):
        outcome = frontend.fetch(url, method="PUT", headers={"X-Client-Version": "1"})
        assert outcome.fetched, outcome.message


def test_max_age_second_request_sends_no_preflight(listed: Frontend, api: Api) -> None:
    """With ``max_age=600`` the second identical PUT reuses the preflight."""
    _put_twice(listed, api.url("/api/items/1"))

    [preflight] = api.preflights()
    assert preflight["cors"]["Access-Control-Max-Age"] == "600"
    assert len(api.received("PUT")) == 2


def test_max_age_zero_preflights_every_request(listed: Frontend, api: Api) -> None:
    """With ``max_age=0`` each PUT is preflighted again (the control case).

    Without any Max-Age Chromium would cache for 5 seconds, so this proves
    the first test's single preflight comes from the header, not a default.
    """
    _put_twice(listed, api.url("/partner/echo"))

    preflights = api.preflights()
    assert len(preflights) == 2
    assert preflights[0]["cors"]["Access-Control-Max-Age"] == "0"
    assert len(api.received("PUT")) == 2
