"""Options are typed: mypy flags a misspelt option before the code runs.

``nox -s types`` checks ``tests/typing_usage.py`` with ``mypy --strict``;
these tests run mypy on small snippets and read its verdict, so they also
show that a misspelling is caught, not merely that correct code passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import crossorigin

pytest.importorskip("mypy", reason="the types check needs mypy installed")


def _run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(source))
    env = dict(os.environ)
    package_root = Path(crossorigin.__file__).resolve().parents[1]
    if package_root.name != "site-packages":
        # Running from a source tree (PYTHONPATH=src): mypy does not read
        # PYTHONPATH, so point it at the same package the tests import.
        env["MYPYPATH"] = str(package_root)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--no-error-summary",
            "--hide-error-context",
            "--python-executable",
            sys.executable,
            str(snippet),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_mypy_origin_misspelt_is_reported(tmp_path: Path) -> None:
    result = _run_mypy(
        tmp_path,
        """
        from __future__ import annotations

        from typing import Any

        from crossorigin import CORS

        def setup(app: Any) -> None:
            CORS(app, origin="https://app.example.com")
        """,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Unexpected keyword argument "origin"' in result.stdout
    assert 'did you mean "origins"' in result.stdout


def test_mypy_correct_options_pass(tmp_path: Path) -> None:
    result = _run_mypy(
        tmp_path,
        """
        from __future__ import annotations

        from typing import Any

        from crossorigin import CORS, cross_origin

        def setup(app: Any) -> None:
            CORS(app, origins="https://app.example.com", max_age=600)

        @cross_origin(supports_credentials=False)
        def view(item_id: int) -> str:
            return str(item_id)

        text: str = view(1)
        """,
    )

    assert result.returncode == 0, result.stdout + result.stderr
