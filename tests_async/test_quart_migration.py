"""Quart: what quart-cors users write is caught with the name to use."""

from __future__ import annotations

import logging
from typing import Any

import pytest

quart = pytest.importorskip("quart")

from quart import Blueprint, Quart  # noqa: E402

from crossorigin import CORS, ConfigError, cross_origin  # noqa: E402

ORIGIN = "https://app.example.com"

QUART_CORS_OPTIONS = [
    ("allow_origin", ORIGIN, "origins"),
    ("allow_credentials", True, "supports_credentials"),
    ("allow_methods", ["GET", "POST"], "methods"),
    ("send_origin_wildcard", True, "send_wildcard"),
    ("provide_automatic_options", False, "automatic_options"),
]


@pytest.mark.parametrize(("name", "value", "ours"), QUART_CORS_OPTIONS)
def test_migration_cors_option_names_suggest_ours(
    name: str, value: Any, ours: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Quart(__name__), **{name: value})

    assert caught.value.problems == (
        f"{name}: unknown option of CORS; did you mean {ours}=?",
    )


@pytest.mark.parametrize(("name", "value", "ours"), QUART_CORS_OPTIONS)
def test_migration_route_cors_option_names_suggest_ours(
    name: str, value: Any, ours: str
) -> None:
    with pytest.raises(ConfigError, match=f"did you mean {ours}=") as caught:
        cross_origin(**{name: value})

    assert caught.value.problems[0].startswith(f"{name}: unknown option")


def test_migration_all_quart_cors_names_reported_together() -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Quart(__name__), allow_origin=ORIGIN, allow_credentials=True)

    assert len(caught.value.problems) == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [("allow_headers", ["X-Token"]), ("expose_headers", ["X-Total"]), ("max_age", 60)],
)
async def test_migration_shared_option_names_work(name: str, value: Any) -> None:
    app = Quart(__name__)
    CORS(app, origins=[ORIGIN], **{name: value})

    @app.route("/x", methods=["GET", "PUT"])
    async def x() -> str:
        return "x"

    client = app.test_client()
    answer = await client.options(
        "/x",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-token",
        },
    )
    actual = await client.get("/x", headers={"Origin": ORIGIN})

    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Headers"] == "x-token"
    if name == "expose_headers":
        assert actual.headers["Access-Control-Expose-Headers"] == "X-Total"
    if name == "max_age":
        assert answer.headers["Access-Control-Max-Age"] == "60"


@pytest.mark.parametrize(
    ("key", "replacement"),
    [
        ("QUART_CORS_ALLOW_ORIGIN", "CORS_ORIGINS"),
        ("QUART_CORS_ALLOW_CREDENTIALS", "CORS_SUPPORTS_CREDENTIALS"),
        ("QUART_CORS_ALLOW_METHODS", "CORS_METHODS"),
        ("QUART_CORS_ALLOW_HEADERS", "CORS_ALLOW_HEADERS"),
        ("QUART_CORS_EXPOSE_HEADERS", "CORS_EXPOSE_HEADERS"),
        ("QUART_CORS_MAX_AGE", "CORS_MAX_AGE"),
        ("QUART_CORS_SEND_ORIGIN_WILDCARD", "CORS_SEND_WILDCARD"),
    ],
)
async def test_migration_quart_cors_config_key_warned_at_install(
    caplog: pytest.LogCaptureFixture, key: str, replacement: str
) -> None:
    app = Quart(__name__)
    app.config[key] = ["https://ignored.example.com"]

    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        CORS(app, origins=[ORIGIN])

    messages = [r.getMessage() for r in caplog.records if r.name == "crossorigin"]
    assert any(key in m and replacement in m for m in messages), messages
    assert all(r.levelno == logging.WARNING for r in caplog.records)


async def test_migration_quart_cors_config_key_not_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Quart(__name__)
    app.config["QUART_CORS_ALLOW_ORIGIN"] = "https://ignored.example.com"
    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        CORS(app, origins=[ORIGIN])

    @app.get("/x")
    async def x() -> str:
        return "x"

    response = await app.test_client().get(
        "/x", headers={"Origin": "https://ignored.example.com"}
    )

    assert "Access-Control-Allow-Origin" not in response.headers


async def test_migration_blueprint_config_warning_names_blueprint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Quart(__name__)
    app.config["QUART_CORS_MAX_AGE"] = 60
    bp = Blueprint("api", __name__)
    CORS(bp, origins=[ORIGIN])

    with caplog.at_level(logging.WARNING, logger="crossorigin"):
        app.register_blueprint(bp)

    messages = [r.getMessage() for r in caplog.records if r.name == "crossorigin"]
    assert any("blueprint 'api'" in m and "CORS_MAX_AGE" in m for m in messages)


def test_migration_cors_on_blueprint_after_registration_refused() -> None:
    app = Quart(__name__)
    bp = Blueprint("late", __name__)
    app.register_blueprint(bp)

    with pytest.raises(ConfigError, match=r"before app\.register_blueprint"):
        CORS(bp)


def test_migration_cors_twice_refused() -> None:
    app = Quart(__name__)
    CORS(app)

    with pytest.raises(ConfigError, match="already called"):
        CORS(app, origins=[ORIGIN])
