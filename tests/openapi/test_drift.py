"""The drift check (`make check-drift`) fails, naming the difference, when the YAML changes.

Each test runs the real check, `python -m scripts.generate_client --check`, once: against the
YAML as committed, and against modified copies of it (`--spec`) compared with the committed
generated_client/.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.openapi import document as d

RECORDED = (d.ROOT / "generated_client" / "openapi.sha256").read_text(encoding="utf-8").split()[0]


def _check(spec: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scripts.generate_client", "--check"]
    if spec is not None:
        command += ["--spec", str(spec)]
    return subprocess.run(
        command, cwd=d.ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def _write(document: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "vatanwa.yaml"
    path.write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    return path


def test_the_committed_client_matches_the_yaml() -> None:
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated_client/ matches openapi/vatanwa.yaml" in result.stdout
    assert hashlib.sha256(d.SPEC_PATH.read_bytes()).hexdigest() == RECORDED


def test_a_renamed_property_fails_the_check_and_is_named(tmp_path: Path) -> None:
    document = d.load()
    device = document["components"]["schemas"]["Device"]
    device["properties"]["username"] = device["properties"].pop("user_name")
    device["required"] = ["username" if n == "user_name" else n for n in device["required"]]
    spec = _write(document, tmp_path)

    result = _check(spec)

    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stderr
    assert f"generated from a YAML with sha256 {RECORDED}" in report
    assert "--- committed/vatanwa_client/models/device.py" in report
    assert "-    user_name: str" in report
    assert "+    username: str" in report
    assert "run `make client`" in report


def test_a_loosened_constraint_fails_the_check_by_the_recorded_hash(tmp_path: Path) -> None:
    # openapi-python-client does not turn constraints into code: only the recorded hash of the
    # YAML tells that the client is out of date.
    document = d.load()
    document["components"]["schemas"]["SendSpeed"]["maximum"] = 9
    spec = _write(document, tmp_path)

    result = _check(spec)

    assert result.returncode == 1, result.stdout + result.stderr
    changed = hashlib.sha256(spec.read_bytes()).hexdigest()
    assert (
        f"openapi.sha256: the committed client was generated from a YAML with sha256 {RECORDED}; "
        f"the YAML now has sha256 {changed}"
    ) in result.stderr
    assert "--- committed/" not in result.stderr  # no generated code changed
    assert "differ only in the banner's hash of the YAML" in result.stderr
