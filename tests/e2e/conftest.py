"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

The live server binds 127.0.0.1 on a free port and stops with the session. Without
``/usr/bin/chromium`` the browser tests are skipped with a loud reason, unless ``CI=true``,
where a missing browser fails them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.live_server_helper import LiveServer

from lodestar.core.registry import registry

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = (
    f"{CHROMIUM} is missing: the browser tests did NOT run. Install Debian's chromium "
    "(apt-get install -y chromium), or run `make test`, which installs it."
)
# Screenshots (of failures, and the ones tests take to be looked at) go outside the repository.
SCREENSHOTS = Path(
    os.environ.get("LODESTAR_E2E_SCREENSHOTS") or Path(tempfile.gettempdir()) / "lodestar-e2e"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    ran_e2e = any(
        "tests/e2e/" in report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if hasattr(report, "nodeid")
    )
    if ran_e2e and not CHROMIUM.exists():
        terminalreporter.section("browser tests", sep="!", red=True, bold=True)
        terminalreporter.line(MISSING, red=True, bold=True)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server, always on 127.0.0.1 (a free port)."""
    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls next to a running loop. These tests drive one browser from one thread, so
    # the calls are safe; the switch is set only while this module's browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    # Let the server answer what the tab last asked (a panel a click opened) before the test's
    # database is flushed: a request still being served holds a table lock the flush would meet.
    with contextlib.suppress(Exception):
        tab.wait_for_load_state("networkidle", timeout=5_000)
    context.close()


@pytest.fixture
def screenshot(page: Any) -> Any:
    """Save a full-page screenshot of the tab under ``SCREENSHOTS``; returns its path."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


@pytest.fixture
def demo() -> dict[str, object]:
    """The demo workspace, as ``lodestar demo`` loads it: what each context's seed made."""
    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    return world
