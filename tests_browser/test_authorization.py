"""``Authorization`` is never covered by a bare ``*``; crossorigin echoes it."""

from __future__ import annotations

import json

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser

BEARER = {"Authorization": "Bearer t0ken"}


def test_authorization_allowed_by_default_allow_headers(
    listed: Frontend, api: Api
) -> None:
    """``allow_headers="*"`` (the default) echoes ``authorization`` by name."""
    outcome = listed.fetch(api.url("/api/whoami"), headers=BEARER)

    assert outcome.fetched, outcome.message
    assert json.loads(outcome.body or "") == {"authorization": "Bearer t0ken"}
    [preflight, _] = api.received()
    assert preflight["request_headers"] == "authorization"
    assert preflight["cors"]["Access-Control-Allow-Headers"] == "authorization"


def test_authorization_allowed_when_listed(listed: Frontend, api: Api) -> None:
    outcome = listed.fetch(api.url("/token/whoami"), headers=BEARER)

    assert outcome.fetched, outcome.message
    assert json.loads(outcome.body or "") == {"authorization": "Bearer t0ken"}


def test_authorization_refused_when_other_headers_listed(
    listed: Frontend, api: Api
) -> None:
    """``allow_headers`` names other headers only: the preflight fails."""
    outcome = listed.fetch(api.url("/partner/echo"), headers=BEARER)

    assert outcome.blocked
    [preflight] = api.received()
    assert preflight["request_headers"] == "authorization"
    assert preflight["status"] == 403
