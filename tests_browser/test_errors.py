"""Error responses carry CORS headers, so the allowed origin can read them."""

from __future__ import annotations

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "status"), [("/api/missing", 404), ("/api/boom", 500)]
)
def test_error_response_readable_by_listed_origin(
    listed: Frontend, api: Api, path: str, status: int
) -> None:
    """A 404 (no such route) and a 500 (the view raised) reach script."""
    outcome = listed.fetch(api.url(path))

    assert outcome.fetched, outcome.message
    assert outcome.status == status
    assert outcome.body
    [call] = api.received()
    assert call["status"] == status
    assert call["cors"]["Access-Control-Allow-Origin"] == listed.origin


@pytest.mark.parametrize("path", ["/api/missing", "/api/boom"])
def test_error_response_hidden_from_other_origin(
    other: Frontend, api: Api, path: str
) -> None:
    outcome = other.fetch(api.url(path))

    assert outcome.blocked
    [call] = api.received()
    assert call["status"] >= 400
    assert "Access-Control-Allow-Origin" not in call["cors"]
