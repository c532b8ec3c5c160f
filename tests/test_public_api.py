"""The public surface: names, import cost, exception types, Policy protocol."""

from __future__ import annotations

import copy
import inspect
import pickle
import subprocess
import sys
import types
from pathlib import Path

import pytest

import crossorigin
from crossorigin import ConfigError, CrossOriginError, Decision, Policy

SRC = Path(crossorigin.__file__).resolve().parent.parent

#: Names DESIGN.md fixes ("Public API"); more may be added, none renamed.
FIXED_NAMES = {
    "CORS",
    "ConfigError",
    "Decision",
    "Policy",
    "cross_origin",
    "exempt",
}


def test_public_api_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name, value in vars(crossorigin).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        # The __future__ feature every module imports is not an export.
        and name != "annotations"
    }

    assert crossorigin.__all__ == sorted(crossorigin.__all__)
    assert set(crossorigin.__all__) == public
    assert public >= FIXED_NAMES


def test_public_api_names_resolve_and_carry_docstrings() -> None:
    for name in crossorigin.__all__:
        value = getattr(crossorigin, name)
        assert inspect.getdoc(value), name


def test_public_api_import_loads_no_framework() -> None:
    code = (
        "import sys, crossorigin\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in"
        " {'flask', 'quart', 'werkzeug', 'asgiref', 'hypercorn', 'starlette'})\n"
        "print(','.join(bad))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )

    assert result.stdout.strip() == ""


def test_public_api_core_imports_no_framework_and_does_not_log() -> None:
    code = (
        "import sys\n"
        "import crossorigin._policy, crossorigin._origins, crossorigin._errors\n"
        "import crossorigin._placement\n"
        "print(','.join(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'flask', 'quart', 'werkzeug', 'asgiref'})))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )

    assert result.stdout.strip() == ""
    # The sans-IO core does not log; _placement is framework-free but may.
    for module in ("_policy", "_origins", "_errors"):
        source = (SRC / "crossorigin" / f"{module}.py").read_text()
        assert "import logging" not in source, module


def test_public_api_config_error_is_a_value_error() -> None:
    error = ConfigError(["a: one", "b: two"])

    assert issubclass(ConfigError, ValueError)
    assert issubclass(ConfigError, CrossOriginError)
    assert error.problems == ("a: one", "b: two")
    assert str(error) == "2 problems in the CORS configuration:\n  - a: one\n  - b: two"
    assert str(ConfigError("a: one")) == "a: one"
    with pytest.raises(ValueError, match="did you mean origins"):
        Policy(origin="*")  # type: ignore[typeddict-unknown-key]


def test_public_api_policy_is_immutable() -> None:
    policy = Policy(origins=["https://app.example.com"])

    with pytest.raises(AttributeError, match="immutable"):
        policy.warnings = ()  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        policy.anything = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="immutable"):
        del policy.warnings
    with pytest.raises(TypeError):
        policy.settings["origins"] = ("*",)  # type: ignore[index]
    assert not hasattr(policy, "__dict__")


def test_public_api_policy_pickles_copies_and_compares() -> None:
    policy = Policy(
        origins=["https://app.example.com", "https://*.example.org"],
        supports_credentials=True,
        max_age=600,
        expose_headers=["X-Total"],
    )

    for clone in (pickle.loads(pickle.dumps(policy)), copy.deepcopy(policy)):
        assert clone == policy
        assert hash(clone) == hash(policy)
        assert clone.settings == policy.settings
    assert policy != Policy()
    assert policy.__eq__(object()) is NotImplemented


def test_public_api_policy_replace_validates_again() -> None:
    policy = Policy(origins=["https://app.example.com"])

    changed = policy.replace(max_age=60)

    assert changed.settings["max_age"] == 60
    assert policy.settings["max_age"] is None
    with pytest.raises(ConfigError, match="supports_credentials"):
        Policy().replace(supports_credentials=True)


def test_public_api_policy_repr_shows_only_changed_settings() -> None:
    assert repr(Policy()) == "Policy()"
    assert (
        repr(Policy(origins="HTTPS://App.Example.com", max_age="60"))
        == "Policy(origins=('https://app.example.com',), max_age=60)"
    )
    assert "supports_credentials=True" in repr(
        Policy(origins=["https://a.example.com"], supports_credentials=True)
    )


def test_public_api_decision_is_plain_data() -> None:
    decision = Policy().decide("GET", {"Origin": "https://a.example.com"})

    assert isinstance(decision, Decision)
    assert isinstance(decision, tuple)
    assert decision._fields == ("headers", "preflight", "allowed", "status", "reason")
    assert isinstance(decision.headers, tuple)
    assert pickle.loads(pickle.dumps(decision)) == decision
