"""Build the same app from a scenario for each target.

``build_app("flask-sync" | "flask-async" | "quart", scenario)`` returns a
Flask app with sync views, a Flask app with async views, or a Quart app
(async views). ``create_server_app(target)`` mounts every scenario of the
table under ``/<scenario name>`` for a real server:

    gunicorn 'tests.matrix.apps:create_server_app("flask-sync")'
    hypercorn 'tests.matrix.apps:create_server_app("quart")'

Frameworks are imported inside the functions, so that the Flask-only compat
stacks, which have no Quart, can import this module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from crossorigin import CORS, cross_origin, exempt

from .scenarios import BY_NAME, TARGETS, Route, Scenario, scenarios_for


class Teapot(Exception):
    """Raised by ``teapot`` views; an error handler answers 418."""


def build_app(target: str, scenario: Scenario) -> Any:
    """The scenario's app for ``target``, with CORS set up as it says."""
    if target not in TARGETS:
        msg = f"unknown target {target!r}; one of {TARGETS}"
        raise ValueError(msg)
    if not scenario.applies_to(target):
        msg = f"scenario {scenario.name!r} does not apply to {target!r}"
        raise ValueError(msg)

    quart = target == "quart"
    fw = importlib.import_module("quart" if quart else "flask")
    app_class = fw.Quart if quart else fw.Flask
    app = app_class(__name__)
    app.config.update(scenario.config)
    # A disabled logger keeps the tracebacks of the "raise" views out of the
    # output; the 500 responses are still checked.
    app.logger.disabled = True
    views = _QuartViews(fw) if quart else _FlaskViews(fw, target == "flask-async")

    app.register_error_handler(Teapot, views.teapot_handler())
    for hook in scenario.hooks:
        app.before_request(views.hook(hook))

    blueprints = {
        bp.name: fw.Blueprint(bp.name, __name__, url_prefix=bp.url_prefix)
        for bp in scenario.blueprints
    }
    for index, route in enumerate(scenario.routes):
        owner = blueprints[route.blueprint] if route.blueprint else app
        views.add(owner, route, f"view{index}")
    for bp in scenario.blueprints:
        if bp.cors is not None:
            CORS(blueprints[bp.name], **bp.cors)

    # After the auth hook on purpose: CORS(app) must still run first.
    if scenario.cors is not None:
        if scenario.init_app:
            CORS(**scenario.cors).init_app(app)
        else:
            CORS(app, **scenario.cors)

    for bp in scenario.blueprints:
        if bp.parent is not None:
            blueprints[bp.parent].register_blueprint(blueprints[bp.name])
    for bp in scenario.blueprints:
        if bp.parent is None:
            app.register_blueprint(blueprints[bp.name])
    return app


def _decorate(view: Callable[..., Any], decorator: object) -> Callable[..., Any]:
    if decorator is None:
        return view
    if decorator == "exempt":
        return exempt(view)
    if decorator == "bare":
        return cross_origin(view)
    assert isinstance(decorator, Mapping)
    return cross_origin(**decorator)(view)  # type: ignore[no-any-return]


class _FlaskViews:
    """Views for Flask, sync or async."""

    def __init__(self, fw: Any, is_async: bool) -> None:
        self.fw = fw
        self.is_async = is_async

    def respond(self, kind: str, rule: str) -> Any:
        fw = self.fw
        name, _, arg = kind.partition(":")
        if name == "ok":
            return fw.Response(f"ok {rule}")
        if name == "options_view":
            if fw.request.method == "OPTIONS":
                return fw.Response("options")
            return fw.Response(f"ok {rule}")
        if name == "vary":
            return fw.Response(f"ok {rule}", headers={"Vary": arg})
        if name == "own_acao":
            return fw.Response(
                f"ok {rule}", headers={"Access-Control-Allow-Origin": arg}
            )
        if name == "abort":
            fw.abort(int(arg))
        if name == "raise":
            msg = "a view failed"
            raise RuntimeError(msg)
        if name == "teapot":
            raise Teapot
        if name == "redirect":
            return fw.redirect("/target")
        if name == "stream":

            def chunks() -> Any:
                yield "chunk-1"
                yield " chunk-2"
                yield " chunk-3"

            return fw.Response(chunks())
        msg = f"unknown view kind {kind!r}"
        raise ValueError(msg)

    def add(self, owner: Any, route: Route, endpoint: str) -> None:
        kind, rule = route.kind, route.rule
        if self.is_async:

            async def view(**kwargs: Any) -> Any:
                return self.respond(kind, rule)

        else:

            def view(**kwargs: Any) -> Any:
                return self.respond(kind, rule)

        view.__name__ = endpoint
        owner.add_url_rule(
            rule,
            endpoint,
            _decorate(view, route.decorator),
            methods=list(route.methods),
        )

    def hook(self, name: str) -> Callable[[], None]:
        assert name == "auth", name
        fw = self.fw

        def auth() -> None:
            if "Authorization" not in fw.request.headers:
                fw.abort(401)

        return auth

    def teapot_handler(self) -> Callable[[Teapot], Any]:
        def handler(error: Teapot) -> Any:
            return self.fw.Response("teapot", status=418)

        return handler


class _QuartViews(_FlaskViews):
    """Views for Quart: always ``async def``, streams are async generators."""

    def __init__(self, fw: Any) -> None:
        super().__init__(fw, is_async=True)

    def respond(self, kind: str, rule: str) -> Any:
        if kind == "stream":

            async def chunks() -> Any:
                yield b"chunk-1"
                yield b" chunk-2"
                yield b" chunk-3"

            return self.fw.Response(chunks())
        return super().respond(kind, rule)

    def add(self, owner: Any, route: Route, endpoint: str) -> None:
        if route.kind != "websocket":
            super().add(owner, route, endpoint)
            return
        ws = self.fw.websocket

        async def view(**kwargs: Any) -> None:
            data = await ws.receive()
            await ws.send(data)

        view.__name__ = endpoint
        owner.add_websocket(route.rule, endpoint, _decorate(view, route.decorator))

    def hook(self, name: str) -> Callable[[], Any]:
        assert name == "auth", name
        fw = self.fw

        async def auth() -> None:
            if "Authorization" not in fw.request.headers:
                fw.abort(401)

        return auth

    def teapot_handler(self) -> Callable[[Teapot], Any]:
        async def handler(error: Teapot) -> Any:
            return self.fw.Response("teapot", status=418)

        return handler


# -- One app per server --------------------------------------------------------


def create_server_app(target: str) -> Any:
    """Every scenario for ``target``, each under ``/<scenario name>``."""
    mounts = {f"/{s.name}": build_app(target, s) for s in scenarios_for(target)}
    if target == "quart":
        return PrefixDispatcher(mounts)

    from werkzeug.exceptions import NotFound
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    return DispatcherMiddleware(NotFound(), mounts)


def create_single_app(target: str, name: str) -> Any:
    """One scenario's app, for serving it alone."""
    return build_app(target, BY_NAME[name])


class PrefixDispatcher:
    """A minimal ASGI dispatcher: ``/<prefix>/rest`` goes to ``mounts[prefix]``.

    The mounted app sees ``/rest``, as Werkzeug's ``DispatcherMiddleware``
    does for WSGI. Lifespan events are answered here (the test client does
    not send them either).
    """

    def __init__(self, mounts: Mapping[str, Any]) -> None:
        self.mounts = dict(mounts)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return

        head, slash, rest = scope["path"][1:].partition("/")
        app = self.mounts.get(f"/{head}")
        if app is None:
            await self._not_found(scope, send)
            return
        path = f"/{rest}" if slash else "/"
        child = dict(scope, path=path, raw_path=path.encode())
        await app(child, receive, send)

    @staticmethod
    async def _not_found(scope: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})
            return
        await send(
            {"type": "http.response.start", "status": 404, "headers": []},
        )
        await send({"type": "http.response.body", "body": b""})
