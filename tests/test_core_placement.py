"""Placement without a framework: resources, ``CORS_*`` keys, resolution.

DESIGN.md, "Which policy" and "Resource patterns": a trailing ``/*`` covers
the bare prefix and everything below it, never a longer word; other regex
syntax matches in full; the longest literal prefix wins, ties by declaration
order; ``policy=`` is complete and excludes the decision options and the
``CORS_*`` keys.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from crossorigin import ConfigError, Policy
from crossorigin._placement import (
    EXEMPT,
    MARKER,
    AppState,
    Placement,
    build_scope,
    compile_path,
    config_options,
    make_view_spec,
    parse_resources,
)

A = "https://app.example.com"
B = "https://admin.example.com"
PATHS = ["/api", "/api/", "/api/x", "/api/x/y", "/apiary", "/ap", "/", "/other/api"]

# (pattern, literal prefix, paths from PATHS it matches)
PATTERNS: list[tuple[str | re.Pattern[str], str, list[str]]] = [
    ("/api/*", "/api", ["/api", "/api/", "/api/x", "/api/x/y"]),
    ("/api*", "/api", ["/api", "/api/", "/api/x", "/api/x/y", "/apiary"]),
    ("/api", "/api", ["/api"]),
    ("/api/", "/api/", ["/api/"]),
    ("/api/x", "/api/x", ["/api/x"]),
    (r"/api/\w+", "/api/", ["/api/x"]),
    (r"/api/.*", "/api/", ["/api/", "/api/x", "/api/x/y"]),
    (r"/ap(i|iary)", "/ap", ["/api", "/apiary"]),
    (r"/apis?", "/api", ["/api"]),
    (re.compile(r"/api/[a-z]"), "/api/", ["/api/x"]),
    ("/*", "", PATHS),
    ("*", "", PATHS),
    (r".*", "", PATHS),
]


@pytest.mark.parametrize(("pattern", "prefix", "matches"), PATTERNS)
def test_placement_resource_pattern_semantics(
    pattern: str | re.Pattern[str], prefix: str, matches: list[str]
) -> None:
    regex, literal = compile_path(pattern)

    assert literal == prefix
    assert [p for p in PATHS if regex.fullmatch(p)] == matches


def test_placement_resource_patterns_are_case_sensitive_and_literal() -> None:
    regex, _ = compile_path("/API/*")
    dotted, _ = compile_path("/v1.0/*")

    assert regex.fullmatch("/API/x")
    assert not regex.fullmatch("/api/x")
    assert dotted.fullmatch("/v1.0/x")
    assert not dotted.fullmatch("/v1x0/x")


def test_placement_trailing_star_covers_newlines_in_paths() -> None:
    regex, _ = compile_path("/files/*")

    assert regex.fullmatch("/files/a\nb")
    assert not regex.fullmatch("/filesystem")


def _rules(resources: dict[Any, Any]) -> list[str]:
    problems: list[str] = []
    rules = parse_resources(resources, {}, problems)
    assert problems == []
    return [rule.pattern for rule in rules]


def test_placement_longest_literal_prefix_wins() -> None:
    order = _rules(
        {
            "/*": {},
            "/api/*": {},
            r"/api/v\d+/.*": {},
            "/api/v1/users": {},
        }
    )

    assert order == ["/api/v1/users", r"/api/v\d+/.*", "/api/*", "/*"]


def test_placement_ties_go_to_declaration_order() -> None:
    first = _rules({"/api*": {}, r"/api.*": {}, "/api/*": {}})
    second = _rules({"/api/*": {}, r"/api.*": {}, "/api*": {}})

    assert first == ["/api*", r"/api.*", "/api/*"]
    assert second == ["/api/*", r"/api.*", "/api*"]


def test_placement_scope_picks_the_most_specific_rule() -> None:
    scope = build_scope(
        {},
        {
            "resources": {
                "/api/*": {"origins": [A]},
                "/api/admin/*": {"origins": [B]},
                "/public": Policy(),
            }
        },
        "CORS",
    )

    def origins(path: str) -> object:
        policy = scope.policy_for(path)
        return None if policy is None else policy.settings["origins"]

    assert origins("/api/x") == (A,)
    assert origins("/api/admin") == (B,)
    assert origins("/api/admin/x") == (B,)
    assert origins("/api/adminx") == (A,)
    assert origins("/public") == ("*",)
    # With resources, unmatched paths have no policy at all.
    assert origins("/apiary") is None
    assert origins("/") is None


def test_placement_resource_rules_inherit_the_scope_options() -> None:
    scope = build_scope(
        {"CORS_MAX_AGE": 60},
        {
            "origins": [A],
            "supports_credentials": True,
            "resources": {"/api/*": {}, "/admin/*": {"origins": [B]}},
        },
        "CORS",
    )

    api = scope.policy_for("/api/x")
    admin = scope.policy_for("/admin/x")
    assert api is not None and admin is not None
    assert api.settings["origins"] == (A,)
    assert admin.settings["origins"] == (B,)
    assert admin.settings["supports_credentials"] is True
    assert admin.settings["max_age"] == 60


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (42, ("resources: 42", "resources={'/api/*'")),
        ({42: {}}, ("resources[42]", "'/api/*'")),
        ({"/api/(": {}}, ("resources['/api/(']", "does not compile", "'/api/*'")),
        ({"/api/*": "x"}, ("resources['/api/*']", "'x'", "Policy")),
        (
            {"/api/*": {"origin": A}},
            ("resources['/api/*']: origin: unknown option", "did you mean origins=?"),
        ),
        (
            {"/api/*": {"automatic_options": False}},
            ("resources['/api/*']: automatic_options", "pass it to CORS(...)"),
        ),
        (
            {"/api/*": {"origins": "*", "supports_credentials": True}},
            ("resources['/api/*']: supports_credentials: True", "list the allowed"),
        ),
    ],
)
def test_placement_resources_errors_name_the_rule(
    resources: object, expected: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as info:
        build_scope({}, {"resources": resources}, "CORS")

    assert len(info.value.problems) == 1, info.value.problems
    for part in expected:
        assert part in info.value.problems[0]


# -- CORS_* config keys -------------------------------------------------------


def test_placement_config_keys_are_read_like_flask_cors() -> None:
    options, warnings = config_options(
        {
            "CORS_ORIGINS": [A],
            "CORS_SUPPORTS_CREDENTIALS": True,
            "CORS_MAX_AGE": None,
            "CORS_AUTOMATIC_OPTIONS": False,
            "CORS_RESOURCES": {"/api/*": {}},
            "SECRET_KEY": "x",
            42: "not a string key",
        }
    )

    assert options == {
        "origins": [A],
        "supports_credentials": True,
        "automatic_options": False,
        "resources": {"/api/*": {}},
    }
    assert warnings == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("CORS_HEADERS", ("CORS_HEADERS", "use CORS_ALLOW_HEADERS")),
        ("CORS_ORIGIN", ("CORS_ORIGIN", "use CORS_ORIGINS")),
        ("CORS_SUPPORT_CREDENTIALS", ("use CORS_SUPPORTS_CREDENTIALS",)),
        ("CORS_ALLOW_CREDENTIALS", ("use CORS_SUPPORTS_CREDENTIALS",)),
        ("CORS_METHOD", ("CORS_METHOD", "did you mean CORS_METHODS?")),
        ("CORS_ALLOW_ORIGINS", ("did you mean CORS_ORIGINS?",)),
        ("CORS_POLICY", ("CORS_POLICY", "not a crossorigin", "CORS_ORIGINS,")),
        ("QUART_CORS_ALLOW_ORIGIN", ("QUART_CORS_ALLOW_ORIGIN", "use CORS_ORIGINS")),
        (
            "QUART_CORS_ALLOW_CREDENTIALS",
            ("QUART_CORS_ALLOW_CREDENTIALS", "CORS_SUPPORTS_CREDENTIALS"),
        ),
        ("QUART_CORS_MAX_AGE", ("use CORS_MAX_AGE",)),
        ("QUART_CORS_SOMETHING_NEW", ("quart-cors", "CORS_*")),
    ],
)
def test_placement_unknown_config_keys_warn_with_replacement(
    key: str, expected: tuple[str, ...]
) -> None:
    options, warnings = config_options({key: "x"})

    assert options == {}
    assert len(warnings) == 1
    for part in expected:
        assert part in warnings[0]


def test_placement_config_keys_are_overridden_by_options() -> None:
    scope = build_scope(
        {"CORS_ORIGINS": [A], "CORS_HEADERS": "x"},
        {"origins": [B]},
        "CORS",
    )

    assert scope.default is not None
    assert scope.default.settings["origins"] == (B,)
    assert any("CORS_HEADERS" in w for w in scope.warnings)


def test_placement_config_key_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError) as info:
        build_scope({"CORS_SUPPORTS_CREDENTIALS": "False"}, {}, "CORS")

    message = str(info.value)
    assert "app.config['CORS_SUPPORTS_CREDENTIALS']" in message
    assert "'False' is not a boolean" in message


def test_placement_keyword_errors_do_not_blame_config() -> None:
    with pytest.raises(ConfigError) as info:
        build_scope(
            {"CORS_SUPPORTS_CREDENTIALS": True},
            {"supports_credentials": "yes"},
            "CORS",
        )

    assert "app.config" not in str(info.value)


def test_placement_policy_warns_about_ignored_config_keys() -> None:
    scope = build_scope(
        {"CORS_ORIGINS": [A], "CORS_MAX_AGE": 60},
        {"policy": Policy(origins=[B])},
        "CORS",
    )

    ignored = [w for w in scope.warnings if "policy=" in w]
    assert len(ignored) == 2
    assert any("CORS_ORIGINS" in w for w in ignored)
    assert any("CORS_MAX_AGE" in w for w in ignored)


def test_placement_scope_collects_policy_warnings() -> None:
    scope = build_scope({}, {"max_age": 100_000}, "CORS")

    assert any(w.startswith("max_age: 100000") for w in scope.warnings)


# -- policy= exclusivity --------------------------------------------------------


def test_placement_policy_excludes_decision_options() -> None:
    with pytest.raises(ConfigError) as info:
        build_scope({}, {"policy": Policy(), "origins": [A], "max_age": 5}, "CORS")

    assert info.value.problems == (
        "policy: a complete Policy was given, so max_age, origins cannot be given"
        " too; put them into the Policy",
    )


def test_placement_policy_ignores_config_decision_keys() -> None:
    policy = Policy(origins=[B])
    scope = build_scope(
        {"CORS_ORIGINS": [A], "CORS_DEBUG": True},
        {"policy": policy, "automatic_options": False},
        "CORS",
    )

    assert scope.default is policy
    assert scope.placement == Placement(automatic_options=False, debug=True)


def test_placement_policy_must_be_a_policy() -> None:
    with pytest.raises(ConfigError, match=r"policy: 'x' is not a crossorigin\.Policy"):
        build_scope({}, {"policy": "x"}, "CORS")


def test_placement_policy_is_the_base_of_resources() -> None:
    scope = build_scope(
        {},
        {"policy": Policy(origins=[A], max_age=9), "resources": {"/api/*": {}}},
        "CORS",
    )

    api = scope.policy_for("/api")
    assert api is not None
    assert api.settings["origins"] == (A,)
    assert api.settings["max_age"] == 9
    assert scope.policy_for("/") is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"origin": A}, "origin: unknown option of CORS; did you mean origins=?"),
        ({"automatic_options": "no"}, "automatic_options: 'no' is not a boolean"),
        ({"debug": 1}, "debug: 1 is not a boolean; write debug=True or debug=False"),
    ],
)
def test_placement_cors_option_errors(options: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_scope({}, options, "CORS")

    assert any(expected in p for p in info.value.problems), info.value.problems


# -- cross_origin specs and resolution ---------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"resources": {}}, "resources: cross_origin applies to one view"),
        ({"policy": 5}, "policy: 5 is not a crossorigin.Policy"),
        ({"policy": Policy(), "origins": [A]}, "so origins cannot be given too"),
        ({"support_credentials": True}, "did you mean supports_credentials=?"),
        ({"origins": ["app.example.com"]}, f"write {A!r}"),
    ],
)
def test_placement_view_spec_validates_at_decoration(
    options: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        make_view_spec(options)

    assert any(expected in p for p in info.value.problems), info.value.problems


class _App:
    """Stands in for an app: weak-referenceable, nothing else."""


def _view() -> None:
    """A view function with no marker."""


def test_placement_resolve_most_specific_first() -> None:
    app = _App()
    state = AppState()
    state.app_scope = build_scope({}, {"origins": [A]}, "CORS")
    state.blueprint_scopes["admin"] = build_scope({}, {"origins": [B]}, "CORS")

    def decorated() -> None:
        """A view with its own policy."""

    def skipped() -> None:
        """An exempt view."""

    setattr(decorated, MARKER, make_view_spec({"origins": ["https://c.example"]}))
    setattr(skipped, MARKER, EXEMPT)

    def origins(view: Any, blueprints: list[str]) -> object:
        policy, _ = state.resolve(app, {}, view, blueprints, "/x")
        return None if policy is None else policy.settings["origins"]

    assert origins(_view, []) == (A,)
    assert origins(None, []) == (A,)
    assert origins(_view, ["admin"]) == (B,)
    assert origins(_view, ["inner", "admin"]) == (B,)
    assert origins(decorated, ["admin"]) == ("https://c.example",)
    assert state.resolve(app, {}, skipped, ["admin"], "/x") == (None, None)


def test_placement_resolve_without_any_scope() -> None:
    assert AppState().resolve(_App(), {}, _view, [], "/") == (None, None)


def test_placement_view_spec_builds_once_per_app_from_its_config() -> None:
    spec = make_view_spec({"max_age": 5})
    first, second = _App(), _App()

    one = spec.scope_for(first, {"CORS_ORIGINS": [A]})
    again = spec.scope_for(first, {"CORS_ORIGINS": [B]})
    other = spec.scope_for(second, {"CORS_ORIGINS": [B]})

    assert one is again
    assert one.default is not None and other.default is not None
    assert one.default.settings["origins"] == (A,)
    assert other.default.settings["origins"] == (B,)
    assert other.default.settings["max_age"] == 5
