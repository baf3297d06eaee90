"""The pytest plugin of the offline twin: the Vatansms WhatsApp API inside a user's own tests.

Registered through the ``pytest11`` entry point of the ``vatanwa`` distribution (disable it with
``-p no:vatanwa``). It stands on the SDK and on the twin's control API, like any user: the twin
(``python -m vatanwa_mock``) runs in a process of its own, started when a test first uses a
fixture, so loading the plugin imports nothing of the twin's stack. Where the twin is not
installed (the SDK without its ``mock`` extra), the test that uses a fixture fails with the
command to install it; collection and every other test are unaffected.

Fixtures:

- ``vatanwa_mock``: the test's own tenant on the session's twin (one twin per session, or per
  xdist worker), with ``base_url``, ``control_url``, ``client_id``, ``client_secret``,
  ``messages(**filters)`` and ``wait_for_message(to=..., status=..., timeout=...)``.
- ``vatanwa_client`` / ``vatanwa_async_client``: the SDK bound to that tenant.
- ``vatanwa_device``: a ``reg_id`` logged in and connected, ready to send.
- ``vatanwa_reports``: a loopback receiver set as the tenant's callback URL.
- ``vatanwa_env``: ``VATANWA_BASE_URL``, ``VATANWA_CLIENT_ID``, ``VATANWA_CLIENT_SECRET`` set.

Marker ``@pytest.mark.vatanwa_chaos(error_rate=..., rate_limit_rate=..., latency_ms=...,
retry_after=..., seed=...)``: the chaos is applied to the test's tenant once its fixtures are
set up, for the test's body only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from vatanwa import AsyncVatanwa, Vatanwa

if TYPE_CHECKING:
    from vatanwa.pytest_plugin.inbox import VatanwaMock
    from vatanwa.pytest_plugin.reports import ReportReceiver
    from vatanwa.pytest_plugin.twin import Twin, TwinOptions

__all__ = ["ReportReceiver", "VatanwaMock"]

#: The fixtures' types, for annotations; loaded when first asked for.
_LAZY = {
    "VatanwaMock": "vatanwa.pytest_plugin.inbox",
    "ReportReceiver": "vatanwa.pytest_plugin.reports",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


MARKER = "vatanwa_chaos"
#: The number the ``vatanwa_device`` fixture logs in with.
DEVICE_NUMBER = "+905459260314"
#: (name, help, default) of each option; each is an ini key and ``--vatanwa-<name>``.
OPTIONS: tuple[tuple[str, str, str | None], ...] = (
    (
        "speed_factor",
        "the twin's --speed-factor: multiplies its simulated delays (default 0.01)",
        "0.01",
    ),
    (
        "login_delay",
        "the twin's --login-delay in seconds: 0 pairs logins only through the control API, "
        "as vatanwa_device and vatanwa_mock.pair do (default 0)",
        "0",
    ),
    ("url", "use the twin already running at this URL (e.g. http://127.0.0.1:8080)", None),
    ("client_id", "with --vatanwa-url: a tenant configured on that twin", "vatanwa-local-id"),
    (
        "client_secret",
        "with --vatanwa-url: that tenant's secret",
        "vatanwa-local-secret",
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--vatanwa-*`` options and their ini keys ``vatanwa_*``."""
    group = parser.getgroup("vatanwa", "vatanwa offline twin")
    for name, text, default in OPTIONS:
        flag = "--vatanwa-" + name.replace("_", "-")
        group.addoption(flag, dest="vatanwa_" + name, default=None, metavar=name.upper(), help=text)
        parser.addini("vatanwa_" + name, text, default=default)


def pytest_configure(config: pytest.Config) -> None:
    """Register the chaos marker (the suite may run with ``--strict-markers``)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(error_rate=0, rate_limit_rate=0, latency_ms=0, retry_after=1, seed=None): "
        "inject failures into the test's calls of the vatanwa twin",
    )


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption("vatanwa_" + name)
    if value is None:
        value = config.getini("vatanwa_" + name)
    return str(value) if value not in (None, "") else None


def _number(config: pytest.Config, name: str) -> float:
    raw = _option(config, name)
    try:
        return float(raw or "")
    except ValueError:
        raise pytest.UsageError(f"vatanwa_{name} must be a number, not {raw!r}") from None


def twin_options(config: pytest.Config) -> TwinOptions:
    """The twin's settings from the command line, else the ini file, else the defaults."""
    from vatanwa.pytest_plugin.twin import TwinOptions

    return TwinOptions(
        speed_factor=_number(config, "speed_factor"),
        login_delay=_number(config, "login_delay"),
        url=_option(config, "url"),
        client_id=_option(config, "client_id") or "",
        client_secret=_option(config, "client_secret") or "",
    )


@pytest.fixture(scope="session")
def vatanwa_twin(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Twin]:
    """The session's twin (one per xdist worker), started on first use, stopped at the end."""
    from vatanwa.pytest_plugin import twin

    options = twin_options(pytestconfig)
    try:
        if options.url is not None:
            running = twin.connect(options.url, options)
        else:
            running = twin.start(options, tmp_path_factory.getbasetemp() / "vatanwa-twin")
    except twin.TwinUnavailable as exc:
        # Without its context: pytest would print the same message twice, chained.
        raise pytest.fail.Exception(str(exc), pytrace=False) from None
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def vatanwa_mock(vatanwa_twin: Twin) -> Iterator[VatanwaMock]:
    """The test's own tenant on the twin: fresh credentials and no state of any other test."""
    from vatanwa.pytest_plugin.inbox import VatanwaMock
    from vatanwa.pytest_plugin.twin import TwinUnavailable

    try:
        tenant = vatanwa_twin.new_tenant()
    except TwinUnavailable as exc:
        raise pytest.fail.Exception(str(exc), pytrace=False) from None
    mock = VatanwaMock(vatanwa_twin, tenant)
    try:
        yield mock
    finally:
        mock.close()


@pytest.fixture
def vatanwa_client(vatanwa_mock: VatanwaMock) -> Iterator[Vatanwa]:
    """The SDK's :class:`vatanwa.Vatanwa`, bound to the test's tenant on the twin."""
    with Vatanwa(
        vatanwa_mock.client_id, vatanwa_mock.client_secret, base_url=vatanwa_mock.base_url
    ) as client:
        yield client


@pytest.fixture
async def vatanwa_async_client(vatanwa_mock: VatanwaMock) -> AsyncIterator[AsyncVatanwa]:
    """The SDK's :class:`vatanwa.AsyncVatanwa`, bound to the test's tenant on the twin.

    An async fixture, closed in the test's own event loop: for tests run by anyio
    (``@pytest.mark.anyio``, installed with httpx) or by pytest-asyncio in auto mode.
    """
    async with AsyncVatanwa(
        vatanwa_mock.client_id, vatanwa_mock.client_secret, base_url=vatanwa_mock.base_url
    ) as client:
        yield client


@pytest.fixture
def vatanwa_device(vatanwa_client: Vatanwa, vatanwa_mock: VatanwaMock) -> str:
    """A ``reg_id`` of the test's tenant, logged in (by phone) and connected."""
    login = vatanwa_client.login.phone(DEVICE_NUMBER)
    reg_id = login.data.reg_id
    vatanwa_mock.pair(reg_id)
    if not vatanwa_client.login.wait(reg_id):
        pytest.fail(f"the twin did not connect the device {reg_id}", pytrace=False)
    return reg_id


@pytest.fixture
def vatanwa_reports(vatanwa_mock: VatanwaMock) -> Iterator[ReportReceiver]:
    """A receiver of the tenant's delivery reports on a loopback port, set as its callback URL."""
    from vatanwa.pytest_plugin.reports import ReportReceiver

    receiver = ReportReceiver(vatanwa_mock.client_id, vatanwa_mock.client_secret)
    try:
        vatanwa_mock.set_callback_url(receiver.url)
        yield receiver
    finally:
        receiver.close()


@pytest.fixture
def vatanwa_env(vatanwa_mock: VatanwaMock, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``VATANWA_BASE_URL``, ``VATANWA_CLIENT_ID`` and ``VATANWA_CLIENT_SECRET`` set to the
    test's tenant for the test, so ``Vatanwa()`` built by the code under test talks to the twin."""
    values = {
        "VATANWA_BASE_URL": vatanwa_mock.base_url,
        "VATANWA_CLIENT_ID": vatanwa_mock.client_id,
        "VATANWA_CLIENT_SECRET": vatanwa_mock.client_secret,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Apply a ``vatanwa_chaos`` marker to the test's tenant, after its fixtures are set up."""
    marker = item.get_closest_marker(MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
        funcargs: dict[str, Any] = getattr(item, "funcargs", {})
        mock = funcargs.get("vatanwa_mock")
        if mock is None:
            pytest.fail(
                f"@pytest.mark.{MARKER} needs the vatanwa_mock fixture (or one built on it, such "
                "as vatanwa_client or vatanwa_env) in the test",
                pytrace=False,
            )
        mock.set_chaos(**marker.kwargs)
    return (yield)
