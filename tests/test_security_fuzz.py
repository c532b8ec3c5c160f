"""A short, deterministic run of the fuzz properties in every test run.

``nox -s fuzz`` explores the same properties for minutes (atheris when it is
installed, else hypothesis at random); here hypothesis runs each for a fixed
number of derandomised examples, so that the run is reproducible and its
cost bounded by work, not by a clock.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

cases: Any = importlib.import_module("fuzz.cases")
strategies: Any = importlib.import_module("fuzz.strategies")

CI = settings(
    max_examples=250,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@CI
@given(strategies.policy_case, strategies.cors_request())
def test_fuzz_decide_keeps_every_invariant(case: Any, request: Any) -> None:
    strategies.decide_property(case, request)


@CI
@given(strategies.origin_text, st.booleans())
def test_fuzz_origin_parsing_is_total_and_safe(text: str, credentials: bool) -> None:
    strategies.origin_property(text, credentials)


@CI
@given(strategies.policy_options)
def test_fuzz_any_options_build_or_explain_the_fix(options: dict[str, Any]) -> None:
    strategies.options_property(options)


def test_fuzz_invariants_catch_a_forged_grant() -> None:
    """The checker is not vacuous: a decision granting evil is caught."""
    case = cases.POLICY_BY_NAME["exact"]
    origin = "https://evilexample.com"
    forged = case.policy.decide("GET", [("Origin", "https://app.example.com")])
    forged = forged._replace(
        headers=(("Access-Control-Allow-Origin", origin), *forged.headers[1:])
    )
    with pytest.raises(cases.InvariantError, match="excludes"):
        cases.check_decision(case, "GET", [("Origin", origin)], forged)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (("Access-Control-Allow-Origin", "https://a.example.com\r\nX: y"), "control"),
        (("Access-Control-Allow-Origin", "*"), "credentials"),
        (("Access-Control-Allow-Private-Network", "true"), "private network"),
    ],
)
def test_fuzz_invariants_catch_injection_wildcard_and_pna(
    header: tuple[str, str], message: str
) -> None:
    case = cases.POLICY_BY_NAME["exact"]
    origin = "https://app.example.com"
    granted = case.policy.decide("GET", [("Origin", origin)])
    headers = tuple(p for p in granted.headers if p[0] != header[0])
    forged = granted._replace(headers=(header, *headers))
    with pytest.raises(cases.InvariantError, match=message):
        cases.check_decision(case, "GET", [("Origin", origin)], forged)


def test_fuzz_run_script_stops_at_its_budget(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """fuzz/run.py, which nox runs, imports and stops when the budget is 0."""
    run = importlib.import_module("fuzz.run")
    assert run.run_hypothesis(0) == 0
    assert "0 rounds" in capsys.readouterr().out
