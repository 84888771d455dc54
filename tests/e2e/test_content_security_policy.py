"""The pages run under the Content-Security-Policy with nothing refused: the demo people walk
the main pages and the browser reports no violation and no console error. An image from
another host in an item's description is refused unless the workspace allows external images.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from lodestar.backlog import services as backlog_services
from lodestar.backlog.models import BacklogItem
from lodestar.people.demo import DEMO_PASSWORD, DEMO_WORKSPACE_SLUG, logins
from lodestar.people.models import Workspace
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
# The API reference builds the whole OpenAPI document and a large script on a shared machine:
# a generous wait for it to appear (not a timing assertion).
DOCS_WAIT_MS = 30_000


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
        f"{WORKSPACE}/settings",
        "/account/password",
        "/account",
        f"{WORKSPACE}/tokens",
        "/api/v1/docs",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if path == "/api/v1/docs":
            expect(page.locator(".opblock").first).to_be_visible(timeout=DOCS_WAIT_MS)
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


def _item_with_external_image(email: str) -> BacklogItem:
    item = BacklogItem.objects.order_by("pk").first()
    assert item is not None
    from lodestar.people.access import access_workspace
    from lodestar.people.models import User

    actor = access_workspace(User.objects.get(email=email), DEMO_WORKSPACE_SLUG)
    return backlog_services.item_update(
        actor=actor,
        item=item,
        description="A pixel: ![tracker](https://images.example/pixel.png)",
    )


@pytest.mark.parametrize("allowed", [False, True])
def test_an_image_from_another_host_loads_only_where_the_workspace_allows_it(
    page: Any, demo: dict[str, object], allowed: bool
) -> None:
    owner = demo_email("owner")
    item = _item_with_external_image(owner)
    Workspace.objects.filter(slug=DEMO_WORKSPACE_SLUG).update(allow_external_images=allowed)
    asked: list[str] = []

    def answer(route: Any) -> None:  # never leaves this machine
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/gif", body=b"GIF89a")

    page.route("https://images.example/**", answer)
    watcher = Watcher(page)
    sign_in(page, owner)
    page.goto(f"{WORKSPACE}/items/{item.key}")
    expect(page.get_by_role("heading", name=item.title)).to_be_visible()
    page.wait_for_load_state("load")
    watcher.collect()
    description = page.get_by_test_id("description")
    if allowed:
        expect(description.locator("img")).to_have_attribute(
            "src", "https://images.example/pixel.png"
        )
        assert asked == ["https://images.example/pixel.png"]
        assert not [p for p in watcher.problems if "CSP violation" in p]
    else:
        # Shown as a link to the image, named by its alt text and host, not as a broken image.
        link = description.locator("a.external-image")
        expect(link).to_have_text("tracker (images.example)")
        expect(link).to_have_attribute("href", "https://images.example/pixel.png")
        expect(description.locator("img")).to_have_count(0)
        assert asked == []
        assert any(
            "CSP violation" in p and "img-src" in p and "images.example" in p
            for p in watcher.problems
        ), watcher.problems


def test_enter_in_a_members_job_title_saves_it_without_evaluated_code(
    page: Any, demo: dict[str, object]
) -> None:
    from lodestar.people.models import Membership

    watcher = Watcher(page)
    sign_in(page, demo_email("owner"))
    page.goto(f"{WORKSPACE}/members")
    member = (
        Membership.objects.filter(workspace__slug=DEMO_WORKSPACE_SLUG, role="member")
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    assert member is not None
    field = page.locator(f"#member-{member.pk} input[name='job_title']")
    field.fill("Staff Engineer")
    field.press("Enter")
    expect(page.locator("#flash")).to_contain_text(f"Saved {member.user.display_name}.")
    member.refresh_from_db()
    assert member.job_title == "Staff Engineer"
    watcher.collect()
    assert watcher.problems == []
