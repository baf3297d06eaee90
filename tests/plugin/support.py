"""Helpers of the plugin's tests: the sample project, copied into a pytester directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample_project"
#: The sample project's tests, all of which pass.
SAMPLE_TESTS = 9


def copy_sample(pytester: pytest.Pytester) -> None:
    """The sample project (``shop.py``, its tests, its ``pytest.ini``) in ``pytester.path``."""
    for source in SAMPLE.iterdir():
        if source.is_file():
            shutil.copy(source, pytester.path / source.name)


def output(result: pytest.RunResult) -> str:
    """Everything a pytester run printed."""
    return "\n".join(result.outlines + result.errlines)
