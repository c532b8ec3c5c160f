"""Which response headers script can read."""

from __future__ import annotations

import pytest
from examples._browser import Frontend
from examples._servers import Api

pytestmark = pytest.mark.browser


def test_exposed_header_readable_unexposed_not(listed: Frontend, api: Api) -> None:
    """``X-Request-Id`` is exposed; ``X-Internal-Trace`` is sent but hidden."""
    outcome = listed.fetch(
        api.url("/api/items"),
        read=("X-Request-Id", "X-Internal-Trace", "Content-Type"),
    )

    assert outcome.fetched, outcome.message
    assert outcome.headers["X-Request-Id"]
    assert outcome.headers["X-Internal-Trace"] is None
    # Content-Type is a CORS-safelisted response header: always readable.
    assert outcome.headers["Content-Type"] == "application/json"
    assert "x-internal-trace" not in outcome.visible
    [get] = api.received()
    assert get["cors"]["Access-Control-Expose-Headers"] == "X-Request-Id"
