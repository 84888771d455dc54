"""Saved views: services (who may save, share, see, change) and the API (bad input named)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.backlog.saved_views import services
from lodestar.backlog.saved_views.access import access_saved_view
from lodestar.backlog.saved_views.selectors import saved_view_list, saved_view_url
from lodestar.core.errors import Forbidden, Invalid, NotFound, StaleVersion
from lodestar.strategy.models import Product, ProductGoal
from tests.conftest import Persona

ApiClient = Callable[[Persona], Client]
VIEWS = "/api/v1/workspaces/acme/products/ACME/saved-views"


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(
        method, url, json.dumps(body), content_type="application/json", headers=headers
    )


def _names(persona: Persona, product: Product) -> list[str]:
    return [v.name for v in saved_view_list(actor=persona.actor, product=product)]


# -- services -----------------------------------------------------------------------------------


def test_a_personal_view_is_its_owners_alone_and_a_shared_one_everyones(
    developer: Persona, admin: Persona, viewer: Persona, product: Product
) -> None:
    services.saved_view_create(
        actor=developer.actor, product=product, name="Mine", filters={"status": "ready"}
    )
    shared = services.saved_view_create(
        actor=developer.actor,
        product=product,
        name="Team bugs",
        filters={"kind": "bug"},
        shared=True,
    )
    assert _names(developer, product) == ["Mine", "Team bugs"]
    # An admin sees what is shared, never another member's personal view.
    assert _names(admin, product) == ["Team bugs"]
    assert _names(viewer, product) == ["Team bugs"]
    assert access_saved_view(viewer.actor, product, shared.pk) == shared
    mine = saved_view_list(actor=developer.actor, product=product).get(name="Mine")
    with pytest.raises(NotFound):
        access_saved_view(admin.actor, product, mine.pk)


def test_the_view_is_a_link_to_the_filtered_backlog(
    developer: Persona, product: Product, goal: ProductGoal
) -> None:
    view = services.saved_view_create(
        actor=developer.actor,
        product=product,
        name="  Ready   for   me ",
        filters={
            "status": "ready",
            "assignee": developer.email.upper(),
            "goal": str(goal.pk),
            "flagged": "0",
            "finished": True,
            "q": "",
        },
        columns=["estimate", "goal"],
    )
    assert view.name == "Ready for me"
    assert view.filters == {
        "status": "ready",
        "assignee": developer.email,
        "goal": goal.pk,
        "flagged": False,
        "finished": True,
    }
    assert view.columns == ["goal", "estimate"]
    assert saved_view_url(view) == (
        f"/w/acme/products/ACME/backlog?status=ready&assignee={developer.email.replace('@', '%40')}"
        f"&goal={goal.pk}&flagged=0&finished=1&columns=goal%2Cestimate&view={view.pk}"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Name: must not be empty."), ("x" * 61, "Name: must be at most 60 characters.")],
)
def test_a_bad_name_is_refused(
    developer: Persona, product: Product, name: str, message: str
) -> None:
    with pytest.raises(Invalid) as error:
        services.saved_view_create(actor=developer.actor, product=product, name=name)
    assert error.value.errors[0].field == "name"
    assert message.split(": ")[1].rstrip(".") in error.value.errors[0].message
    assert _names(developer, product) == []


def test_a_name_is_unique_per_owner_and_product_whatever_its_case(
    developer: Persona, po: Persona, product: Product
) -> None:
    services.saved_view_create(actor=developer.actor, product=product, name="Bugs")
    with pytest.raises(Invalid) as error:
        services.saved_view_create(actor=developer.actor, product=product, name="bugs")
    assert error.value.errors[0].field == "name"
    # Someone else may use the same name.
    services.saved_view_create(actor=po.actor, product=product, name="Bugs")
    other = services.saved_view_create(actor=developer.actor, product=product, name="Other")
    with pytest.raises(Invalid):
        services.saved_view_update(actor=developer.actor, view=other, name="BUGS")


def test_unknown_filter_values_are_refused_each_named(developer: Persona, product: Product) -> None:
    with pytest.raises(Invalid) as error:
        services.saved_view_create(
            actor=developer.actor,
            product=product,
            name="Odd",
            filters={
                "status": "later",
                "assignee": "nobody@example.com",
                "goal": 999,
                "colour": "red",
                "flagged": "maybe",
            },
            columns=["goal"],
        )
    fields = sorted(e.field for e in error.value.errors)
    assert fields == [
        "filters.assignee",
        "filters.colour",
        "filters.flagged",
        "filters.goal",
        "filters.status",
    ]
    with pytest.raises(Invalid) as error:
        services.saved_view_create(
            actor=developer.actor, product=product, name="Odd", columns=["goal", "velocity"]
        )
    assert error.value.errors[0].field == "columns"
    assert _names(developer, product) == []


def test_a_viewer_saves_personal_views_but_does_not_share(
    viewer: Persona, product: Product
) -> None:
    with pytest.raises(Forbidden):
        services.saved_view_create(actor=viewer.actor, product=product, name="All", shared=True)
    view = services.saved_view_create(actor=viewer.actor, product=product, name="Mine")
    services.saved_view_update(actor=viewer.actor, view=view, name="Still mine")
    with pytest.raises(Forbidden):
        services.saved_view_update(actor=viewer.actor, view=view, shared=True)
    assert _names(viewer, product) == ["Still mine"]


def test_a_shared_view_is_changed_by_its_creator_or_an_admin(
    developer: Persona, po: Persona, admin: Persona, product: Product
) -> None:
    view = services.saved_view_create(
        actor=developer.actor, product=product, name="Bugs", shared=True
    )
    with pytest.raises(Forbidden):
        services.saved_view_update(actor=po.actor, view=view, name="Mine now")
    with pytest.raises(Forbidden):
        services.saved_view_delete(actor=po.actor, view=view)
    services.saved_view_update(actor=admin.actor, view=view, name="All bugs")
    services.saved_view_update(actor=developer.actor, view=view, filters={"kind": "bug"})
    view.refresh_from_db()
    assert (view.name, view.filters, view.version) == ("All bugs", {"kind": "bug"}, 3)
    with pytest.raises(StaleVersion):
        services.saved_view_update(actor=developer.actor, view=view, name="x", expected_version=1)
    services.saved_view_delete(actor=admin.actor, view=view)
    assert _names(developer, product) == []


# -- API ----------------------------------------------------------------------------------------


def test_the_api_saves_lists_changes_and_deletes_a_view(
    api_client: ApiClient, developer: Persona, po: Persona, product: Product
) -> None:
    client = api_client(developer)
    response = _send(
        client,
        "POST",
        VIEWS,
        {"name": "Ready", "shared": True, "filters": {"status": "ready", "flagged": True}},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["filters"]["status"] == "ready"
    assert body["url"] == f"/w/acme/products/ACME/backlog?status=ready&flagged=1&view={body['id']}"
    assert body["columns"] == ["goal", "scores", "estimate", "assignee"]
    _send(client, "POST", VIEWS, {"name": "Personal"})
    assert [v["name"] for v in _send(api_client(po), "GET", VIEWS).json()] == ["Ready"]
    url = f"{VIEWS}/{body['id']}"
    stale = _send(client, "PATCH", url, {"name": "Old"}, **{"If-Match": '"7"'})
    assert stale.status_code == 412
    renamed = _send(client, "PATCH", url, {"name": "Ready now", "columns": []})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["columns"]) == ("Ready now", [])
    assert _send(client, "DELETE", url).status_code == 204
    assert _send(client, "DELETE", url).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "Odd", "filters": {"status": "later"}}, "filters.status"),
        ({"name": "Odd", "filters": {"colour": "red"}}, "filters.colour"),
        ({"name": "Odd", "columns": ["velocity"]}, "columns"),
    ],
)
def test_the_api_names_the_bad_field(
    api_client: ApiClient, developer: Persona, product: Product, body: dict[str, Any], field: str
) -> None:
    response = _send(api_client(developer), "POST", VIEWS, body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert _names(developer, product) == []


def test_another_members_personal_view_is_not_found(
    api_client: ApiClient, developer: Persona, admin: Persona, product: Product
) -> None:
    view = services.saved_view_create(actor=developer.actor, product=product, name="Mine")
    response = _send(api_client(admin), "PATCH", f"{VIEWS}/{view.pk}", {"name": "Taken"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "personal", "shared", "others_shared"),
    [
        ("owner", True, True, True),
        ("admin", True, True, True),
        ("po", True, True, False),
        ("developer", True, True, False),
        ("pm", True, True, False),
        ("viewer", True, False, False),
    ],
)
def test_who_saves_shares_and_changes_views(
    persona: str,
    personal: bool,
    shared: bool,
    others_shared: bool,
    product: Product,
    request: pytest.FixtureRequest,
) -> None:
    someone = request.getfixturevalue("developer" if persona != "developer" else "po")
    theirs = services.saved_view_create(
        actor=someone.actor, product=product, name="Theirs", shared=True
    )
    actor = request.getfixturevalue(persona).actor
    outcomes = []
    for share in (False, True):
        try:
            services.saved_view_create(actor=actor, product=product, name=f"V{share}", shared=share)
            outcomes.append(True)
        except Forbidden:
            outcomes.append(False)
    assert outcomes == [personal, shared]
    assert services.may_change(actor, theirs) is others_shared


def test_an_admin_renaming_a_shared_view_is_told_whose_name_clashes(
    developer: Persona, admin: Persona, product: Product
) -> None:
    services.saved_view_create(actor=developer.actor, product=product, name="Bugs")
    view = services.saved_view_create(
        actor=developer.actor, product=product, name="Team", shared=True
    )
    with pytest.raises(Invalid) as error:
        services.saved_view_update(actor=admin.actor, view=view, name="bugs")
    assert error.value.errors[0].message == "its owner already has a view named 'bugs' on ACME"
