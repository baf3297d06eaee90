"""The mock's version, documents and dependencies, as the installed distribution has them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata

import pytest

from tests.support.servers import ROOT
from vatanwa_mock import __main__, distribution, spec

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_the_one_of_pyproject() -> None:
    assert distribution.version() == PYPROJECT["project"]["version"]
    shown = subprocess.run(
        [sys.executable, "-m", "vatanwa_mock", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == f"vatanwa-mock {PYPROJECT['project']['version']}"


def test_the_development_environment_has_the_whole_extra() -> None:
    assert distribution.missing_dependencies() == []


def test_a_missing_dependency_of_the_extra_is_named_with_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    requires = [
        "httpx<0.29,>=0.28",
        'connexion[uvicorn]==3.3.0; extra == "mock"',
        'no-such-project-of-vatanwa>=1; extra == "mock"',
        'another-missing-one; extra == "docs"',
    ]
    monkeypatch.setattr(metadata, "requires", lambda name: requires)

    assert distribution.missing_dependencies() == ["no-such-project-of-vatanwa"]
    assert __main__.main([]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "vatanwa-mock: error: the vatanwa mock needs no-such-project-of-vatanwa, which is not "
        "installed: pip install 'vatanwa[mock]'"
    ]


def test_the_documents_are_found_in_the_source_tree() -> None:
    assert spec.document_path("vatanwa.yaml") == ROOT / "openapi" / "vatanwa.yaml"
    assert spec.CONTROL_PATH == ROOT / "openapi" / "mock-control.yaml"
    with pytest.raises(FileNotFoundError, match=r"no-such\.yaml"):
        spec.document_path("no-such.yaml")
