"""Credentialed requests: cookies, ``credentials: "include"``."""

from __future__ import annotations

import json

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser


def _login(frontend: Frontend, api: Api, user: str) -> None:
    outcome = frontend.fetch(
        api.url("/account/login"),
        method="POST",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"user": user}),
        credentials="include",
    )
    assert outcome.fetched, outcome.message
    assert json.loads(outcome.body or "") == {"user": user}


def test_credentials_listed_origin_reads_account(listed: Frontend, api: Api) -> None:
    """The cookie set by the API is sent back, and script reads the answer."""
    _login(listed, api, "alice")

    outcome = listed.fetch(api.url("/account/me"), credentials="include")

    assert outcome.fetched, outcome.message
    assert json.loads(outcome.body or "") == {"user": "alice"}
    [me] = api.received("GET", "/account/me")
    assert me["cookie"] == "session=alice"
    assert me["cors"]["Access-Control-Allow-Credentials"] == "true"
    assert me["cors"]["Access-Control-Allow-Origin"] == listed.origin


def test_credentials_other_origin_fetch_fails(
    listed: Frontend, other: Frontend, api: Api
) -> None:
    """Another origin's credentialed read fails, though the cookie was sent.

    Both front ends share the browser's cookie jar, as two sites open in one
    browser do; the cookie reaches the view and only the answer is hidden.
    """
    _login(listed, api, "alice")

    outcome = other.fetch(api.url("/account/me"), credentials="include")

    assert outcome.blocked
    [me] = [call for call in api.received("GET") if call["origin"] == other.origin]
    assert me["cookie"] == "session=alice"
    assert me["status"] == 200
    assert "Access-Control-Allow-Origin" not in me["cors"]
    assert "Access-Control-Allow-Credentials" not in me["cors"]


def test_credentials_without_supports_credentials_fetch_fails(
    listed: Frontend, api: Api
) -> None:
    """A listed origin cannot read with credentials a policy that lacks them."""
    outcome = listed.fetch(api.url("/api/items"), credentials="include")

    assert outcome.blocked
    assert "Access-Control-Allow-Credentials" in (outcome.message or "")
    [get] = api.received()
    assert get["cors"]["Access-Control-Allow-Origin"] == listed.origin
    assert "Access-Control-Allow-Credentials" not in get["cors"]


def test_credentials_omitted_listed_origin_sends_no_cookie(
    listed: Frontend, api: Api
) -> None:
    """Without ``credentials: "include"`` the cookie stays home: 401."""
    _login(listed, api, "alice")

    outcome = listed.fetch(api.url("/account/me"))

    assert outcome.fetched, outcome.message
    assert outcome.status == 401
    [me] = api.received("GET", "/account/me")
    assert me["cookie"] is None
