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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

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
    """What the page's script could read from one fetch, as the browser let it.

    ``message`` is the browser's own console explanation when it blocked the
    response ("has been blocked by CORS policy: ..."); script never sees it.
    """

    fetched: bool
    status: int | None
    body: str | None
    headers: dict[str, str | None]
    visible: list[str]
    error: str | None
    message: str | None = None

    @property
    def blocked(self) -> bool:
        return not self.fetched


#: How long to wait for the console message explaining a blocked fetch.
MESSAGE_WAIT_MS = 5000


class Frontend:
    """A page loaded from one front-end origin, making calls from its script."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self._messages: list[str] = []
        page.on("console", self._on_console)
        page.goto(f"{origin}/index.html", wait_until="load")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "CORS policy" in message.text:
            self._messages.append(message.text)

    def _take_message(self, url: str) -> str | None:
        needle = f"'{url}'"
        for _ in range(MESSAGE_WAIT_MS // 20):
            for index, text in enumerate(self._messages):
                if needle in text:
                    del self._messages[index]
                    return text.split("blocked by CORS policy: ", 1)[-1]
            # Lets Playwright deliver pending events.
            self.page.wait_for_timeout(20)
        return None

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: str | None = None,
        credentials: str = "same-origin",
        read: tuple[str, ...] = (),
    ) -> Outcome:
        """Run ``fetch(url, ...)`` in the page; return what script saw."""
        init: dict[str, Any] = {
            "method": method,
            "headers": headers or {},
            "credentials": credentials,
            # No cache mode: "no-store" or "reload" would also bypass the
            # preflight cache that max_age governs. The API sends no
            # validators or lifetimes, so the HTTP cache never answers.
        }
        if body is not None:
            init["body"] = body
        result = self.page.evaluate(
            "([url, init, read]) => callApi(url, init, read)",
            [url, init, list(read)],
        )
        outcome = Outcome(**result)
        if outcome.blocked:
            outcome = replace(outcome, message=self._take_message(url))

        return outcome
