"""The README's Python examples run as written against a real mock on a loopback port."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from tests.support.servers import ROOT, run_mock

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCUMENTED_ROOT = "http://127.0.0.1:8080"
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
CLIENT_BLOCKS = [block for block in BLOCKS if DOCUMENTED_ROOT in block]


def test_the_readme_has_client_examples() -> None:
    assert len(CLIENT_BLOCKS) >= 2


@pytest.mark.parametrize("block", CLIENT_BLOCKS, ids=lambda b: b.splitlines()[0])
def test_readme_example_runs_against_the_mock(block: str, tmp_path: Path) -> None:
    # A fast login and pace keep the example quick; what it calls is unchanged.
    with run_mock("--login-delay", "0.2", "--speed-factor", "0.01", tmp_path=tmp_path) as mock:
        code = block.replace(DOCUMENTED_ROOT, mock.root_url)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102
    assert out.getvalue().strip(), "the example printed nothing"
