"""Every page passes axe-core's WCAG 2.1 A and AA rules (and its best practices: one main
heading, distinct landmarks, heading levels in order) for each kind of demo person, at 1440 and
390 pixels wide, light and dark, with the item side panel open and with a dialog open; and the
backlog's drag and drop has a keyboard way, told on each draggable row and announced when used.

axe-core is a test-only npm package (package.json's devDependencies), read from node_modules
and never served to users.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lodestar.discovery import services as discovery
from lodestar.discovery.models import Insight
from lodestar.outcomes.models import OutcomeReview
from lodestar.people.demo import DEMO_PASSWORD
from lodestar.people.models import Membership
from lodestar.people.policy import Actor
from lodestar.releases.models import Release, ReleaseState
from lodestar.sprints import services as sprints
from lodestar.sprints.models import Sprint, SprintState
from lodestar.strategy.models import Product, ProductGoal, ProductTeam
from tests.backlog.conftest import MakeItem, goal, make_item, ordered_keys, product
from tests.conftest import PASSWORD, Persona

__all__ = ["goal", "make_item", "product"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
HOME = "/w/acme/"
BACKLOG = "/w/acme/products/ACME/backlog"

# Pages no navigation link leads to; the rest are found by following the sidebar and the
# product's tabs, so a page added to either is checked without touching this list.
PAGES = [
    "/w/acme/items/ACME-2",
    "/w/acme/teams/checkout",
    "/w/acme/teams/checkout/flow",
    "/account",
    "/account/password",
    "/account/invitations",
    "/w/acme/tokens",
    "/w/acme/settings",  # a page of its own for admins, a refusal for the others
    "/w/acme/search?q=dashboard&more=1&tag=x",  # results, marked snippets, the filters open
    "/w/acme/search?q=dashboard&to=2000-01-01&from=2001-01-01",  # a refused filter, nothing
    "/w/acme/products/ACME/discovery",  # what reach counts: a form for the product owner
    "/w/acme/items/ACME-2/problems/search?q=dashboard",  # linking a problem without scripts
    "/w/acme/no-such-page",
    "/w/acme/feedback/new",  # a form for writers, a refusal for viewers
    "/w/acme/feedback?state=all",
    "/w/acme/problems",
    "/w/acme/customers",
    "/w/acme/decisions/ACME/1",  # a superseded decision, its chain and history
    "/w/acme/decisions/ACME/2",  # the one in force, with its writes for writers
    "/w/acme/decisions/ACME/new",  # a form for writers, a refusal for viewers
    "/w/acme/metrics/ACME",  # a form for writers
    "/w/acme/metrics/ACME/checkout-conversion",  # the chart, upload and definition
    "/w/acme/reports/ACME?since=2026-12-01&until=2026-10-01",  # a refused period, the form
    "/w/acme/reports/ACME/print",  # the printable file: its own layout and stylesheet
]

# Running animations are finished first: a flash message fading in is measured at its final
# colours, not at the frame axe happens to catch (half-transparent text fails contrast).
RUN_AXE = """async ([within, tags]) => {
  for (const animation of document.getAnimations()) {
    if (animation.effect?.getComputedTiming().endTime !== Infinity) animation.finish();
  }
  const context = within ? { include: [within] } : document;
  const result = await window.axe.run(context, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@pytest.fixture
def audited(browser: Any, live_server: Any) -> Any:
    """A tab with axe-core ready on every page it opens.

    ``page.add_script_tag`` inserts an inline script, which the Content-Security-Policy
    (script-src 'self') refuses. An init script is run by the browser's DevTools protocol,
    outside the page's policy, so each page is checked under its real policy, unchanged.
    """
    assert AXE.exists(), f"{AXE} is missing: run `make install` (npm ci installs axe-core)."
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE))
    tab = context.new_page()
    yield tab
    context.close()


def violations(page: Any, within: str | None = None) -> list[str]:
    """axe's findings on the page as it is now (or on the part ``within`` selects), one line
    per rule and element."""
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, [within, TAGS])
    return [
        f"{v['id']} ({v['impact']}: {v['help']}) at {target}"
        for v in found
        for target in v["targets"]
    ]


def check(page: Any, where: str, problems: list[str], within: str | None = None) -> None:
    problems.extend(f"{where}: {line}" for line in violations(page, within))


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))


def linked_pages(page: Any) -> list[str]:
    """The sidebar's pages and the product's tabs, in the order they are shown."""
    page.goto(BACKLOG)
    links: list[str] = page.locator(".sidebar nav a, nav.tabs a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return list(dict.fromkeys(links))


def discovery_paths() -> list[str]:
    """A customer, a piece of feedback with an insight on a problem, and that problem, made in
    the demo workspace when it has none yet: the pages of one of each."""
    insight = Insight.objects.filter(
        workspace__slug="acme",
        start__isnull=False,
        feedback__customer__isnull=False,
        problems__isnull=False,
    ).first()
    if insight is None:
        member = Membership.objects.get(workspace__slug="acme", user__email="olivia@acme.example")
        actor = Actor(user=member.user, membership=member)
        customer = discovery.customer_create(
            actor=actor, name="Axe Analytics", segment="SMB", arr="4200"
        )
        feedback = discovery.feedback_create(
            actor=actor,
            text="Exports are slow 🐢 on Mondays.\n\nWe paste *numbers* by hand.",
            customer=customer,
            tags=["export"],
        )
        problem = discovery.problem_create(actor=actor, title="Exports are slow")
        insight = discovery.insight_create(
            actor=actor, feedback=feedback, start=0, end=16, problems=[problem]
        )
    feedback = insight.feedback
    problem = insight.problems.first()
    assert problem is not None
    return [
        f"/w/acme/feedback/{feedback.pk}",
        f"/w/acme/problems/{problem.pk}",
        f"/w/acme/customers/{feedback.customer_id}",
    ]


def sprint_paths() -> list[str]:
    """A team's sprints, the planning of a planned sprint, the board (with swimlanes) and the
    report of the running one, made in the demo workspace when it has none yet."""
    link = ProductTeam.objects.filter(team__workspace__slug="acme").select_related("team").first()
    assert link is not None
    team = link.team
    member = Membership.objects.get(workspace__slug="acme", user__email="olivia@acme.example")
    actor = Actor(user=member.user, membership=member)
    items = list(
        link.product.backlog_items.filter(deleted_at__isnull=True, status="new").order_by("rank")[
            :3
        ]
    )
    active = Sprint.objects.filter(team=team, state=SprintState.ACTIVE).first()
    if active is None:
        start = timezone.localdate() - dt.timedelta(days=2)
        active = sprints.sprint_create(
            actor=actor,
            team=team,
            name="Axe sprint",
            start_date=start,
            end_date=start + dt.timedelta(days=13),
        )
        sprints.sprint_items_add(actor=actor, sprint=active, items=items[:2])
        sprints.sprint_start(actor=actor, sprint=active, goal="Every page reads well")
    planned = Sprint.objects.filter(team=team, state=SprintState.PLANNED).first()
    if planned is None:
        start = active.end_date + dt.timedelta(days=1)
        planned = sprints.sprint_create(
            actor=actor,
            team=team,
            name="Axe sprint next",
            start_date=start,
            end_date=start + dt.timedelta(days=13),
        )
        sprints.sprint_items_add(actor=actor, sprint=planned, items=items[2:3])
    base = "/w/acme/sprints"
    return [
        f"/w/acme/teams/{team.slug}/sprints",
        f"{base}/{planned.pk}/plan",
        f"{base}/{active.pk}/board",
        f"{base}/{active.pk}/board?lanes=assignee",
        f"{base}/{active.pk}",
    ]


def release_paths() -> list[str]:
    """The product's releases, the new-release form, and each demo release's page (live, in
    progress with its forecast, cancelled) with the edit form of the open one."""
    base = "/w/acme/releases/ACME"
    paths = [base, f"{base}/new", f"{base}/roadmap"]
    for release in Release.objects.filter(workspace__slug="acme").order_by("pk"):
        paths.append(f"{base}/{release.pk}")
        if release.state in (ReleaseState.PLANNED, ReleaseState.IN_PROGRESS):
            paths.append(f"{base}/{release.pk}/edit")
            paths.append(f"/w/acme/outcomes/ACME/criteria/new?release={release.pk}")
    return [*paths, *outcome_paths()]


def outcome_paths() -> list[str]:
    """The product's outcome reviews, and each demo review's page (met, missed)."""
    base = "/w/acme/outcomes/ACME"
    reviews = OutcomeReview.objects.filter(workspace__slug="acme").order_by("pk")
    return [base, *(f"{base}/{pk}" for pk in reviews.values_list("pk", flat=True))]


def every_page(page: Any, where: str, problems: list[str]) -> None:
    pages = [*linked_pages(page), *PAGES, *discovery_paths(), *sprint_paths(), *release_paths()]
    for path in dict.fromkeys(pages):
        page.goto(path)
        check(page, f"{where} {path}", problems)


def open_states(page: Any, where: str, problems: list[str]) -> None:
    """The backlog with an item in the side panel (a sheet on a phone), and a dialog open."""
    page.goto(BACKLOG)
    page.locator("#row-ACME-2 [data-item-link]").click()
    expect(page.locator("#item-panel #item-view")).to_be_visible()
    # The rest of the page was checked already: only what opened is checked again.
    check(page, f"{where} backlog with the item panel open", problems, "#item-panel")
    page.keyboard.press("Escape")
    expect(page.locator("#item-panel")).to_be_hidden()
    page.locator("body").press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    check(page, f"{where} backlog with the shortcuts dialog open", problems, "#shortcut-help")


# The dark theme changes colours only, so it is checked at one width.
LIGHT_BOTH_WIDTHS = (("light", "1440px", WIDE), ("light", "390px", PHONE))
AND_DARK = (*LIGHT_BOTH_WIDTHS, ("dark", "1440px", WIDE))


@pytest.mark.parametrize(
    ("email", "variants"),
    [
        ("olivia@acme.example", AND_DARK),  # the owner: every admin form
        ("quinn@acme.example", AND_DARK),  # a product owner: ordering, creating
        ("victor@acme.example", LIGHT_BOTH_WIDTHS),  # a viewer: the same pages, read-only
    ],
)
def test_every_signed_in_page_has_no_accessibility_violations(
    audited: Any, demo: None, email: str, variants: tuple[tuple[str, str, dict[str, int]], ...]
) -> None:
    page = audited
    sign_in(page, email)
    problems: list[str] = []
    for scheme, name, size in variants:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(size)
        where = f"{email} {name} {scheme}:"
        every_page(page, where, problems)
        open_states(page, where, problems)
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_discovery_popovers_have_no_accessibility_violations(audited: Any, demo: None) -> None:
    """The "make an insight" popover over a selected phrase, with a refusal in it, and the
    inbox's "link to a problem" dialog, at both widths."""
    page = audited
    sign_in(page, "olivia@acme.example")
    detail = discovery_paths()[0]
    problems: list[str] = []
    for name, size in (("1440px", WIDE), ("390px", PHONE)):
        page.set_viewport_size(size)
        page.goto(detail)
        page.evaluate(
            """() => {
              const root = document.querySelector('[data-feedback-text]');
              const text = [...root.childNodes].find((node) => node.nodeType === 3);
              const range = document.createRange();
              range.setStart(text, 0);
              range.setEnd(text, 7);
              window.getSelection().addRange(range);
            }"""
        )
        page.locator("[data-insight-trigger]").click()
        expect(page.locator("#insight-pop")).to_be_visible()
        check(page, f"{name} insight popover", problems, "#insight-pop")
        # Neither a problem (the closest one may be offered) nor a new one: refused.
        page.locator("#insight-pop").get_by_label("An existing problem").fill("")
        page.locator("#insight-pop").get_by_role("button", name="Make insight").click()
        expect(page.locator("#insight-pop .errors")).to_be_visible()
        check(page, f"{name} insight popover refusing", problems)
        page.goto("/w/acme/feedback?state=all")
        page.locator("[data-link-problem]").first.click()
        expect(page.get_by_role("dialog", name="Link to a problem")).to_be_visible()
        check(page, f"{name} link dialog", problems, "#link-dialog")
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_signed_out_pages_have_no_accessibility_violations(audited: Any) -> None:
    page = audited
    problems: list[str] = []
    for name, size in (("1440px", WIDE), ("390px", PHONE)):
        page.set_viewport_size(size)
        page.goto("/signin")
        check(page, f"{name} sign-in", problems)
        page.get_by_label("Email").fill("olivia@acme.example")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check(page, f"{name} sign-in refused", problems)
        page.goto("/invitations/no-such-token")
        check(page, f"{name} unusable invitation", problems)
        page.goto("/account/reset")
        check(page, f"{name} password reset", problems)
        page.get_by_label("Email").fill("nobody@acme.example")
        page.get_by_role("button", name="Send a reset link").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        check(page, f"{name} password reset sent", problems)
        page.goto("/account/reset/MQ/no-such-token")
        check(page, f"{name} unusable reset link", problems)
        page.goto("/account/email/confirm/no-such-token")
        check(page, f"{name} unusable email confirmation", problems)
    assert not problems, "axe-core found:\n" + "\n".join(problems)


def test_the_check_finds_a_violation(audited: Any) -> None:
    """The check can fail: an image without a text alternative is reported."""
    page = audited
    page.goto("/signin")
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('img'), {src: '/static/lodestar/favicon.svg'}))"
    )
    assert any(line.startswith("image-alt ") for line in violations(page))


def test_drag_and_drop_has_a_keyboard_way_that_is_named_and_announced(
    page: Any,
    po: Persona,
    developer: Persona,
    make_item: MakeItem,
    goal: ProductGoal,
    product: Product,
) -> None:
    for title in ("Sample dataset", "Dashboard templates", "Weekly digest"):
        make_item(title, goal=goal)
    sign_in(page, po.email, PASSWORD)
    page.goto(BACKLOG)
    link = page.locator("#row-ACME-2 [data-item-link]")
    # A draggable row's title says how to move it without a mouse.
    expect(link).to_have_accessible_description(
        "Alt with the up or down arrow moves the item one place in the order."
    )

    # Keyboard only: Tab to the second title, move it up, and hear where it went.
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    announcer = page.get_by_role("status").and_(page.locator("#bl-announce"))
    expect(announcer).to_have_text("Moved ACME-2 to position 1.")
    assert ordered_keys(product) == ["ACME-2", "ACME-1", "ACME-3"]
    expect(link).to_be_focused()

    page.keyboard.press("Alt+ArrowDown")
    expect(announcer).to_have_text("Moved ACME-2 to position 2.")
    page.keyboard.press("Alt+ArrowDown")
    expect(announcer).to_have_text("Moved ACME-2 to position 3.")
    assert ordered_keys(product) == ["ACME-1", "ACME-3", "ACME-2"]
    page.keyboard.press("Alt+ArrowDown")
    expect(announcer).to_have_text("ACME-2 is already last.")
    assert ordered_keys(product) == ["ACME-1", "ACME-3", "ACME-2"]

    # Who cannot order is not told how to.
    page.context.clear_cookies()
    sign_in(page, developer.email, PASSWORD)
    page.goto(BACKLOG)
    expect(page.locator("#row-ACME-2 [data-item-link]")).not_to_have_attribute(
        "aria-describedby", re.compile(".")
    )


def test_notification_pages_have_no_accessibility_violations(audited: Any, demo: None) -> None:
    """The inbox (unread rows, a filter), an item's Watch bar, the handle card, and an email's
    unsubscribe page (asking, and refusing a changed link), light and dark, both widths."""
    from lodestar.notifications.emails import unsubscribe_token
    from lodestar.people.models import Membership

    page = audited
    quinn = Membership.objects.get(workspace__slug="acme", user__email="quinn@acme.example")
    token = unsubscribe_token(quinn.pk, ["comment"])
    sign_in(page, "quinn@acme.example")
    problems: list[str] = []
    for scheme, name, size in AND_DARK:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(size)
        for path in (
            "/w/acme/inbox",
            "/w/acme/inbox?kind=mention",
            "/w/acme/items/ACME-2",
            "/w/acme/members",
            f"/unsubscribe/{token}",
            f"/unsubscribe/{token}x",
        ):
            page.goto(path)
            check(page, f"{name} {scheme} {path}", problems)
    assert not problems, "axe-core found:\n" + "\n".join(problems)
