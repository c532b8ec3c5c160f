"""Fuzz origin parsing and ``Policy.decide`` for a time budget.

Usage: ``python fuzz/run.py [--engine atheris|hypothesis] [--seconds N]``.
The budget defaults to the ``FUZZ_SECONDS`` environment variable (60);
``nox -s fuzz`` sets it. With atheris installed (coverage-guided,
libFuzzer) it is the default engine; otherwise hypothesis explores the
same properties at random until the budget is spent. Either way a finding
is printed with the input that caused it and the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script: make the ``fuzz`` package importable.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _budget(arguments: argparse.Namespace) -> int:
    if arguments.seconds is not None:
        return int(arguments.seconds)
    return int(os.environ.get("FUZZ_SECONDS", "60"))


def run_hypothesis(seconds: int) -> int:
    """Run each property in rounds until ``seconds`` have passed."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from fuzz import strategies as s

    config = settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    properties: list[tuple[str, Any]] = [
        ("decide", given(s.policy_case, s.cors_request())(s.decide_property)),
        ("origin", given(s.origin_text, st.booleans())(s.origin_property)),
        ("options", given(s.policy_options)(s.options_property)),
    ]
    tests = {name: config(test) for name, test in properties}
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end:
        for name, test in tests.items():
            try:
                test()
            except Exception:
                print(f"fuzz: finding in the {name!r} property", file=sys.stderr)
                raise
        rounds += 1
    print(f"fuzz (hypothesis): {rounds} rounds of 3 x 300 examples, no finding")
    return 0


def _one_input(data: bytes) -> None:
    import atheris

    from fuzz import cases

    fdp = atheris.FuzzedDataProvider(data)
    target = fdp.ConsumeIntInRange(0, 2)
    if target == 0:
        text = _origin(fdp, cases)
        cases.check_canonical(text)
        cases.check_origin_option(text, fdp.ConsumeBool())
        return

    case = cases.POLICIES[fdp.ConsumeIntInRange(0, len(cases.POLICIES) - 1)]
    verb = fdp.PickValueInList(["OPTIONS", "GET", "POST", "options", "PUT"])
    if fdp.ConsumeBool():
        verb = fdp.ConsumeUnicodeNoSurrogates(12)
    headers: list[tuple[str, str]] = []
    names = [
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
        "origin",
        "X-Other",
    ]
    for _ in range(fdp.ConsumeIntInRange(0, 6)):
        name = fdp.PickValueInList(names)
        value = (
            _origin(fdp, cases)
            if name.lower() == "origin"
            else (fdp.ConsumeUnicodeNoSurrogates(64))
        )
        headers.append((name, value))
    cases.decide_and_check(case, verb, headers)


def _origin(fdp: Any, cases: Any) -> str:
    choice = fdp.ConsumeIntInRange(0, 3)
    if choice == 0:
        return str(fdp.PickValueInList(list(cases.MALICIOUS_ORIGINS)))
    good = [o for v in cases.GOOD_ORIGINS.values() for o in v]
    if choice == 1:
        base = str(fdp.PickValueInList(good))
        at = fdp.ConsumeIntInRange(0, len(base))
        return base[:at] + fdp.ConsumeUnicodeNoSurrogates(3) + base[at:]
    return str(fdp.ConsumeUnicodeNoSurrogates(80))


def run_atheris(seconds: int, extra: list[str]) -> int:
    """Coverage-guided fuzzing of both targets with libFuzzer."""
    import atheris

    with atheris.instrument_imports():
        # Imported first, here, so that atheris instruments them.
        for name in ("crossorigin._origins", "crossorigin._policy"):
            importlib.import_module(name)

    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        # A hang detector per input, not a benchmark: far above any real
        # decision, which takes microseconds.
        "-timeout=20",
        "-rss_limit_mb=2048",
        *extra,
    ]
    atheris.Setup(argv, _one_input)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    has_atheris = importlib.util.find_spec("atheris") is not None
    parser.add_argument(
        "--engine",
        choices=("atheris", "hypothesis"),
        default="atheris" if has_atheris else "hypothesis",
    )
    parser.add_argument("--seconds", type=int, default=None)
    arguments, extra = parser.parse_known_args()
    seconds = _budget(arguments)
    print(f"fuzz: engine {arguments.engine}, budget {seconds} s", flush=True)
    if arguments.engine == "atheris":
        return run_atheris(seconds, extra)
    return run_hypothesis(seconds)


if __name__ == "__main__":
    sys.exit(main())
