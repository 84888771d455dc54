"""A product's settings page: its name and estimate scale (owners and admins), its Definition
of Ready (its product owner too), with every refusal explained and nothing half-written."""

from __future__ import annotations

import pytest
from django.test import Client

from lodestar.core.models import HistoryEntry
from lodestar.strategy.models import Product, default_definition_of_ready
from tests.conftest import Persona
from tests.strategy.conftest import product

__all__ = ["product"]

URL = "/w/acme/products/ACME/settings"


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _general(**changes: object) -> dict[str, object]:
    return {
        "form": "general",
        "name": "Acme Analytics",
        "estimate_scale": "0, 1, 2, 3, 5, 8, 13, 21, ?",
        "version": 1,
        **changes,
    }


def _readiness(**changes: object) -> dict[str, object]:
    return {
        "form": "readiness",
        "acceptance_criteria": "on",
        "estimate": "on",
        "serves_goal": "on",
        "max_velocity_share": "50",
        "value_risk_above_points": "",
        "version": 1,
        **changes,
    }


# -- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "po", "developer", "viewer"])
def test_every_member_reads_the_settings(
    client: Client, request: pytest.FixtureRequest, product: Product, who: str
) -> None:
    response = _as(client, request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="0, 1, 2, 3, 5, 8, 13, 21, ?"' in page
    assert 'aria-current="page" data-tab="settings"' in page


def test_admins_change_both_forms(client: Client, admin: Persona, product: Product) -> None:
    page = _as(client, admin).get(URL).content.decode()
    assert "Save name and scale" in page
    assert "Save the Definition of Ready" in page
    assert " disabled" not in page


def test_the_product_owner_changes_only_the_definition_of_ready(
    client: Client, po: Persona, product: Product
) -> None:
    page = _as(client, po).get(URL).content.decode()
    assert "Save name and scale" not in page
    assert "Workspace owners and admins change these." in page
    assert 'value="Acme Analytics" class="input" maxlength="100" required disabled' in page
    assert "Save the Definition of Ready" in page


def test_a_developer_reads_both_forms_greyed_out_and_learns_who_changes_them(
    client: Client, developer: Persona, product: Product
) -> None:
    page = _as(client, developer).get(URL).content.decode()
    assert "Save name and scale" not in page
    assert "Save the Definition of Ready" not in page
    assert "(the product owner of ACME)" not in page  # the fixture's po is not in this test
    assert "ACME has no product owner; a workspace owner or admin changes it." in page
    # Name, scale, three checks, two thresholds, and each form's version.
    assert page.count(" disabled") == 9


def test_an_outsider_gets_404_and_anonymous_visitors_sign_in(
    client: Client, outsider: Persona, product: Product
) -> None:
    assert Client().get(URL)["Location"].startswith("/signin?next=")
    assert _as(client, outsider).get(URL).status_code == 404
    assert client.post(URL, _general(name="Theirs")).status_code == 404
    product.refresh_from_db()
    assert product.name == "Acme Analytics"


# -- name and scale --------------------------------------------------------------------------


def test_an_admin_renames_the_product_and_changes_its_scale(
    client: Client, admin: Persona, product: Product
) -> None:
    response = _as(client, admin).post(
        URL, _general(name="  Acme Insights ", estimate_scale="8 5;3, 2,1 ?")
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    product.refresh_from_db()
    assert product.name == "Acme Insights"
    assert product.key == "ACME"
    assert product.estimate_scale == ["1", "2", "3", "5", "8", "?"]
    entry = HistoryEntry.objects.get(object_type="strategy.product", action="updated")
    assert entry.changes["name"] == ["Acme Analytics", "Acme Insights"]
    page = client.get(URL).content.decode()
    assert "Name and estimate scale saved." in page
    assert 'value="1, 2, 3, 5, 8, ?"' in page


def test_saving_unchanged_settings_says_so_and_records_nothing(
    client: Client, admin: Persona, product: Product
) -> None:
    before = HistoryEntry.objects.count()
    response = _as(client, admin).post(URL, _general(), follow=True)
    assert "Nothing to save: the settings were already these." in response.content.decode()
    assert HistoryEntry.objects.count() == before
    product.refresh_from_db()
    assert product.version == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"estimate_scale": "1, 2, x, 5"}, "&quot;x&quot; must be a number of points"),
        ({"estimate_scale": "1, 2, 2"}, "Must not repeat a value."),
        ({"estimate_scale": "?"}, "Needs at least one number of points."),
        ({"estimate_scale": ", ".join(str(n) for n in range(21))}, "Must have 1 to 20 values."),
        ({"estimate_scale": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"version": "x"}, "This page is out of date: reload it and make your change again."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        # The name is good, the scale is not: nothing is written, not even the name.
        ({"name": "Renamed", "estimate_scale": "1, 1.25"}, "&quot;1.25&quot; must be a number"),
    ],
)
def test_bad_name_or_scale_is_explained_and_nothing_is_written(
    client: Client, admin: Persona, product: Product, changes: dict[str, str], message: str
) -> None:
    before = HistoryEntry.objects.count()
    response = _as(client, admin).post(URL, _general(**changes))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "<h1>Acme Analytics</h1>" in page  # the header shows the product as it is
    product.refresh_from_db()
    assert (product.name, product.version) == ("Acme Analytics", 1)
    assert product.estimate_scale == ["0", "1", "2", "3", "5", "8", "13", "21", "?"]
    assert HistoryEntry.objects.count() == before


@pytest.mark.parametrize("who", ["po", "developer", "viewer"])
def test_only_owners_and_admins_rename(
    client: Client, request: pytest.FixtureRequest, product: Product, who: str
) -> None:
    response = _as(client, request.getfixturevalue(who)).post(URL, _general(name="Mine"))
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Acme Analytics"


def test_a_stale_form_keeps_the_draft_and_writes_nothing(
    client: Client, admin: Persona, owner: Persona, product: Product
) -> None:
    _as(client, admin).post(URL, _general(name="First"))
    response = client.post(URL, _general(name="Second", estimate_scale="1, 2, 3"))
    assert response.status_code == 412
    page = response.content.decode()
    assert "Someone else changed this product&#x27;s settings meanwhile" in page
    assert 'value="Second"' in page
    assert 'value="1, 2, 3"' in page
    assert 'name="version" value="2"' in page
    product.refresh_from_db()
    assert product.name == "First"
    assert client.post(URL, _general(name="Second", version=2)).status_code == 302
    product.refresh_from_db()
    assert product.name == "Second"


# -- the Definition of Ready -------------------------------------------------------------------


def test_the_product_owner_changes_the_definition_of_ready(
    client: Client, po: Persona, product: Product
) -> None:
    data = _readiness(max_velocity_share="30", value_risk_above_points="8")
    del data["serves_goal"]  # an unticked box is not sent
    response = _as(client, po).post(URL, data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.definition_of_ready == {
        "acceptance_criteria": True,
        "estimate": True,
        "serves_goal": False,
        "max_velocity_share": 30,
        "value_risk_above_points": 8,
    }
    page = client.get(URL).content.decode()
    assert "Definition of Ready saved" in page
    assert 'name="serves_goal" id="dor_serves_goal">' in page  # unticked now


def test_empty_thresholds_turn_their_checks_off(
    client: Client, admin: Persona, product: Product
) -> None:
    _as(client, admin).post(URL, _readiness(max_velocity_share=""))
    product.refresh_from_db()
    assert product.definition_of_ready == {
        **default_definition_of_ready(),
        "max_velocity_share": None,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_velocity_share": "0"}, "greater than or equal to 1"),
        ({"max_velocity_share": "101"}, "less than or equal to 100"),
        ({"max_velocity_share": "half"}, "Enter a whole number."),
        ({"value_risk_above_points": "-1"}, "greater than or equal to 0"),
        ({"value_risk_above_points": "1001"}, "less than or equal to 1000"),
        ({"version": ""}, "This page is out of date: reload it and make your change again."),
    ],
)
def test_bad_readiness_input_is_explained_and_nothing_is_written(
    client: Client, po: Persona, product: Product, changes: dict[str, str], message: str
) -> None:
    response = _as(client, po).post(URL, _readiness(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    product.refresh_from_db()
    assert product.definition_of_ready == default_definition_of_ready()
    assert product.version == 1


@pytest.mark.parametrize("who", ["developer", "viewer"])
def test_others_cannot_change_the_definition_of_ready(
    client: Client, request: pytest.FixtureRequest, product: Product, who: str
) -> None:
    response = _as(client, request.getfixturevalue(who)).post(URL, _readiness(estimate=""))
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.definition_of_ready == default_definition_of_ready()


def test_a_post_that_names_no_form_is_refused(
    client: Client, admin: Persona, product: Product
) -> None:
    response = _as(client, admin).post(URL, {"name": "X", "version": 1})
    assert response.status_code == 400
    assert "Save the name and scale, or the Definition of Ready." in response.content.decode()
    product.refresh_from_db()
    assert product.name == "Acme Analytics"


def test_posting_without_the_csrf_token_is_refused(admin: Persona, product: Product) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin.user)
    assert strict.post(URL, _general(name="Sneaky")).status_code == 403
    product.refresh_from_db()
    assert product.name == "Acme Analytics"
