"""Shared by both adapters: apply a ``Decision`` to a response, and log it.

Flask and Quart responses both carry Werkzeug ``Headers``; this module uses
only their mapping methods, so it imports neither framework.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from ._policy import ACAO, Decision

logger = logging.getLogger("crossorigin")


class HeaderStore(Protocol):
    """What we need of a response's headers (Werkzeug ``Headers`` fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...
    def __setitem__(self, key: str, value: str) -> None: ...


def merge_vary(existing: list[str], name: str) -> str | None:
    """Return the merged ``Vary`` value, or ``None`` if nothing changes.

    ``Vary`` is a list: the existing names are kept, in order, and ``name``
    is appended once. ``*`` already varies on everything.
    """
    tokens = [t.strip() for line in existing for t in line.split(",") if t.strip()]
    lowered = {t.lower() for t in tokens}
    if name.lower() in lowered or "*" in lowered:
        return None if len(existing) <= 1 else ", ".join(tokens)
    return ", ".join([*tokens, name])


def apply_decision(decision: Decision, headers: HeaderStore) -> None:
    """Add a decision's headers to a response.

    A response that already carries ``Access-Control-Allow-Origin`` was
    given its CORS headers by the view itself: it is left alone but for
    ``Vary``, so that nothing contradicts what the view chose.
    """
    if not decision.headers:
        return
    own = headers.get(ACAO) is not None
    for name, value in decision.headers:
        if name == "Vary":
            merged = merge_vary(headers.getlist("Vary"), value)
            if merged is not None:
                headers["Vary"] = merged
        elif not own:
            headers[name] = value


def log_decision(
    decision: Decision, method: str, path: str, origin: str | None, debug: bool
) -> None:
    """One DEBUG line per decision; INFO for refusals under ``debug=True``.

    Request values go through ``%r``, so no request can forge a log line.
    """
    level = logging.INFO if debug and not decision.allowed and origin else logging.DEBUG
    if logger.isEnabledFor(level):
        logger.log(
            level,
            "%s %r from origin %r: %s",
            method,
            path,
            origin,
            decision.reason,
        )
