"""Launch Debian's Chromium through Playwright and make calls from a page.

Playwright's own browser download is never used: the executable comes from
``CROSSORIGIN_CHROMIUM`` (set by ``scripts/ensure-chromium`` through nox) or
``/usr/bin/chromium``. Playwright's ``launch`` gives each browser a fresh,
temporary user-data directory, and each ``new_context`` its own cookie jar
and preflight cache.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str | None:
    """The Chromium executable to drive, or ``None`` when there is none."""
    for candidate in (
        os.environ.get("CROSSORIGIN_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch(playwright: Playwright, executable: str) -> Browser:
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
    )


@dataclass(frozen=True)
class Outcome:
    """What the page's script could read from one fetch, as the browser let it."""

    fetched: bool
    status: int | None
    body: str | None
    headers: dict[str, str | None]
    visible: list[str]
    error: str | None

    @property
    def blocked(self) -> bool:
        return not self.fetched


def open_frontend(page: Page, origin: str) -> None:
    page.goto(f"{origin}/index.html", wait_until="load")


def call(
    page: Page,
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    credentials: str = "same-origin",
    read: tuple[str, ...] = (),
) -> Outcome:
    """Run ``fetch(url, ...)`` in ``page`` and return what script saw."""
    init: dict[str, Any] = {
        "method": method,
        "headers": headers or {},
        "credentials": credentials,
        # The HTTP cache must not answer for the server; the preflight
        # cache is separate and is what max_age governs.
        "cache": "no-store",
    }
    if body is not None:
        init["body"] = body
    result = page.evaluate(
        "([url, init, read]) => callApi(url, init, read)", [url, init, list(read)]
    )
    return Outcome(**result)
