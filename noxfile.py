"""Development sessions for crossorigin; a bare ``nox`` runs what CI runs."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"
# uv builds the environments when it is installed (CI installs it), and nox
# falls back to virtualenv when it is not.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
# The full suite CI must pass. `tests` includes the browser suite.
nox.options.sessions = ["lint", "types", "tests", "compat"]

ROOT = Path(__file__).parent
ENSURE_CHROMIUM = ROOT / "scripts" / "ensure-chromium"

# Pinned to a minor release: a new ruff minor may reformat or add rules.
RUFF = "ruff>=0.17,<0.18"
MYPY = "mypy>=2.4,<3"

TEST_DEPS = ["pytest>=8", "pytest-asyncio>=0.24", "hypothesis", "httpx"]
SERVER_DEPS = ["gunicorn", "hypercorn"]
# The libraries crossorigin replaces (comparison tests) and the auth
# extensions whose ordering against the preflight hook is tested.
FLASK_PEERS = ["flask-cors", "flask-login"]
QUART_PEERS = ["quart-cors", "quart-auth"]
BROWSER_DEPS = ["playwright"]
# Class-based REST extensions whose resources must work like function views;
# installed with the newest Flask only (their floors move faster than ours).
REST_EXTENSIONS = ["flask-smorest", "flask-restx"]

ALL_TEST_DIRS = ("tests", "tests_async", "tests_browser")

# Each compat stack installs crossorigin with one extra set and pins the
# frameworks to the oldest or newest release the project supports (see the
# extras in pyproject.toml). Flask 2.3 cannot live beside any supported Quart
# (Quart needs Werkzeug 3), so the Flask stacks install no Quart at all, which
# also proves `crossorigin[flask]` works without it: test modules that need
# Quart must use `pytest.importorskip("quart")`.
COMPAT_STACKS: dict[str, tuple[str, list[str], list[str]]] = {
    "flask-oldest": (
        "flask",
        ["flask==2.3.0", "werkzeug==2.3.0", "asgiref==3.6.0"],
        FLASK_PEERS,
    ),
    "flask-newest": (
        "flask",
        ["flask==3.1.*", "werkzeug==3.1.*"],
        FLASK_PEERS,
    ),
    "quart-oldest": (
        "flask,quart",
        ["quart==0.19.9", "flask==3.0.0", "werkzeug==3.0.0", "asgiref==3.6.0"],
        FLASK_PEERS + QUART_PEERS,
    ),
    "quart-newest": (
        "flask,quart",
        ["quart==0.22.*", "flask==3.1.*", "werkzeug==3.1.*"],
        FLASK_PEERS + QUART_PEERS,
    ),
}

# Prints the installed versions and fails if a pin did not hold, so a compat
# run can never quietly test some other release.
CHECK_PINS = """
import sys
from importlib.metadata import PackageNotFoundError, version

for spec in sys.argv[1:]:
    name, _, wanted = spec.partition("==")
    try:
        got = version(name)
    except PackageNotFoundError:
        sys.exit(f"{name} is not installed")
    print(f"{name} {got}")
    if not (got == wanted or (wanted.endswith(".*") and got.startswith(wanted[:-1]))):
        sys.exit(f"{name}: wanted {wanted}, got {got}")
"""

ASSERT_NO_QUART = """
import importlib.util, sys
if importlib.util.find_spec("quart") is not None:
    sys.exit("quart is installed in a Flask-only compat stack")
"""


def _test_dirs(session: nox.Session, *names: str) -> list[str]:
    dirs = [name for name in names if (ROOT / name).is_dir()]
    if not dirs:
        session.error(f"none of the test directories exist: {', '.join(names)}")

    return dirs


def _pytest_targets(session: nox.Session, dirs: list[str]) -> list[str]:
    """Default test directories, unless posargs already name a test path."""
    names_a_path = any(
        not arg.startswith("-") and Path(arg.split("::")[0]).exists()
        for arg in session.posargs
    )
    if names_a_path:
        return list(session.posargs)

    return [*dirs, *session.posargs]


def _ensure_chromium(session: nox.Session) -> None:
    """Install Debian's Chromium if needed and export its path.

    The browser suites read ``CROSSORIGIN_CHROMIUM`` and pass it to
    Playwright's ``executable_path``; Playwright's own browser download is not
    used. A missing browser fails the session, in CI too: never a skip.
    """
    output = session.run(str(ENSURE_CHROMIUM), external=True, silent=True)
    if output is None:  # --install-only
        return

    lines = str(output).strip().splitlines()
    path = lines[-1].strip() if lines else ""
    if not path or not Path(path).is_file():
        session.error(f"scripts/ensure-chromium printed no browser path: {output!r}")

    session.env["CROSSORIGIN_CHROMIUM"] = path
    session.log(f"Chromium: {path}")


def _require_file(session: nox.Session, path: str, owner: str) -> None:
    if not (ROOT / path).is_file():
        session.error(f"{path} does not exist yet; {owner} adds it")


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check (no changes made)."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict on src/, and on tests/typing_usage.py when it exists."""
    session.install(".[flask,quart]", MYPY, "pytest")
    session.run("mypy", "--strict")  # files = ["src"] in pyproject.toml

    usage = "tests/typing_usage.py"
    if (ROOT / usage).is_file():
        # Checked against the installed wheel, so this also proves that
        # py.typed ships and the public API types cleanly for a user.
        session.run("mypy", "--strict", usage)
    else:
        session.log(f"{usage} not present; only src/ was checked")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite, browser tests included, at the newest releases."""
    dirs = _test_dirs(session, *ALL_TEST_DIRS)
    _ensure_chromium(session)
    session.install(
        ".[flask,quart]",
        *TEST_DEPS,
        *SERVER_DEPS,
        *FLASK_PEERS,
        *QUART_PEERS,
        *BROWSER_DEPS,
        *REST_EXTENSIONS,
    )
    session.run("pytest", *_pytest_targets(session, dirs))


@nox.session
@nox.parametrize("stack", list(COMPAT_STACKS), ids=list(COMPAT_STACKS))
def compat(session: nox.Session, stack: str) -> None:
    """Non-browser tests at the oldest and newest supported frameworks."""
    extras, pins, peers = COMPAT_STACKS[stack]
    dirs = _test_dirs(session, "tests", "tests_async")
    session.install(f".[{extras}]", *pins, *TEST_DEPS, *SERVER_DEPS, *peers)
    session.run("python", "-c", CHECK_PINS, *pins)
    if "quart" not in extras:
        session.run("python", "-c", ASSERT_NO_QUART)

    session.run(
        "pytest", "-m", "not browser and not slow", *_pytest_targets(session, dirs)
    )


@nox.session
def browser(session: nox.Session) -> None:
    """Only the Playwright suite in tests_browser/ (headless Chromium)."""
    _test_dirs(session, "tests_browser")
    _ensure_chromium(session)
    session.install(
        ".[flask,quart]",
        *TEST_DEPS,
        *SERVER_DEPS,
        *FLASK_PEERS,
        *QUART_PEERS,
        *BROWSER_DEPS,
    )
    session.run("pytest", "-m", "browser", *_pytest_targets(session, ["tests_browser"]))


@nox.session
def demo(session: nox.Session) -> None:
    """Run the end-to-end demo (real servers, headless Chromium)."""
    _require_file(session, "examples/demo.py", "the demo's author")
    _ensure_chromium(session)
    session.install(".[flask,quart]", *BROWSER_DEPS, *SERVER_DEPS, "httpx")
    if (ROOT / "examples" / "__init__.py").is_file():
        session.run("python", "-m", "examples.demo", *session.posargs)
    else:
        session.run("python", "examples/demo.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against flask-cors and quart-cors."""
    _require_file(session, "benchmarks/run.py", "the benchmarks' author")
    # matplotlib draws the chart; the servers and httpx (the load generator
    # when Debian's wrk is not installed) serve the real-server run.
    session.install(
        ".[flask,quart]",
        "pyperf",
        "pytest-benchmark",
        "flask-cors",
        "quart-cors",
        "matplotlib",
        "httpx",
        *SERVER_DEPS,
    )
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Time-boxed fuzzing: FUZZ_SECONDS (default 60) is the budget."""
    _require_file(session, "fuzz/run.py", "the fuzzer's author")
    session.install(".[flask,quart]", "hypothesis")
    if (ROOT / "fuzz" / "requirements.txt").is_file():
        session.install("-r", "fuzz/requirements.txt")

    seconds = int(os.environ.get("FUZZ_SECONDS", "60"))
    session.env["FUZZ_SECONDS"] = str(seconds)
    # fuzz/run.py should stop itself within FUZZ_SECONDS; timeout(1) is the
    # backstop (exit 124 fails the session).
    session.run(
        "timeout",
        "--signal=INT",
        "--kill-after=10",
        str(seconds + 60),
        "python",
        "fuzz/run.py",
        *session.posargs,
        external=True,
    )
