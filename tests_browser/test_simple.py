"""Simple requests (no preflight): what script reads, per origin."""

from __future__ import annotations

import json

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser

ITEMS = {"items": [{"id": 1, "name": "teapot"}]}


def test_simple_get_listed_origin_reads_response(listed: Frontend, api: Api) -> None:
    """The listed origin's script reads the status and the JSON body."""
    outcome = listed.fetch(api.url("/api/items"))

    assert outcome.fetched, outcome.message
    assert outcome.status == 200
    assert json.loads(outcome.body or "") == ITEMS
    [get] = api.received()
    assert get["method"] == "GET"
    assert get["origin"] == listed.origin
    assert get["cors"]["Access-Control-Allow-Origin"] == listed.origin


def test_simple_get_other_origin_fetch_fails(other: Frontend, api: Api) -> None:
    """Another origin's fetch rejects, though the server did answer it.

    CORS hides the response from script; it does not stop the request, so
    the view ran (200) and the response carried no Allow-Origin.
    """
    outcome = other.fetch(api.url("/api/items"))

    assert outcome.blocked
    assert outcome.error == "TypeError: Failed to fetch"
    assert "Access-Control-Allow-Origin" in (outcome.message or "")
    [get] = api.received()
    assert get["method"] == "GET"
    assert get["origin"] == other.origin
    assert get["status"] == 200
    assert "Access-Control-Allow-Origin" not in get["cors"]
    assert get["cors"]["Vary"] == "Origin"


def test_exempt_view_fetch_fails_for_listed_origin(listed: Frontend, api: Api) -> None:
    """An ``exempt`` view sends no CORS headers, so even the listed origin fails."""
    outcome = listed.fetch(api.url("/healthz"))

    assert outcome.blocked
    [get] = api.received()
    assert get["status"] == 200
    assert get["cors"] == {}
