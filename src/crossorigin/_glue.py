"""The public entry points: ``CORS``, ``cross_origin`` and ``exempt``.

They validate options when called, pick the adapter from the app's type and
import Flask or Quart lazily: ``pip install crossorigin[flask]`` needs no
Quart, and ``import crossorigin`` imports neither.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._errors import ConfigError
from ._placement import (
    EXEMPT,
    EXTENSION_KEY,
    MARKER,
    AppState,
    Scope,
    ViewSpec,
    build_scope,
    check_option_names,
    make_view_spec,
)
from ._policy import DecisionOptions, Policy

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger("crossorigin")

F = TypeVar("F", bound=Callable[..., Any])
_BLUEPRINT_MARK = "_crossorigin_cors"


class CORSOptions(DecisionOptions, total=False):
    """Keyword options of ``CORS`` and ``init_app``."""

    automatic_options: bool
    intercept_exceptions: bool
    check_websocket_origin: bool
    debug: bool


def adapter_for(target: object) -> ModuleType:
    """Return the adapter module for a Flask or Quart app or blueprint."""
    if "quart" in sys.modules:
        import quart

        if isinstance(target, (quart.Quart, quart.Blueprint)):
            return importlib.import_module("crossorigin._quart")
    if "flask" in sys.modules:
        import flask

        if isinstance(target, (flask.Flask, flask.Blueprint)):
            return importlib.import_module("crossorigin._flask")
    msg = (
        f"CORS() needs a Flask or Quart app or blueprint, got {target!r};"
        " pass the app object, as in CORS(app)"
    )
    raise TypeError(msg)


def app_state(app: Any) -> AppState:
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = app.extensions[EXTENSION_KEY] = AppState()
    return state  # type: ignore[no-any-return]


def _log_warnings(scope: Scope, where: str) -> None:
    for warning in scope.warnings:
        logger.warning("%s: %s", where, warning)


class CORS:
    """Add CORS to a Flask or Quart app or blueprint.

    ``CORS(app, **options)`` applies at once; ``cors = CORS(**options)``
    followed by ``cors.init_app(app)`` suits app factories. Options given to
    ``init_app`` override those given here; both override the app's
    ``CORS_*`` config keys. ``policy=`` passes a complete ``Policy``;
    ``resources=`` maps path patterns to options or policies.
    """

    def __init__(
        self,
        app: Any = None,
        *,
        policy: Policy | None = None,
        resources: Any = None,
        **options: Unpack[CORSOptions],
    ) -> None:
        self._options: dict[str, Any] = dict(options)
        if policy is not None:
            self._options["policy"] = policy
        if resources is not None:
            self._options["resources"] = resources
        problems = check_option_names(self._options, "CORS")
        if problems:
            raise ConfigError(problems)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Any, **options: Unpack[CORSOptions]) -> None:
        """Apply to ``app`` (an app or blueprint), with extra ``options``."""
        merged = {**self._options, **options}
        adapter = adapter_for(app)
        if adapter.is_blueprint(app):
            self._init_blueprint(app, merged, adapter)
        else:
            self._init_app(app, merged, adapter)

    @staticmethod
    def _init_app(app: Any, options: dict[str, Any], adapter: ModuleType) -> None:
        state = app_state(app)
        if state.app_scope is not None:
            msg = (
                "CORS(app) was already called on this app; a second call would"
                " blur which origins are allowed. Pass all options in one call,"
                " using resources= for different paths"
            )
            raise ConfigError(msg)
        scope = build_scope(app.config, options, "CORS")
        _log_warnings(scope, "CORS(app)")
        adapter.ensure_hooks(app, state)
        state.set_app_scope(scope)
        _register_cli(app)

    @staticmethod
    def _init_blueprint(bp: Any, options: dict[str, Any], adapter: ModuleType) -> None:
        if getattr(bp, "_got_registered_once", False):
            msg = (
                f"CORS(blueprint {bp.name!r}) was called after the blueprint was"
                " registered on an app; call CORS(bp) before"
                " app.register_blueprint(bp)"
            )
            raise ConfigError(msg)
        if getattr(bp, _BLUEPRINT_MARK, False):
            msg = (
                f"CORS(blueprint {bp.name!r}) was already called; pass all"
                " options in one call"
            )
            raise ConfigError(msg)
        # Validate now, without the app's config, so that mistakes surface at
        # import time; the real scope is built when the blueprint registers.
        build_scope({}, options, f"CORS(blueprint {bp.name!r})")
        object.__setattr__(bp, _BLUEPRINT_MARK, True)

        def register(setup: Any) -> None:
            app = setup.app
            # The registered name, as request.blueprints spells it: a nested
            # blueprint is "parent.child".
            prefix = getattr(setup, "name_prefix", "")
            name = f"{prefix}.{getattr(setup, 'name', bp.name)}".lstrip(".")
            where = f"CORS(blueprint {name!r})"
            scope = build_scope(app.config, options, where)
            _log_warnings(scope, where)
            state = app_state(app)
            adapter.ensure_hooks(app, state)
            state.add_blueprint_scope(name, scope)
            _register_cli(app)

        bp.record(register)


@overload
def cross_origin(__view: F) -> F: ...
@overload
def cross_origin(
    *, policy: Policy | None = None, **options: Unpack[CORSOptions]
) -> Callable[[F], F]: ...
def cross_origin(*args: Any, **options: Any) -> Any:
    """Give one view its own CORS policy; sync or async, Flask or Quart.

    Use it bare (``@cross_origin``) or with options (``@cross_origin(
    origins=[...])``), under the route decorator. With ``CORS(app)`` on the
    app, preflights are answered by its early hook, before other
    ``before_request`` functions; with the decorator alone, inside the view
    call, after them.
    """
    if len(args) == 1 and callable(args[0]) and not options:
        return _decorate(args[0], make_view_spec({}))
    if args:
        shown = ", ".join(repr(a) for a in args)
        msg = (
            f"cross_origin takes keyword options only, got the positional"
            f" argument(s) {shown}; write for example"
            f" @cross_origin(origins={args[0]!r})"
        )
        raise ConfigError(msg)

    spec = make_view_spec(options)
    return functools.partial(_decorate, spec=spec)


def _unmarked(view: F) -> F:
    """The view under any ``cross_origin``/``exempt`` already applied.

    A second mark replaces the first instead of nesting, so that one
    request is never handled twice.
    """
    while getattr(view, MARKER, None) is not None and hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _decorate(view: F, spec: ViewSpec) -> F:
    view = _unmarked(view)
    wrapper: Any
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await _runtime().call_async(view, spec, args, kwargs)

    else:

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _runtime().call_sync(view, spec, args, kwargs)

    setattr(wrapper, MARKER, spec)
    if spec.placement.automatic_options:
        # Like Flask-CORS: route OPTIONS to the view so that the wrapper can
        # answer a preflight even without CORS(app).
        methods = set(getattr(view, "required_methods", ()))
        wrapper.required_methods = methods | {"OPTIONS"}
        wrapper.provide_automatic_options = False
    return wrapper  # type: ignore[no-any-return]


def exempt(view: F) -> F:
    """Give this view no CORS handling at all (health checks, webhooks)."""
    view = _unmarked(view)
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await view(*args, **kwargs)

    else:

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

    setattr(wrapper, MARKER, EXEMPT)
    return wrapper  # type: ignore[return-value]


def _register_cli(app: Any) -> None:
    # Imported here: the CLI needs click, which only the frameworks bring.
    from ._cli import register_cli

    register_cli(app)


def _runtime() -> ModuleType:
    """The adapter of the framework whose request is being handled."""
    quart = sys.modules.get("quart")
    if quart is not None and (
        quart.has_request_context() or quart.has_websocket_context()
    ):
        return importlib.import_module("crossorigin._quart")
    return importlib.import_module("crossorigin._flask")
