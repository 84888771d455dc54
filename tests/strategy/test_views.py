"""The product pages per persona: products, a product's vision, and its Product Goal."""

from __future__ import annotations

import pytest
from django.test import Client

from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import GoalStatus, Product, ProductGoal
from tests.conftest import Persona
from tests.strategy.conftest import goal, product

__all__ = ["goal", "product"]

PAGES = ["/w/acme/products", "/w/acme/products/ACME", "/w/acme/products/ACME/goal"]
READERS = ["owner", "admin", "po", "developer", "viewer"]


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _history_count() -> int:
    return HistoryEntry.objects.count()


# -- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", READERS)
def test_every_member_sees_the_product_pages(
    client: Client,
    request: pytest.FixtureRequest,
    product: Product,
    goal: ProductGoal,
    url: str,
    who: str,
) -> None:
    response = _as(client, request.getfixturevalue(who)).get(url)
    assert response.status_code == 200
    assert b"Acme Analytics" in response.content


@pytest.mark.parametrize("url", PAGES)
def test_a_member_of_another_workspace_gets_404(
    client: Client, outsider: Persona, product: Product, url: str
) -> None:
    assert _as(client, outsider).get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_go_to_sign_in(client: Client, product: Product, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=")


def test_an_unknown_product_is_404(client: Client, po: Persona, product: Product) -> None:
    assert _as(client, po).get("/w/acme/products/NOPE/goal").status_code == 404


def test_the_products_list_shows_each_product_with_its_goal(
    client: Client, po: Persona, product: Product, goal: ProductGoal
) -> None:
    page = _as(client, po).get("/w/acme/products").content.decode()
    assert "ACME" in page
    assert goal.statement in page
    assert 'href="/w/acme/products/ACME/backlog"' in page
    assert "New product" not in page  # members do not create products


def test_the_sidebar_links_to_products(client: Client, po: Persona, product: Product) -> None:
    page = _as(client, po).get("/w/acme/products/ACME").content.decode()
    assert 'data-nav="products"' in page


def test_the_vision_is_rendered_markdown_and_harmless(
    client: Client, owner: Persona, po: Persona, product: Product
) -> None:
    product.vision = "Answers in *seconds*.<script>alert(1)</script> [x](javascript:alert(2))"
    product.save(update_fields=["vision"])
    page = _as(client, po).get("/w/acme/products/ACME").content.decode()
    vision = page.split('data-testid="vision"', 1)[1].split("</section>", 1)[0]
    assert "<em>seconds</em>" in vision
    assert "<script>" not in page
    assert 'href="javascript' not in page


# -- the goal page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["po", "admin"])
def test_product_owner_and_admin_get_the_goal_forms(
    client: Client, request: pytest.FixtureRequest, po: Persona, goal: ProductGoal, who: str
) -> None:
    page = _as(client, request.getfixturevalue(who)).get("/w/acme/products/ACME/goal")
    text = page.content.decode()
    assert "Set the next goal" in text
    assert f"/w/acme/products/ACME/goal/{goal.pk}/close" in text
    assert 'data-testid="read-only"' not in text


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_others_read_the_goal_and_learn_who_may_change_it(
    client: Client, request: pytest.FixtureRequest, po: Persona, goal: ProductGoal, who: str
) -> None:
    text = _as(client, request.getfixturevalue(who)).get("/w/acme/products/ACME/goal")
    page = text.content.decode()
    assert goal.statement in page
    assert 'data-testid="read-only"' in page
    assert "<strong>Po</strong> (the product owner of ACME)" in page
    assert "Set the next goal" not in page
    assert "/close" not in page


def test_earlier_goals_show_how_they_ended(
    client: Client, po: Persona, product: Product, goal: ProductGoal
) -> None:
    _as(client, po)
    response = client.post(
        "/w/acme/products/ACME/goal/new",
        {"statement": "Teams share dashboards", "previous_outcome": "abandoned"},
    )
    assert response.status_code == 302
    page = client.get("/w/acme/products/ACME/goal").content.decode()
    assert "Teams share dashboards" in page
    history = page.split('data-testid="earlier-goals"', 1)[1]
    assert goal.statement in history
    assert "Abandoned" in history


def test_product_owner_sets_a_new_goal(client: Client, po: Persona, goal: ProductGoal) -> None:
    response = _as(client, po).post(
        "/w/acme/products/ACME/goal/new",
        {"statement": "Half of trials reach a shared dashboard", "previous_outcome": "achieved"},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    active = ProductGoal.objects.get(product=goal.product, status=GoalStatus.ACTIVE)
    assert active.statement == "Half of trials reach a shared dashboard"


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_others_cannot_set_the_goal(
    client: Client, request: pytest.FixtureRequest, goal: ProductGoal, who: str
) -> None:
    before = _history_count()
    response = _as(client, request.getfixturevalue(who)).post(
        "/w/acme/products/ACME/goal/new", {"statement": "Mine now", "previous_outcome": "achieved"}
    )
    assert response.status_code == 403
    assert "product owner" in response.content.decode()
    assert ProductGoal.objects.filter(statement="Mine now").count() == 0
    assert _history_count() == before


def test_an_outsider_cannot_set_the_goal(
    client: Client, outsider: Persona, goal: ProductGoal
) -> None:
    response = _as(client, outsider).post(
        "/w/acme/products/ACME/goal/new", {"statement": "Ours", "previous_outcome": "achieved"}
    )
    assert response.status_code == 404
    assert not ProductGoal.objects.filter(statement="Ours").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"statement": "", "previous_outcome": "achieved"}, "This field is required."),
        ({"statement": "   ", "previous_outcome": "achieved"}, "This field is required."),
        ({"statement": "x" * 301, "previous_outcome": "achieved"}, "at most 300 characters"),
        ({"statement": "Fine", "previous_outcome": "forgotten"}, "Select a valid choice"),
    ],
)
def test_bad_goal_input_is_explained_and_nothing_is_written(
    client: Client, po: Persona, goal: ProductGoal, data: dict[str, str], message: str
) -> None:
    before = _history_count()
    response = _as(client, po).post("/w/acme/products/ACME/goal/new", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert ProductGoal.objects.filter(product=goal.product).count() == 1
    assert _history_count() == before


def test_product_owner_closes_the_goal(client: Client, po: Persona, goal: ProductGoal) -> None:
    response = _as(client, po).post(
        f"/w/acme/products/ACME/goal/{goal.pk}/close",
        {"outcome": "achieved", "version": goal.version},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.ended_at is not None
    page = client.get("/w/acme/products/ACME/goal").content.decode()
    assert "No active goal" in page


def test_closing_with_a_stale_version_changes_nothing(
    client: Client, po: Persona, goal: ProductGoal
) -> None:
    response = _as(client, po).post(
        f"/w/acme/products/ACME/goal/{goal.pk}/close",
        {"outcome": "abandoned", "version": goal.version + 5},
    )
    assert response.status_code == 412
    assert "Someone else changed this goal" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE


def test_closing_without_an_outcome_is_refused(
    client: Client, po: Persona, goal: ProductGoal
) -> None:
    response = _as(client, po).post(
        f"/w/acme/products/ACME/goal/{goal.pk}/close", {"version": goal.version}
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE


def test_a_developer_cannot_close_the_goal(
    client: Client, developer: Persona, goal: ProductGoal
) -> None:
    response = _as(client, developer).post(
        f"/w/acme/products/ACME/goal/{goal.pk}/close",
        {"outcome": "abandoned", "version": goal.version},
    )
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE


def test_a_closed_goal_cannot_be_closed_again(
    client: Client, po: Persona, product: Product, goal: ProductGoal
) -> None:
    _as(client, po).post(
        "/w/acme/products/ACME/goal/new", {"statement": "Next", "previous_outcome": "achieved"}
    )
    goal.refresh_from_db()
    response = client.post(
        f"/w/acme/products/ACME/goal/{goal.pk}/close",
        {"outcome": "abandoned", "version": goal.version},
    )
    assert response.status_code == 422
    assert "already achieved" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED


# -- vision and products ------------------------------------------------------------------------


def test_product_owner_rewrites_the_vision(client: Client, po: Persona, product: Product) -> None:
    response = _as(client, po).post(
        "/w/acme/products/ACME", {"vision": "Every SMB has a data analyst.", "version": 1}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.vision == "Every SMB has a data analyst."


def test_a_developer_cannot_rewrite_the_vision(
    client: Client, developer: Persona, product: Product
) -> None:
    page = _as(client, developer).get("/w/acme/products/ACME").content.decode()
    assert "Edit the vision" not in page
    response = client.post("/w/acme/products/ACME", {"vision": "Mine", "version": 1})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.vision == "Answers in *seconds*."


def test_a_stale_vision_keeps_the_draft_and_writes_nothing(
    client: Client, po: Persona, product: Product
) -> None:
    response = _as(client, po).post("/w/acme/products/ACME", {"vision": "Draft", "version": 99})
    assert response.status_code == 412
    page = response.content.decode()
    assert "Someone else changed the vision" in page
    assert "Draft</textarea>" in page
    product.refresh_from_db()
    assert product.vision == "Answers in *seconds*."


def test_an_admin_creates_a_product(client: Client, admin: Persona, product: Product) -> None:
    response = _as(client, admin).post("/w/acme/products", {"key": "BETA", "name": "Beta"})
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/products/BETA"
    assert Product.objects.filter(workspace=product.workspace, key="BETA").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "b1", "name": "Beta"}, "2 to 10 capital letters"),
        ({"key": "ACME", "name": "Again"}, "already the key of a product"),
        ({"key": "BETA", "name": ""}, "This field is required."),
    ],
)
def test_bad_product_input_is_explained(
    client: Client, admin: Persona, product: Product, data: dict[str, str], message: str
) -> None:
    response = _as(client, admin).post("/w/acme/products", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Product.objects.filter(workspace=product.workspace).count() == 1


def test_a_member_cannot_create_a_product(client: Client, po: Persona, product: Product) -> None:
    response = _as(client, po).post("/w/acme/products", {"key": "BETA", "name": "Beta"})
    assert response.status_code == 403
    assert not Product.objects.filter(key="BETA").exists()


def test_posting_without_the_csrf_token_is_refused(po: Persona, goal: ProductGoal) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(po.user)
    response = strict.post(
        "/w/acme/products/ACME/goal/new",
        {"statement": "Sneaky", "previous_outcome": "achieved"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert not ProductGoal.objects.filter(statement="Sneaky").exists()
