"""Shared by both adapters: apply a ``Decision`` to a response, and log it.

Flask and Quart responses both carry Werkzeug ``Headers``; this module uses
only their mapping methods, so it imports neither framework.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Protocol

from ._policy import ACAO, Decision, Headers

logger = logging.getLogger("crossorigin")
_ACAO_LOWER = ACAO.lower()
# First letters of the response header names apply_decision must notice.
_CLASH_INITIALS = frozenset("aAvV")


class HeaderStore(Protocol):
    """What we need of a response's headers (Werkzeug ``Headers`` fits)."""

    def __iter__(self) -> Iterator[tuple[str, str]]: ...
    def add(self, key: str, value: str, /) -> None: ...
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
    pairs = decision.headers
    if not pairs:
        return

    # Werkzeug's get and __setitem__ each walk the whole list (and get
    # raises KeyError when a name is absent), which would cost more than the
    # decision itself. One pass over the names' first letters finds out
    # whether any can clash; most responses have none.
    for name, _ in headers:
        if name[0] in _CLASH_INITIALS:
            _merge(pairs, headers)
            return
    add = headers.add
    for name, value in pairs:
        add(name, value)


def _merge(pairs: Headers, headers: HeaderStore) -> None:
    """``apply_decision`` for a response that may carry clashing headers."""
    vary = own = False
    clashes: set[str] = set()
    for name, _ in headers:
        if name[0] not in _CLASH_INITIALS:
            continue
        lowered = name.lower()
        if lowered == "vary":
            vary = True
        elif lowered == _ACAO_LOWER:
            own = True
        elif lowered.startswith("access-control-"):
            clashes.add(lowered)

    for name, value in pairs:
        if name == "Vary":
            if not vary:
                headers.add(name, value)
                continue
            merged = merge_vary(headers.getlist("Vary"), value)
            if merged is not None:
                headers["Vary"] = merged
        elif own:
            continue
        elif clashes and name.lower() in clashes:
            headers[name] = value
        else:
            headers.add(name, value)


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
