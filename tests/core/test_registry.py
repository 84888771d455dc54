"""The registry of what each context declares: object types, navigation, periodic tasks, demos,
providers, subscribers and the one authorizer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lodestar.backlog.models import BacklogItem
from lodestar.core.errors import Forbidden, NotFound
from lodestar.core.models import HistoryEntry
from lodestar.core.registry import OBJECT_ACTIONS, Demo, NavEntry, Plugin, registry
from lodestar.people import demo as people_demo
from lodestar.people.models import Team
from lodestar.strategy.models import Product
from tests.conftest import Persona


def test_every_context_is_installed_from_its_plugin_module() -> None:
    assert list(registry().plugins) == [
        "core",
        "people",
        "strategy",
        "backlog",
        "discovery",
        "sprints",
        "decisions",
        "outcomes",
        "releases",
        "coverage",
        "reports",
        "comments",
        "notifications",
        "interop",
        "api",
    ]
    names = [object_type.name for object_type in registry().object_types()]
    assert names == [
        "api-token",
        "comment",
        "contact",
        "customer",
        "decision",
        "experiment",
        "feedback",
        "goal",
        "insight",
        "invitation",
        "item",
        "member",
        "metric",
        "outcome",
        "portal",
        "portal_idea",
        "portal_submission",
        "problem",
        "product",
        "product_discovery",
        "product_risk",
        "release",
        "release_check",
        "roadmap_entry",
        "roadmap_share",
        "scorecard",
        "sprint",
        "success_criterion",
        "team",
        "webhook",
        "workspace",
    ]
    assert [object_type.name for object_type in registry().trashable()] == [
        "customer",
        "decision",
        "experiment",
        "feedback",
        "insight",
        "item",
        "metric",
        "problem",
    ]
    assert registry().url_modules() == [
        "lodestar.people.urls",
        "lodestar.strategy.urls",
        "lodestar.backlog.urls",
        "lodestar.discovery.urls",
        "lodestar.discovery.portal_urls",
        "lodestar.sprints.urls",
        "lodestar.sprints.flow_urls",
        "lodestar.decisions.urls",
        "lodestar.outcomes.urls",
        "lodestar.releases.urls",
        "lodestar.coverage.urls",
        "lodestar.reports.urls",
        "lodestar.comments.urls",
        "lodestar.notifications.urls",
        "lodestar.interop.urls",
    ]
    assert registry().api_modules() == [
        "lodestar.people.api",
        "lodestar.strategy.api",
        "lodestar.backlog.api",
        "lodestar.backlog.prioritization.api",
        "lodestar.backlog.saved_views.api",
        "lodestar.discovery.api_imports",
        "lodestar.discovery.api",
        "lodestar.discovery.portal_api",
        "lodestar.discovery.portal_moderation_api",
        "lodestar.discovery.api_reach",
        "lodestar.discovery.risk_api",
        "lodestar.sprints.api",
        "lodestar.decisions.api",
        "lodestar.outcomes.api",
        "lodestar.releases.api",
        "lodestar.coverage.api",
        "lodestar.reports.api",
        "lodestar.comments.api",
        "lodestar.notifications.api",
        "lodestar.interop.imports.api",
        "lodestar.interop.webhooks.api",
        "lodestar.interop.exports.api",
    ]
    assert [entry.key for entry in registry().navigation()] == [
        "home",
        "inbox",
        "members",
        "teams",
        "who",
        "coverage",
        "discovery",
        "products",
        "sprints",
        "releases",
        "decisions",
        "metrics",
        "reports",
        "settings",
    ]


def test_declarations_are_complete_and_consistent() -> None:
    for object_type in registry().object_types():
        assert object_type.label, object_type.name
        assert "view" in object_type.permissions, object_type.name
        assert set(object_type.permissions) <= set(OBJECT_ACTIONS)
        if object_type.trash is not None:
            assert {"delete", "restore"} <= set(object_type.permissions), object_type.name
        assert registry().object_type_for(object_type.model) is object_type
        assert registry().object_type_for_label(object_type.model_label) is object_type


@pytest.mark.django_db
def test_every_kind_of_object_the_demo_records_is_declared() -> None:
    """A context that records history for an undeclared model fails here: declare it."""
    people = people_demo.seed()
    for _, context_demo in registry().demos()[1:]:
        context_demo.seed({"people": people})
    recorded = set(HistoryEntry.objects.values_list("object_type", flat=True).distinct())
    assert recorded
    undeclared = {label for label in recorded if registry().object_type_for_label(label) is None}
    assert undeclared == set()


@pytest.mark.django_db
def test_gates_urls_titles_and_search_documents_of_declared_objects(
    owner: Persona, team: Team, viewer: Persona
) -> None:
    product = Product.objects.create(workspace=owner.membership.workspace, key="ACME", name="Acme")
    item_type = registry().object_type("item")
    team_type = registry().object_type("team")
    product_type = registry().object_type("product")
    assert item_type is not None
    assert team_type is not None
    assert product_type is not None
    assert team_type.gate is not None
    assert team_type.gate(owner.actor, team.slug) == team
    with pytest.raises(NotFound):
        team_type.gate(owner.actor, "nobody")
    assert team_type.url is not None
    assert team_type.url(team) == f"/w/acme/teams/{team.slug}"
    assert product_type.title(product) == "ACME Acme"
    assert product_type.url is not None
    assert product_type.url(product) == "/w/acme/products/ACME"
    assert product_type.search is not None
    assert product_type.search(product).title == "ACME Acme"
    item = BacklogItem(key="ACME-1", title="Export", description="CSV please")
    assert item_type.title(item) == "ACME-1 Export"
    assert item_type.search is not None
    assert item_type.search(item).body.startswith("CSV please")
    # Permissions by declaration, decided by the one policy.
    registry().authorize(owner.actor, item_type, "delete", item)
    with pytest.raises(Forbidden):
        registry().authorize(viewer.actor, item_type, "delete", item)
    with pytest.raises(LookupError, match="does not support"):
        registry().authorize(owner.actor, team_type, "restore", team)
    # Gates by numeric id: a reference that is not a number is missing, like an unknown id.
    invitation_type = registry().object_type("invitation")
    assert invitation_type is not None
    assert invitation_type.gate is not None
    for ref in ["abc", "0", "999999"]:
        with pytest.raises(NotFound):
            invitation_type.gate(owner.actor, ref)


def test_demos_run_after_what_they_build_on() -> None:
    ran: list[str] = []

    def seed(name: str) -> Demo:
        def run(world: dict[str, Any]) -> str:
            ran.append(name)
            return name

        return Demo(seed=run, after=("b",) if name == "a" else ())

    with registry().scoped():
        registry().plugins = {}
        registry().install(Plugin(name="a", demo=seed("a")))
        registry().install(Plugin(name="b", demo=seed("b")))
        registry().install(Plugin(name="c", demo=Demo(seed=print, after=("missing",))))
        assert [name for name, _ in registry().demos()] == ["b", "c", "a"]
        registry().plugins["b"] = replace(registry().plugins["b"], demo=Demo(print, after=("a",)))
        with pytest.raises(ValueError, match="wait for each other"):
            registry().demos()


def test_installing_refuses_what_would_be_ambiguous() -> None:
    with registry().scoped():
        with pytest.raises(ValueError, match="already installed"):
            registry().install(Plugin(name="people"))
        with pytest.raises(ValueError, match="one policy"):
            registry().install(Plugin(name="rogue", authorizer=lambda actor, p, teams=None: None))
        item_type = registry().object_type("item")
        assert item_type is not None
        with pytest.raises(ValueError, match="unknown actions"):
            registry().replace(replace(item_type, permissions={"explode": "view"}))  # type: ignore[dict-item]


def test_a_later_navigation_entry_replaces_one_of_its_key() -> None:
    with registry().scoped():
        registry().install(
            Plugin(name="x", navigation=[NavEntry("teams", "Squads", "people:team_list", order=35)])
        )
        labels = {entry.key: entry.label for entry in registry().navigation()}
        assert labels["teams"] == "Squads"
    assert {entry.key: entry.label for entry in registry().navigation()}["teams"] == "Teams"
