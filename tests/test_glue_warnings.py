"""The glue logs configuration warnings; the core only collects them."""

from __future__ import annotations

import logging

import pytest

flask = pytest.importorskip("flask")

from crossorigin import CORS, cross_origin  # noqa: E402


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "crossorigin" and r.levelno == logging.WARNING
    ]


def test_cors_app_logs_policy_and_config_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = flask.Flask(__name__)
    app.config["CORS_HEADERS"] = "Content-Type"
    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        CORS(app, max_age=100_000)

    messages = _warnings(caplog)
    assert any("CORS_HEADERS" in m and "CORS_ALLOW_HEADERS" in m for m in messages)
    assert any("max_age" in m and "cap" in m for m in messages)


def test_cross_origin_alone_logs_warnings_once_per_app(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = flask.Flask(__name__)
    app.config["QUART_CORS_ALLOW_ORIGIN"] = "https://a.example"

    @app.route("/")
    @cross_origin(allow_headers=["Cookie", "X-Token"])
    def index() -> str:
        return "ok"

    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        client.get("/", headers={"Origin": "https://a.example"})
        client.get("/", headers={"Origin": "https://a.example"})

    messages = _warnings(caplog)
    assert sum("QUART_CORS_ALLOW_ORIGIN" in m for m in messages) == 1
    assert sum("'Cookie'" in m for m in messages) == 1
