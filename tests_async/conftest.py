"""Shared settings of the async suites.

pyproject.toml sets ``asyncio_mode = "auto"``: every ``async def`` test runs
on its own event loop without a marker. Modules that need Quart skip
themselves with ``pytest.importorskip("quart")``, so the Flask-only compat
stacks collect this folder cleanly.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def pytest_report_header() -> str:
    try:
        return f"quart {version('quart')}"
    except PackageNotFoundError:
        return "quart not installed"
