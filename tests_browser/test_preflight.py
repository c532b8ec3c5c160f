"""Requests that need a preflight: which pass, which fail, and why."""

from __future__ import annotations

import json

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser


def test_json_post_preflight_passes(listed: Frontend, api: Api) -> None:
    """``Content-Type: application/json`` is not safelisted: a preflight runs."""
    outcome = listed.fetch(
        api.url("/api/items"),
        method="POST",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"name": "kettle"}),
    )

    assert outcome.fetched, outcome.message
    assert outcome.status == 201
    assert json.loads(outcome.body or "") == {"created": {"name": "kettle"}}
    [preflight, post] = api.received()
    assert preflight["method"] == "OPTIONS"
    assert preflight["request_method"] == "POST"
    assert preflight["request_headers"] == "content-type"
    assert preflight["status"] == 200
    assert post["method"] == "POST"


def test_put_with_custom_header_preflight_passes(listed: Frontend, api: Api) -> None:
    """A PUT with a custom header is preflighted, allowed, and then sent."""
    outcome = listed.fetch(
        api.url("/api/items/7"),
        method="PUT",
        headers={"Content-Type": "application/json", "X-Client-Version": "2.1"},
        body=json.dumps({"name": "mug"}),
    )

    assert outcome.fetched, outcome.message
    assert outcome.status == 200
    assert json.loads(outcome.body or "") == {
        "id": 7,
        "updated": {"name": "mug"},
        "client_version": "2.1",
    }
    [preflight, put] = api.received()
    assert preflight["request_method"] == "PUT"
    assert preflight["request_headers"] == "content-type,x-client-version"
    allowed = preflight["cors"]
    assert allowed["Access-Control-Allow-Origin"] == listed.origin
    assert "PUT" in allowed["Access-Control-Allow-Methods"].split(", ")
    assert put["method"] == "PUT"


def test_header_not_allowed_preflight_fails(listed: Frontend, api: Api) -> None:
    """A header the policy does not list fails the preflight: no PUT is sent."""
    outcome = listed.fetch(
        api.url("/partner/echo"),
        method="PUT",
        headers={"X-Not-Allowed": "1"},
    )

    assert outcome.blocked
    assert "preflight" in (outcome.message or "")
    [preflight] = api.received()
    assert preflight["method"] == "OPTIONS"
    assert preflight["request_headers"] == "x-not-allowed"
    assert preflight["status"] == 403
    assert not any(name.startswith("Access-Control-") for name in preflight["cors"])


def test_listed_header_on_strict_policy_preflight_passes(
    listed: Frontend, api: Api
) -> None:
    """The same strict policy lets through the header it does list."""
    outcome = listed.fetch(
        api.url("/partner/echo"), method="PUT", headers={"X-Client-Version": "3"}
    )

    assert outcome.fetched, outcome.message
    assert json.loads(outcome.body or "") == {"client_version": "3"}
    assert [call["method"] for call in api.received()] == ["OPTIONS", "PUT"]


def test_preflight_other_origin_fails_and_put_never_sent(
    other: Frontend, api: Api
) -> None:
    """Unlike a simple request, a refused preflight keeps the PUT from the view."""
    outcome = other.fetch(
        api.url("/api/items/7"),
        method="PUT",
        headers={"Content-Type": "application/json"},
        body="{}",
    )

    assert outcome.blocked
    [preflight] = api.received()
    assert preflight["method"] == "OPTIONS"
    assert preflight["origin"] == other.origin
    assert preflight["status"] == 403
