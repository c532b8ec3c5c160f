"""Watch crossorigin work in a real browser.

Starts the example API on Flask (async views, under gunicorn) and on Quart
(under hypercorn), plus two static front ends: one whose origin the policies
list and one they do not. Headless Chromium then makes each call from a
front end's page, and a table shows what the browser let the page's script
read, next to the CORS headers the server sent (recorded at the server, so
they show even when the browser hid the response).

Run ``python -m examples.demo`` or ``python examples/demo.py`` from the
repository (``nox -s demo`` installs what it needs). The exit status is 0
when every outcome is the expected one, 1 when any differs, and 2 when the
demo cannot run (no Chromium, a server did not start).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a file: make the ``examples`` package importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples import _browser, _servers

JSON = {"Content-Type": "application/json"}
BEARER = {"Authorization": "Bearer t0ken"}
DEMO_BACKENDS = ("flask-async", "quart")


@dataclass(frozen=True)
class Call:
    """One fetch the demo makes, and what crossorigin should make of it."""

    title: str
    frontend: str  # "listed" or "other"
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    credentials: str = "same-origin"
    read: tuple[str, ...] = ()
    #: Another call's title: reuse its URL (the preflight cache is per URL).
    same_url_as: str | None = None
    # What should happen:
    allowed: bool = True
    status: int | None = None
    readable: dict[str, bool] = field(default_factory=dict)
    preflights: int | None = None


CALLS = (
    Call("simple GET", "listed", "/api/items", status=200, preflights=0),
    Call("simple GET", "other", "/api/items", allowed=False),
    Call(
        "JSON POST (preflighted)",
        "listed",
        "/api/items",
        method="POST",
        headers=JSON,
        body={"name": "kettle"},
        status=201,
        preflights=1,
    ),
    Call(
        "PUT + X-Client-Version (preflighted)",
        "listed",
        "/api/items/7",
        method="PUT",
        headers={**JSON, "X-Client-Version": "2.1"},
        body={"name": "mug"},
        status=200,
        preflights=1,
    ),
    Call(
        "PUT + X-Not-Allowed (not listed)",
        "listed",
        "/partner/echo",
        method="PUT",
        headers={"X-Not-Allowed": "1"},
        allowed=False,
        preflights=1,
    ),
    Call(
        "PUT (preflighted), other origin",
        "other",
        "/api/items/7",
        method="PUT",
        headers=JSON,
        body={},
        allowed=False,
        preflights=1,
    ),
    Call(
        "log in, credentials: include",
        "listed",
        "/account/login",
        method="POST",
        headers=JSON,
        body={"user": "alice"},
        credentials="include",
        status=200,
    ),
    Call(
        "read account with cookie",
        "listed",
        "/account/me",
        credentials="include",
        status=200,
    ),
    Call(
        "read account with cookie",
        "other",
        "/account/me",
        credentials="include",
        allowed=False,
    ),
    Call(
        "read exposed / unexposed header",
        "listed",
        "/api/items",
        read=("X-Request-Id", "X-Internal-Trace"),
        status=200,
        readable={"X-Request-Id": True, "X-Internal-Trace": False},
    ),
    Call("error 404 (no such route)", "listed", "/api/missing", status=404),
    Call("error 500 (view raised)", "listed", "/api/boom", status=500),
    Call(
        "same PUT again (max_age=600)",
        "listed",
        "/api/items/7",
        method="PUT",
        headers={**JSON, "X-Client-Version": "2.1"},
        body={"name": "mug"},
        same_url_as="PUT + X-Client-Version (preflighted)",
        status=200,
        preflights=0,
    ),
    Call(
        "Authorization, allow_headers='*'",
        "listed",
        "/api/whoami",
        headers=BEARER,
        status=200,
        preflights=1,
    ),
    Call(
        "Authorization, listed by name",
        "listed",
        "/token/whoami",
        headers=BEARER,
        status=200,
        preflights=1,
    ),
    Call(
        "Authorization, other names listed",
        "listed",
        "/partner/echo",
        headers=BEARER,
        allowed=False,
        preflights=1,
    ),
)


@dataclass
class Row:
    call: Call
    backend: str
    origin: str
    outcome: _browser.Outcome
    seen: list[dict[str, Any]]
    problems: list[str]


def _judge(
    call: Call, outcome: _browser.Outcome, seen: list[dict[str, Any]]
) -> list[str]:
    """How the real outcome differs from the expected one (empty: it does not)."""
    problems = []
    if outcome.fetched != call.allowed:
        want = "allowed" if call.allowed else "blocked"
        problems.append(f"expected the browser to have {want} it")
    if outcome.fetched and call.status is not None and outcome.status != call.status:
        problems.append(f"expected status {call.status}, script read {outcome.status}")
    for name, readable in call.readable.items():
        if (outcome.headers.get(name) is not None) != readable:
            verb = "read" if readable else "not read"
            problems.append(f"expected script to have {verb} {name}")
    preflights = [s for s in seen if s["method"] == "OPTIONS" and s["request_method"]]
    if call.preflights is not None and len(preflights) != call.preflights:
        problems.append(
            f"expected {call.preflights} preflight(s), the server saw {len(preflights)}"
        )
    if not seen:
        problems.append("the server saw no request")
    return problems


def run_calls(stack: _servers.Stack, browser: Any, backend: str) -> list[Row]:
    """Make every call against ``backend`` from one fresh browser context."""
    context = browser.new_context()
    try:
        pages = {
            "listed": _browser.Frontend(context.new_page(), stack.listed_origin),
            "other": _browser.Frontend(context.new_page(), stack.other_origin),
        }
        tags: dict[str, str] = {}
        rows = []
        for call in CALLS:
            tag = tags.get(call.same_url_as or "") or uuid.uuid4().hex
            tags.setdefault(call.title, tag)
            url = f"{stack.api(backend)}{call.path}?tag={tag}"
            before = len(stack.calls(backend, tag))
            frontend = pages[call.frontend]
            outcome = frontend.fetch(
                url,
                method=call.method,
                headers=call.headers,
                body=None if call.body is None else json.dumps(call.body),
                credentials=call.credentials,
                read=call.read,
            )
            seen = stack.calls(backend, tag)[before:]
            problems = _judge(call, outcome, seen)
            rows.append(Row(call, backend, frontend.origin, outcome, seen, problems))
        return rows
    finally:
        context.close()


# -- Printing -----------------------------------------------------------------

PREFIX = "Access-Control-"
READ_WIDTH = 30
HEADERS_WIDTH = 46


def _clip(text: str, width: int = READ_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _script_read(row: Row, notes: list[str]) -> list[str]:
    """What the page's script could read, as the browser decided."""
    outcome = row.outcome
    if outcome.blocked:
        lines = ["BLOCKED", _clip(str(outcome.error))]
        if outcome.message:
            if outcome.message not in notes:
                notes.append(outcome.message)
            lines.append(f"(why: note {notes.index(outcome.message) + 1})")
        return lines

    lines = [f"allowed: {outcome.status}"]
    if row.call.read:
        for name in row.call.read:
            value = outcome.headers.get(name)
            lines.append(_clip(f"{name}: {'(null)' if value is None else value}"))
    else:
        lines.append(_clip(outcome.body or ""))
    return lines


def _headers_seen(row: Row) -> list[str]:
    """The requests the server received for the call and its CORS headers."""
    lines = []
    for seen in row.seen:
        if seen["request_method"]:
            asked = seen["request_method"]
            if seen["request_headers"]:
                asked += f" + {seen['request_headers']}"
            lines.append(f"preflight ({asked}) -> {seen['status']}")
        else:
            lines.append(f"{seen['method']} -> {seen['status']}")
        if not seen["cors"]:
            lines.append("  (no CORS headers)")
        for name, value in seen["cors"].items():
            text = f"{name.removeprefix(PREFIX)}: {value}"
            lines += textwrap.wrap(
                text, HEADERS_WIDTH, initial_indent="  ", subsequent_indent="      "
            )
    return lines


def _table(rows: Sequence[Row], labels: dict[str, str], notes: list[str]) -> str:
    heads = ("#", "call", "from", "script could read", "CORS headers sent", "expected?")
    cells = []
    for number, row in enumerate(rows, 1):
        verdict = ["yes"] if not row.problems else ["NO:", *row.problems]
        cells.append(
            [
                [str(number)],
                textwrap.wrap(row.call.title, 22),
                [labels[row.origin]],
                _script_read(row, notes),
                _headers_seen(row),
                [line for v in verdict for line in textwrap.wrap(v, 24)],
            ]
        )
    widths = [
        max(len(heads[i]), *(len(line) for cell in cells for line in cell[i]))
        for i in range(len(heads))
    ]

    def render(columns: Sequence[Sequence[str]]) -> list[str]:
        height = max(len(column) for column in columns)
        return [
            " | ".join(
                (column[i] if i < len(column) else "").ljust(width)
                for column, width in zip(columns, widths, strict=True)
            ).rstrip()
            for i in range(height)
        ]

    rule = "-+-".join("-" * width for width in widths)
    lines = [*render([[head] for head in heads]), rule]
    for cell in cells:
        lines += [*render(cell), rule]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend",
        action="append",
        choices=list(_servers.BACKENDS),
        help="which API server(s) to call (default: flask-async and quart)",
    )
    args = parser.parse_args(argv)
    backends = tuple(args.backend or DEMO_BACKENDS)

    executable = _browser.find_chromium()
    if executable is None:
        print(
            "demo: no Chromium found (looked at $CROSSORIGIN_CHROMIUM,"
            " /usr/bin/chromium and PATH).\nInstall Debian's: sudo"
            " apt-get install -y chromium (or run scripts/ensure-chromium;"
            " `nox -s demo` does it for you).",
            file=sys.stderr,
        )
        return 2
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("demo: pip install playwright (or run `nox -s demo`)", file=sys.stderr)
        return 2

    try:
        with _servers.running(backends) as stack, sync_playwright() as playwright:
            browser = _browser.launch(playwright, executable)
            labels = {
                stack.listed_origin: "listed",
                stack.other_origin: "other",
            }
            print(f"Browser: Chromium {browser.version}, headless ({executable})")
            print(f"Front end 'listed': {stack.listed_origin}  (in examples/policy.py)")
            print(f"Front end 'other':  {stack.other_origin}  (in no policy)")
            for backend in backends:
                print(
                    f"API {backend + ':':<12} {stack.api(backend)}"
                    f"  ({_servers.BACKENDS[backend]})"
                )
            rows = [row for b in backends for row in run_calls(stack, browser, b)]
            browser.close()
    except _servers.ServerError as exc:
        print(f"demo: a server did not start: {exc}", file=sys.stderr)
        return 2

    notes: list[str] = []
    print(f"\nHeader names are shown without the {PREFIX!r} prefix.")
    for backend in backends:
        print(f"\n{backend}: {_servers.BACKENDS[backend]}\n")
        mine = [row for row in rows if row.backend == backend]
        print(_table(mine, labels, notes))
    if notes:
        print("\nWhy Chromium blocked (its console messages; script never sees them):")
        for number, note in enumerate(notes, 1):
            print(f"  {number}. {note}")

    wrong = [row for row in rows if row.problems]
    print()
    if wrong:
        print(f"{len(wrong)} of {len(rows)} outcomes differ from the expected ones.")
        return 1
    print(f"All {len(rows)} outcomes are the expected ones.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
