"""Fixtures for the browser suite: real servers, headless Chromium, two origins.

The servers (both static front ends, Flask under gunicorn with async and
with sync views, Quart under hypercorn) start once per session; each test
gets a fresh browser context, so cookies and the preflight cache never leak
between tests, and a unique ``tag`` that marks its requests at the servers.

Without Chromium (or Playwright, gunicorn, hypercorn) the suite is skipped
with a loud message, except under ``CI=true``, where every test fails.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from examples import _browser, _servers  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing() -> list[str]:
    problems = []
    if _browser.find_chromium() is None:
        problems.append(
            "no Chromium executable ($CROSSORIGIN_CHROMIUM, /usr/bin/chromium,"
            " PATH); run scripts/ensure-chromium or apt-get install chromium"
        )
    for module in ("playwright", "gunicorn", "hypercorn", "flask", "quart"):
        if importlib.util.find_spec(module) is None:
            problems.append(f"the Python package {module!r} is not installed")
    return problems


MISSING = _missing()
BANNER = "BROWSER SUITE NOT RUN: " + "; ".join(MISSING)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not MISSING:
        return [f"browser suite: Chromium at {_browser.find_chromium()}"]
    verdict = "failing (CI=true)" if IN_CI else "skipping"
    return ["!" * 78, f"{BANNER} ({verdict})", "!" * 78]


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not MISSING or IN_CI:
        return
    skip = pytest.mark.skip(reason=BANNER)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MISSING and not IN_CI:
        terminalreporter.write_sep("!", BANNER, red=True, bold=True)


@pytest.fixture(scope="session")
def stack() -> Iterator[_servers.Stack]:
    if MISSING:
        pytest.fail(f"{BANNER}; CI=true, so this fails rather than skips")
    with _servers.running() as running:
        yield running


@pytest.fixture(scope="session")
def browser(stack: _servers.Stack) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = _browser.find_chromium()
    assert executable is not None
    with sync_playwright() as playwright:
        browser = _browser.launch(playwright, executable)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def listed(context: BrowserContext, stack: _servers.Stack) -> _browser.Frontend:
    """A page on the front end whose origin the policies list."""
    return _browser.Frontend(context.new_page(), stack.listed_origin)


@pytest.fixture
def other(context: BrowserContext, stack: _servers.Stack) -> _browser.Frontend:
    """A page on a second front end, whose origin no policy lists."""
    return _browser.Frontend(context.new_page(), stack.other_origin)


@pytest.fixture(params=list(_servers.BACKENDS))
def api(request: pytest.FixtureRequest, stack: _servers.Stack) -> _servers.Api:
    """The example API on each backend in turn, with a tag unique to the test."""
    backend = request.param
    return _servers.Api(backend, stack.api(backend), uuid.uuid4().hex, stack)
