"""Refusals leave a trace: one record per decision, none forged (Flask)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from crossorigin import CORS, cross_origin

ALLOWED = "https://app.example.com"
FOREIGN = "https://evil.example"
FORGED = "2024-01-01 INFO forged entry"


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "crossorigin" or r.name.startswith("crossorigin.")
    ]


def make_app(*, debug: bool = False, decorator_only: bool = False) -> Flask:
    app = Flask("logged")
    if not decorator_only:
        CORS(app, origins=[ALLOWED], allow_headers=["Content-Type"], debug=debug)

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> str:
        return "items"

    @app.get("/deco")
    @cross_origin(origins=[ALLOWED], debug=debug)
    def deco() -> str:
        return "deco"

    @app.get("/deco-async")
    @cross_origin(origins=[ALLOWED], debug=debug)
    async def deco_async() -> str:
        return "deco"

    return app


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="crossorigin")
    return caplog


def test_log_allowed_request_is_one_debug_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    make_app().test_client().get("/items", headers={"Origin": ALLOWED})

    [record] = records(debug_logs)
    assert record.levelno == logging.DEBUG
    assert (
        record.getMessage() == f"GET '/items' from origin '{ALLOWED}': origin allowed"
    )


def test_log_refusal_is_debug_by_default(debug_logs: pytest.LogCaptureFixture) -> None:
    make_app().test_client().get("/items", headers={"Origin": FOREIGN})

    [record] = records(debug_logs)
    assert record.levelno == logging.DEBUG
    assert record.getMessage().endswith(": origin not allowed")


def test_log_refusal_is_info_under_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="crossorigin")

    client = make_app(debug=True).test_client()
    client.get("/items", headers={"Origin": ALLOWED})
    client.get("/items", headers={"Origin": FOREIGN})

    [record] = records(caplog)
    assert record.levelno == logging.INFO
    assert (
        record.getMessage()
        == f"GET '/items' from origin '{FOREIGN}': origin not allowed"
    )


def test_log_nothing_above_debug_without_debug_option(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="crossorigin")

    make_app().test_client().get("/items", headers={"Origin": FOREIGN})

    assert records(caplog) == []


def test_log_request_without_origin_stays_debug_under_debug(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    make_app(debug=True).test_client().get("/items")

    [record] = records(debug_logs)
    assert record.levelno == logging.DEBUG
    assert "no Origin header" in record.getMessage()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Access-Control-Request-Method": "PUT"}, "preflight allowed"),
        (
            {
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-token",
            },
            "a requested header is not allowed",
        ),
    ],
)
def test_log_preflight_is_one_record_with_its_reason(
    debug_logs: pytest.LogCaptureFixture, headers: dict[str, str], reason: str
) -> None:
    response = (
        make_app()
        .test_client()
        .options("/items", headers={"Origin": ALLOWED, **headers})
    )

    [record] = records(debug_logs)
    assert record.getMessage() == f"OPTIONS '/items' from origin '{ALLOWED}': {reason}"
    assert response.status_code in (200, 403)


@pytest.mark.parametrize("path", ["/deco", "/deco-async"])
def test_log_decorator_alone_logs_each_decision(
    debug_logs: pytest.LogCaptureFixture, path: str
) -> None:
    client = make_app(decorator_only=True, debug=True).test_client()
    client.get(path, headers={"Origin": ALLOWED})
    client.get(path, headers={"Origin": FOREIGN})

    allowed, refused = records(debug_logs)
    assert (allowed.levelno, refused.levelno) == (logging.DEBUG, logging.INFO)
    assert allowed.getMessage().endswith(": origin allowed")
    assert (
        refused.getMessage()
        == f"GET {path!r} from origin '{FOREIGN}': origin not allowed"
    )


def test_log_crlf_in_path_stays_in_one_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    # Werkzeug decodes %0D%0A into a real CR LF in request.path
    # (CVE-2024-1681 in Flask-CORS logged it raw).
    make_app(debug=True).test_client().get(
        f"/items%0D%0A{FORGED}", headers={"Origin": FOREIGN}
    )

    [record] = records(debug_logs)
    message = record.getMessage()
    assert "\r" not in message
    assert "\n" not in message
    assert f"'/items\\r\\n{FORGED}'" in message


def test_log_crlf_in_origin_stays_in_one_record(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    # Servers refuse such a header line; the WSGI environ is written here
    # directly to show that the log line would still not split.
    make_app(debug=True).test_client().get(
        "/items", environ_overrides={"HTTP_ORIGIN": f"{ALLOWED}\r\n{FORGED}"}
    )

    [record] = records(debug_logs)
    message = record.getMessage()
    assert "\r" not in message
    assert "\n" not in message
    assert f"'{ALLOWED}\\r\\n{FORGED}'" in message
    assert message.endswith("Origin header is not a serialised origin")
    assert record.levelno == logging.INFO


def test_log_configuration_warnings_are_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="crossorigin")
    app = Flask("warned")
    app.config["CORS_HEADERS"] = "Content-Type"

    CORS(app, origins=[ALLOWED])

    [record] = records(caplog)
    assert record.levelno == logging.WARNING
    assert "CORS_HEADERS" in record.getMessage()


def test_log_library_adds_no_handler_and_sets_no_level(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("crossorigin")
    level = logger.level

    make_app(debug=True).test_client().get("/items", headers={"Origin": FOREIGN})

    assert logger.handlers == []
    assert logger.level == level
    assert logger.propagate is True
