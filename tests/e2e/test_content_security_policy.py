"""The pages run under the Content-Security-Policy with nothing refused: the demo people walk
the main pages and the browser reports no violation and no console error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.core.registry import registry
from lodestar.people.demo import DEMO_PASSWORD, DEMO_WORKSPACE_SLUG, logins
from lodestar.strategy.models import Product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every securitypolicyviolation event, recorded before any page script runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
WORKSPACE = f"/w/{DEMO_WORKSPACE_SLUG}"


@pytest.fixture
def demo() -> dict[str, object]:
    world: dict[str, object] = {}
    for name, context_demo in registry().demos():
        world[name] = context_demo.seed(world)
    return world


class Watcher:
    """Collects what the browser refused or complained about, page after page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type} on {self.page.url}: {message.text}")

    def collect(self) -> None:
        """Take the violations the current page recorded (before it is left)."""
        violations = self.page.evaluate("window.__violations || []")
        self.problems += [f"CSP violation on {self.page.url}: {v}" for v in violations]


def sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"{WORKSPACE}/$"))


def demo_email(role: str) -> str:
    return next(str(login["email"]) for login in logins() if login["role"] == role)


@pytest.mark.parametrize("role", ["owner", "member"])
def test_the_main_pages_run_under_the_policy_with_nothing_refused(
    page: Any, demo: dict[str, object], role: str
) -> None:
    watcher = Watcher(page)
    sign_in(page, demo_email(role))
    watcher.collect()
    product = Product.objects.order_by("pk").first()
    assert product is not None
    backlog = f"{WORKSPACE}/products/{product.key}/backlog"
    for path in (
        f"{WORKSPACE}/",
        f"{WORKSPACE}/members",
        f"{WORKSPACE}/teams",
        f"{WORKSPACE}/who",
        f"{WORKSPACE}/products/{product.key}",
        # SETTINGS
        "/account/password",
        "/api/v1/docs",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if path == "/api/v1/docs":
            expect(page.locator(".opblock").first).to_be_visible()
        watcher.collect()

    # The backlog, its side panel (htmx), and the keyboard shortcut help.
    page.goto(backlog)
    page.locator("#backlog-rows > .bl-row").first.get_by_role("link").first.click()
    expect(page.locator("#item-panel")).to_be_visible()
    expect(page.locator("#item-panel .iv-title")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    watcher.collect()
    assert watcher.problems == []
