"""Fixtures of the command line's tests: one twin per module, fast and paired by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.support import CLIENT_ID, SECRET, control
from tests.support.servers import MockServer, run_mock

#: Logins pair only through the control API; sending is a hundred times faster than real.
FAST_TWIN = ("--login-delay", "0", "--speed-factor", "0.01")


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    """The offline twin on a free loopback port, with the test tenant only."""
    with run_mock(
        *FAST_TWIN,
        tmp_path=tmp_path_factory.mktemp("twin"),
        client_id=CLIENT_ID,
        client_secret=SECRET,
    ) as running:
        yield running
        assert "Traceback" not in running.log(), running.log()


@pytest.fixture(autouse=True)
def _fresh_tenant(request: pytest.FixtureRequest) -> None:
    """Each test starts with no devices, messages or reports."""
    if "twin" in request.fixturenames:
        twin: MockServer = request.getfixturevalue("twin")
        with control(twin) as mock:
            mock.post("/reset").raise_for_status()
