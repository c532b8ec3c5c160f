"""The apps every benchmark times: one tiny app, with and without CORS.

Each variant is the same app (one route, ``GET`` and ``PUT``, returning a
two-byte body) so that any difference in time is the CORS layer's. The CORS
variants are configured alike: the same allowed origins, every header and
the default methods allowed, no credentials; in the "defaults" case, each
library as ``CORS(app)`` with no arguments leaves it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PATH = "/api/items"
ALLOWED_ORIGIN = "https://app.example.com"
REFUSED_ORIGIN = "https://evil.example.net"
#: Two requested headers, as a browser sends them: lower case, sorted.
REQUESTED_HEADERS = "content-type, x-requested-with"

#: The "1,000 configured origins" case: the request comes from the last one,
#: the worst case for a library that scans its list.
MANY_ORIGINS = tuple(f"https://app{i:04d}.example.com" for i in range(1000))
MANY_ORIGINS_REQUEST = MANY_ORIGINS[-1]


@dataclass(frozen=True)
class Case:
    """One request, sent unchanged to every variant."""

    name: str
    title: str
    method: str
    headers: tuple[tuple[str, str], ...]
    #: Origins the CORS variants allow for this case; ``None`` leaves each
    #: library at its defaults, as ``CORS(app)`` with no arguments does.
    origins: tuple[str, ...] | None = (ALLOWED_ORIGIN,)
    #: Whether a CORS variant must answer with Access-Control-Allow-Origin.
    expect_acao: bool = True


CASES = (
    Case(
        "simple",
        "allowed simple request",
        "GET",
        (("Origin", ALLOWED_ORIGIN),),
    ),
    Case(
        "preflight",
        "allowed preflight, two requested headers",
        "OPTIONS",
        (
            ("Origin", ALLOWED_ORIGIN),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", REQUESTED_HEADERS),
        ),
    ),
    Case(
        "refused",
        "refused origin",
        "GET",
        (("Origin", REFUSED_ORIGIN),),
        expect_acao=False,
    ),
    Case(
        "no_origin",
        "request without Origin",
        "GET",
        (),
        expect_acao=False,
    ),
    Case(
        "origins_1000",
        "allowed simple request, 1,000 configured origins",
        "GET",
        (("Origin", MANY_ORIGINS_REQUEST),),
        origins=MANY_ORIGINS,
    ),
    Case(
        "defaults",
        "allowed simple request, each library's defaults (any origin)",
        "GET",
        (("Origin", ALLOWED_ORIGIN),),
        origins=None,
    ),
)
CASES_BY_NAME = {case.name: case for case in CASES}


@dataclass(frozen=True)
class Variant:
    """One way of serving the app: framework, view kind and CORS library."""

    name: str
    label: str
    framework: str  # "flask" (WSGI) or "quart" (ASGI)
    group: str  # variants compared with each other share a group
    role: str  # "bare", "peer", "ours" or "reference"
    build: Callable[[Sequence[str] | None], Any]


def _options(name: str, origins: Sequence[str] | None) -> dict[str, list[str]]:
    """The origins keyword of one library, or none for its defaults."""
    return {} if origins is None else {name: list(origins)}


# -- Flask --------------------------------------------------------------------


def _flask_app(view_kind: str) -> Any:
    import flask

    app = flask.Flask("bench")
    if view_kind == "async":

        async def items() -> str:
            return "ok"

    else:

        def items() -> str:
            return "ok"

    app.add_url_rule(PATH, "items", items, methods=["GET", "PUT"])
    return app


def flask_bare(view_kind: str) -> Callable[[Sequence[str] | None], Any]:
    def build(origins: Sequence[str] | None) -> Any:
        return _flask_app(view_kind)

    return build


def flask_cors(view_kind: str) -> Callable[[Sequence[str] | None], Any]:
    def build(origins: Sequence[str] | None) -> Any:
        import flask_cors

        app = _flask_app(view_kind)
        flask_cors.CORS(app, **_options("origins", origins))
        return app

    return build


def crossorigin_flask(view_kind: str) -> Callable[[Sequence[str] | None], Any]:
    def build(origins: Sequence[str] | None) -> Any:
        import crossorigin

        app = _flask_app(view_kind)
        crossorigin.CORS(app, **_options("origins", origins))
        return app

    return build


# -- Quart --------------------------------------------------------------------


def _quart_app() -> Any:
    import quart

    app = quart.Quart("bench")

    async def items() -> str:
        return "ok"

    app.add_url_rule(PATH, "items", items, methods=["GET", "PUT"])
    return app


def quart_bare(origins: Sequence[str] | None) -> Any:
    return _quart_app()


def quart_cors(origins: Sequence[str] | None) -> Any:
    import quart_cors

    app = _quart_app()
    return quart_cors.cors(app, **_options("allow_origin", origins))


def crossorigin_quart(origins: Sequence[str] | None) -> Any:
    import crossorigin

    app = _quart_app()
    crossorigin.CORS(app, **_options("origins", origins))
    return app


VARIANTS = (
    Variant("flask-sync-bare", "Flask sync, bare", "flask", "flask-sync", "bare",
            flask_bare("sync")),
    Variant("flask-sync-flask_cors", "Flask sync, Flask-CORS", "flask",
            "flask-sync", "peer", flask_cors("sync")),
    Variant("flask-sync-crossorigin", "Flask sync, crossorigin", "flask",
            "flask-sync", "ours", crossorigin_flask("sync")),
    Variant("flask-async-bare", "Flask async, bare", "flask", "flask-async",
            "bare", flask_bare("async")),
    Variant("flask-async-flask_cors", "Flask async, Flask-CORS", "flask",
            "flask-async", "peer", flask_cors("async")),
    Variant("flask-async-crossorigin", "Flask async, crossorigin", "flask",
            "flask-async", "ours", crossorigin_flask("async")),
    Variant("quart-bare", "Quart, bare", "quart", "quart", "bare", quart_bare),
    Variant("quart-quart_cors", "Quart, quart-cors", "quart", "quart", "peer",
            quart_cors),
    Variant("quart-crossorigin", "Quart, crossorigin", "quart", "quart", "ours",
            crossorigin_quart),
)  # fmt: skip


# -- References for the real-server run -----------------------------------------
#
# The same app with one after_request hook that adds two fixed headers,
# Access-Control-Allow-Origin and Vary, as crossorigin does for an allowed
# simple request: what two more response headers cost the framework and the
# server, whoever adds them. Not CORS (the headers never vary), so only the
# real-server run serves them.

_FIXED_HEADERS = (("Access-Control-Allow-Origin", ALLOWED_ORIGIN), ("Vary", "Origin"))


def flask_fixed_headers(origins: Sequence[str] | None) -> Any:
    app = _flask_app("sync")

    @app.after_request
    def add(response: Any) -> Any:
        for name, value in _FIXED_HEADERS:
            response.headers.add(name, value)
        return response

    return app


def quart_fixed_headers(origins: Sequence[str] | None) -> Any:
    app = _quart_app()

    @app.after_request
    async def add(response: Any) -> Any:
        for name, value in _FIXED_HEADERS:
            response.headers.add(name, value)
        return response

    return app


REFERENCES = (
    Variant("flask-sync-fixed_headers", "Flask sync, two fixed headers", "flask",
            "flask-sync", "reference", flask_fixed_headers),
    Variant("quart-fixed_headers", "Quart, two fixed headers", "quart", "quart",
            "reference", quart_fixed_headers),
)  # fmt: skip
VARIANTS_BY_NAME = {variant.name: variant for variant in (*VARIANTS, *REFERENCES)}

GROUPS = {
    "flask-sync": ("Flask, sync view", "Flask-CORS"),
    "flask-async": ("Flask, async view", "Flask-CORS"),
    "quart": ("Quart", "quart-cors"),
}


def adapter_missing(framework: str) -> str | None:
    """Why crossorigin cannot serve ``framework`` yet, or ``None``."""
    module = "crossorigin._flask" if framework == "flask" else "crossorigin._quart"
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    return None if found else f"{module} does not exist yet"
