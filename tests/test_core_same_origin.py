"""The WebSocket same-origin rule, a core rule the Quart adapter only calls."""

from __future__ import annotations

import pytest

from crossorigin._origins import is_same_origin


@pytest.mark.parametrize(
    ("origin", "scheme", "host", "same"),
    [
        ("http://api.example", "ws", "api.example", True),
        ("https://api.example", "wss", "api.example", True),
        ("https://api.example", "wss", "api.example:443", True),
        ("http://api.example", "ws", "api.example:80", True),
        ("http://api.example:8080", "ws", "api.example:8080", True),
        ("HTTPS://API.example", "wss", "api.EXAMPLE", True),
        ("https://api.example", "http", "api.example", False),
        ("http://api.example", "wss", "api.example", False),
        ("https://api.example:8443", "wss", "api.example", False),
        ("https://evil.example", "wss", "api.example", False),
        ("https://api.example.evil.net", "wss", "api.example", False),
        ("null", "wss", "api.example", False),
    ],
)
def test_same_origin_maps_ws_schemes_and_drops_default_ports(
    origin: str, scheme: str, host: str, same: bool
) -> None:
    assert is_same_origin(origin, scheme, host) is same
