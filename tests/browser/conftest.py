"""Fixtures of the inspector's browser tests: Debian's Chromium driven by Playwright, one
browser for this package (Playwright's sync API stops when the package ends), one mock per
module, one context per test signed in as a tenant, with the page's console errors collected."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    ConsoleMessage,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.support.servers import MockServer, run_mock
from tests.support.tenants import CLIENT_ID, CLIENT_SECRET, TWO_TENANTS

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Fast simulated time, manual pairing, and reports that die after two failed attempts.
MOCK_ARGS = (
    "--speed-factor",
    "0.01",
    "--login-delay",
    "0",
    "--retry-max-attempts",
    "2",
    *TWO_TENANTS,
)


def chromium_path() -> str | None:
    """The Chromium to drive: ``VATANWA_CHROMIUM``, else the first one on the PATH."""
    configured = os.environ.get("VATANWA_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium; in CI a missing browser fails the tests, never skips them."""
    path = chromium_path()
    if path is None:
        message = "no Chromium found: apt-get install chromium (or set VATANWA_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": ["--no-sandbox"]}


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright for this package only: its sync API keeps an event loop running in the main
    thread while it lives, and every later test calling ``asyncio.run`` would fail."""
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)  # type: ignore[no-any-return]


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    """The mock every test of a module shares."""
    with run_mock(*MOCK_ARGS, tmp_path=tmp_path_factory.mktemp("mock")) as running:
        yield running
        assert "Traceback" not in running.log(), running.log()


class Inspector:
    """A browser page signed in to the inspector, and what its console said."""

    def __init__(self, context: BrowserContext, root_url: str) -> None:
        self.context = context
        self.root_url = root_url
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def open(self, path: str = "") -> Page:
        """Go to ``/_mock/ui/<path>`` and wait until it loaded and listens for changes."""
        response = self.page.goto(f"{self.root_url}/_mock/ui/{path}")
        assert response is not None
        assert response.status == 200, response.status
        # Changes made from here on reach the page: its event stream is connected.
        self.page.wait_for_selector('body[data-live="open"]', state="attached")
        return self.page

    def accessibility_violations(self) -> list[dict[str, Any]]:
        """What axe-core (from node_modules, pinned in package.json) finds on the page."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations: list[dict[str, Any]] = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]}))
                .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(" "))}))"""
        )
        return violations


InspectorFactory = Callable[..., Inspector]


@pytest.fixture
def inspector_as(browser: Browser, mock: MockServer) -> Iterator[InspectorFactory]:
    """Open the inspector as a tenant (``client_id``, ``client_secret``); at the end, every
    page opened must have logged no console error."""
    opened: list[tuple[Inspector, bool]] = []

    def open_as(
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        viewport: ViewportSize | None = None,
        clean_console: bool = True,
        timezone_id: str | None = None,
    ) -> Inspector:
        context = browser.new_context(
            http_credentials={"username": client_id, "password": client_secret},
            viewport=viewport or {"width": 1280, "height": 900},
            timezone_id=timezone_id,
        )
        inspector = Inspector(context, mock.root_url)
        opened.append((inspector, clean_console))
        return inspector

    yield open_as
    for inspector, _ in opened:
        inspector.context.close()
    for inspector, clean in opened:
        assert not clean or inspector.errors == [], inspector.errors


@pytest.fixture
def inspector(inspector_as: InspectorFactory) -> Inspector:
    """The inspector signed in as the default tenant."""
    return inspector_as()
