"""Configuration errors suggest a value that would work."""

from __future__ import annotations

import pytest

from crossorigin import ConfigError, Policy


@pytest.mark.parametrize(
    ("origins", "suggestion"),
    [
        ("", "'https://app.example.com'"),
        ("example.com", "'https://example.com'"),
        ("localhost", "'http://localhost:*'"),
        ("127.0.0.1", "'http://127.0.0.1:*'"),
        ("localhost:3000", "'http://localhost:3000'"),
    ],
)
def test_origin_without_scheme_suggests_a_working_origin(
    origins: str, suggestion: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Policy(origins=origins)

    assert suggestion in str(info.value)
    assert "'https://'" not in str(info.value)
