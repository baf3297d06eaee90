"""Fixtures of the mock's tests: a running ``python -m vatanwa_mock`` shared by a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import MockServer, run_mock
from tests.support.tenants import TWO_TENANTS
from tests.vatanwa_mock.support import FAST

#: Logins pair only through the control API, and expire after 3 s.
MANUAL_PAIRING = ("--login-delay", "0", "--login-timeout", "3")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    """A stateful mock with two tenants, fast sending and manual pairing."""
    with run_mock(
        *FAST, *TWO_TENANTS, *MANUAL_PAIRING, tmp_path=tmp_path_factory.mktemp("mock")
    ) as running:
        yield running
        assert running.process.poll() is None, running.log()
        assert "Traceback" not in running.log(), running.log()
