"""The README tells the truth: its code runs and its tables match the code.

The quickstart files live in ``examples/readme/`` and must appear verbatim
in README.md; the console transcripts are re-run and compared; the options
table is checked against the options crossorigin really has. The last test
follows the Flask quickstart in Chromium, exactly as a newcomer would.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crossorigin._placement import PLACEMENT_DEFAULTS
from crossorigin._policy import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SNIPPETS = ROOT / "examples" / "readme"
PAGE = "http://127.0.0.1:8000"
IN_CI = os.environ.get("CI", "").lower() == "true"


def code_blocks(language: str) -> list[str]:
    pattern = rf"^```{language}\n(.*?)^```$"
    return re.findall(pattern, README, flags=re.MULTILINE | re.DOTALL)


@pytest.fixture
def snippets() -> Iterator[Any]:
    """Import a file of examples/readme/ as its own fresh module."""
    sys.path.insert(0, str(SNIPPETS))
    loaded: list[str] = []

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, SNIPPETS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loaded.append(name)
        spec.loader.exec_module(module)
        return module

    try:
        yield load
    finally:
        sys.path.remove(str(SNIPPETS))
        for name in [*loaded, "policy"]:
            sys.modules.pop(name, None)


# -- The structure ------------------------------------------------------------------


def test_readme_starts_with_the_demo_and_the_test_commands() -> None:
    head = README.split("\n## ", 1)[0]
    lines = [line for line in head.splitlines() if line.strip()]

    assert lines[0] == "# crossorigin"
    commands = [b.strip() for b in code_blocks("sh")[:2]]
    assert commands == [
        "python3 -m pip install --quiet nox uv && nox -s demo",
        "python3 -m pip install --quiet nox uv && nox",
    ]
    assert all(command in head for command in commands)
    assert "sudo apt-get install -y chromium" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\npython3 -m pip install --quiet nox uv && nox\n" in ci


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SNIPPETS.iterdir() if p.suffix in (".py", ".html")),
)
def test_readme_shows_each_example_file_verbatim(name: str) -> None:
    text = (SNIPPETS / name).read_text(encoding="utf-8")
    language = "html" if name.endswith(".html") else "python"

    assert text in code_blocks(language)


def test_readme_links_point_to_files_or_to_the_benchmark_results() -> None:
    targets = set(re.findall(r"\]\(([^)#:]+)\)", README))
    # Produced by `nox -s bench` and committed by its author.
    generated = {"benchmarks/results/results.md", "benchmarks/results/chart.png"}

    missing = {t for t in targets - generated if not (ROOT / t).exists()}
    assert missing == set()
    assert generated <= targets


# -- The quickstarts ----------------------------------------------------------


def test_readme_flask_quickstart_allows_only_the_page_origin(snippets: Any) -> None:
    client = snippets("flask_app").app.test_client()

    ok = client.get("/api/items", headers={"Origin": PAGE})
    other = client.get("/api/items", headers={"Origin": "http://localhost:8000"})

    assert ok.json == {"items": ["apple", "pear"]}
    assert ok.headers["Access-Control-Allow-Origin"] == PAGE
    assert "Access-Control-Allow-Origin" not in other.headers
    assert other.headers["Vary"] == "Origin"


def test_readme_flask_async_quickstart(snippets: Any) -> None:
    client = snippets("flask_async_app").app.test_client()
    preflight = {"Origin": PAGE, "Access-Control-Request-Method": "POST"}

    items = client.get("/api/items", headers={"Origin": PAGE})
    json_ok = client.options(
        "/api/orders",
        headers={**preflight, "Access-Control-Request-Headers": "content-type"},
    )
    token = client.options(
        "/api/orders",
        headers={**preflight, "Access-Control-Request-Headers": "x-token"},
    )
    created = client.post("/api/orders", headers={"Origin": PAGE})

    assert items.json == {"items": ["apple", "pear"]}
    assert items.headers["Access-Control-Allow-Origin"] == PAGE
    assert json_ok.status_code == 200
    assert json_ok.headers["Access-Control-Max-Age"] == "600"
    assert json_ok.headers["Access-Control-Allow-Headers"] == "content-type"
    assert token.status_code == 403
    assert created.status_code == 201
    assert created.headers["Access-Control-Allow-Origin"] == PAGE


async def test_readme_quart_quickstart(snippets: Any) -> None:
    pytest.importorskip("quart")
    from quart.testing import WebsocketResponseError

    client = snippets("quart_app").app.test_client()

    items = await client.get("/api/items", headers={"Origin": PAGE})
    async with client.websocket("/ws", headers={"Origin": PAGE}) as ws:
        greeting = await ws.receive()
    with pytest.raises(WebsocketResponseError) as refused:
        async with client.websocket(
            "/ws", headers={"Origin": "https://evil.example"}
        ) as ws:
            await ws.receive()

    assert await items.get_json() == {"items": ["apple", "pear"]}
    assert items.headers["Access-Control-Allow-Origin"] == PAGE
    assert greeting == "hello"
    assert refused.value.response.status_code == 403


SHARED_REQUESTS = [
    ("GET", "/api/me", {"Origin": "https://app.example.com"}),
    ("GET", "/api/me", {"Origin": "https://pr-12.preview.example.com"}),
    ("GET", "/api/me", {"Origin": "https://preview.example.com"}),
    (
        "OPTIONS",
        "/api/me",
        {
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization",
        },
    ),
    ("GET", "/public/status", {"Origin": "https://anyone.example"}),
    ("GET", "/public/status", {}),
]


async def test_readme_shared_policy_same_headers_on_flask_and_quart(
    snippets: Any,
) -> None:
    pytest.importorskip("quart")
    flask_client = snippets("shared_flask").app.test_client()
    quart_client = snippets("shared_quart").app.test_client()

    def cors(headers: Any) -> list[tuple[str, str]]:
        return sorted(
            (k.lower(), v)
            for k, v in headers.items()
            if k.lower().startswith("access-control-") or k.lower() == "vary"
        )

    seen = []
    for method, path, headers in SHARED_REQUESTS:
        on_flask = flask_client.open(path, method=method, headers=headers)
        on_quart = await quart_client.open(path, method=method, headers=headers)
        assert on_flask.status_code == on_quart.status_code
        assert cors(on_flask.headers) == cors(on_quart.headers), (method, path)
        seen.append(dict(cors(on_flask.headers)).get("access-control-allow-origin"))

    assert seen == [
        "https://app.example.com",
        "https://pr-12.preview.example.com",
        None,
        "https://app.example.com",
        "*",
        "*",
    ]


def test_readme_resources_snippet(snippets: Any) -> None:
    [block] = [b for b in code_blocks("python") if "resources={" in b and "/v[" in b]
    from flask import Flask

    from crossorigin import CORS

    app = Flask("resources")
    exec(block, {"CORS": CORS, "app": app, "PUBLIC": snippets("policy").PUBLIC})
    for rule in ("/api", "/api/x", "/api/public/x", "/apiary", "/v2/x"):
        app.add_url_rule(rule, rule, lambda: "ok")
    client = app.test_client()

    def acao(path: str, origin: str) -> str | None:
        response = client.get(path, headers={"Origin": origin})
        return response.headers.get("Access-Control-Allow-Origin")

    assert acao("/api", "https://app.example.com") == "https://app.example.com"
    assert acao("/api/x", "https://other.example") is None
    assert acao("/api/public/x", "https://other.example") == "https://other.example"
    assert acao("/apiary", "https://app.example.com") is None
    assert acao("/v2/x", "https://other.example") == "*"


# -- The console transcripts and the tables --------------------------------------


def transcripts() -> list[tuple[list[str], str]]:
    found = []
    for block in code_blocks("console"):
        command, _, output = block.partition("\n")
        if not command.startswith("$ flask "):
            continue  # other transcripts have tests of their own
        found.append((shlex.split(command.removeprefix("$ ")), output))
    return found


@pytest.mark.parametrize(
    ("argv", "expected"),
    [pytest.param(*t, id=" ".join(t[0][2:5])) for t in transcripts()],
)
def test_readme_console_transcripts_are_real(
    snippets: Any, argv: list[str], expected: str
) -> None:
    assert argv[:2] == ["flask", "--app"]
    app = snippets(argv[2]).app

    result = app.test_cli_runner().invoke(args=argv[3:])

    assert result.output == expected


def table_rows(heading: str) -> list[list[str]]:
    """The rows of the first table after ``heading``, header row excluded."""
    section = README.split(heading, 1)[1]
    start = section.index("\n|") + 1
    table = section[start:].split("\n\n", 1)[0].strip().splitlines()
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in table[2:]]


def test_readme_options_table_matches_the_code() -> None:
    decision = table_rows("Decision options (what the headers say):")
    placement = table_rows("Placement options (where and how a policy applies;")
    expected = {**DEFAULTS, **PLACEMENT_DEFAULTS, "resources": None, "policy": None}

    names = [row[0].strip("`") for row in decision + placement]
    assert sorted(names) == sorted(expected)
    assert [name.strip("`") for name, *_ in decision] == list(DEFAULTS)
    for name, key, default, meaning in decision + placement:
        option = name.strip("`")
        wanted_key = "(none)" if option == "policy" else f"`CORS_{option.upper()}`"
        assert key == wanted_key
        value = ast.literal_eval(default.strip("`"))
        if isinstance(value, list):
            value = tuple(value)
        assert value == expected[option], option
        assert meaning


def test_readme_log_line_example_is_the_real_format(
    caplog: pytest.LogCaptureFixture, snippets: Any
) -> None:
    caplog.set_level("DEBUG", logger="crossorigin")
    app = snippets("flask_app").app

    app.test_client().get("/api/items", headers={"Origin": "https://evil.example"})

    [record] = [r for r in caplog.records if r.name == "crossorigin"]
    line = record.getMessage()
    assert f"`{line}`" in README


# -- A newcomer's first cross-origin call, in Chromium --------------------------


def _port_free(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(url)


@contextlib.contextmanager
def _serving(command: list[str], probe: str) -> Iterator[None]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        command,
        cwd=SNIPPETS,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(probe, time.monotonic() + 30)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("CROSSORIGIN_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so this fails rather than skips")
    pytest.skip(reason)


@pytest.mark.browser
@pytest.mark.integration
def test_readme_flask_quickstart_in_chromium() -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium; run scripts/ensure-chromium")
    if not (_port_free(5000) and _port_free(8000)):
        _unavailable("the quickstart's ports 5000 and 8000 are in use")
    flask = shutil.which("flask") or ""
    api = [flask, "--app", "flask_app", "run", "--port", "5000"]
    page = [sys.executable, "-m", "http.server", "8000", "--bind", "127.0.0.1"]
    if not flask:
        _unavailable("the flask command is not on PATH")

    with (
        _serving(api, "http://127.0.0.1:5000/api/items"),
        _serving(page, f"{PAGE}/index.html"),
        playwright.sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(executable_path=executable)
        try:
            tab = browser.new_page()
            tab.goto(f"{PAGE}/index.html", timeout=15_000)
            tab.wait_for_function(
                "!document.getElementById('out').textContent.startsWith('calling')",
                timeout=15_000,
            )
            allowed = tab.text_content("#out")
            tab.goto("http://localhost:8000/index.html", timeout=15_000)
            tab.wait_for_function(
                "!document.getElementById('out').textContent.startsWith('calling')",
                timeout=15_000,
            )
            refused = tab.text_content("#out")
        finally:
            browser.close()

    assert allowed == '{"items":["apple","pear"]}'
    assert refused == "blocked: TypeError: Failed to fetch"
    assert f"the page shows `{allowed}`" in README
    assert f"shows `{refused}`" in " ".join(README.split())


def test_readme_core_direct_transcript_is_real() -> None:
    """The console block under core_direct.py is what the script prints."""
    script = SNIPPETS / "core_direct.py"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    transcript = "$ python core_direct.py\n" + result.stdout

    assert transcript.strip() in [b.strip() for b in code_blocks("console")]
