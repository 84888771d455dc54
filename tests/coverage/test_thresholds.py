"""A workspace's thresholds for the summary's rules: the defaults until an owner or admin sets
them; the summary uses them; a value out of its range is a 422 naming the field and nothing is
written; members and viewers cannot change them; the page's form and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.core.errors import Forbidden, Invalid, StaleVersion
from lodestar.core.models import HistoryEntry
from lodestar.coverage.facts import coverage_summary
from lodestar.coverage.models import CoverageThresholds
from lodestar.coverage.selectors import coverage_for
from lodestar.coverage.services import thresholds_for, thresholds_set
from lodestar.coverage.summary import DEFAULT_THRESHOLDS
from lodestar.decisions import services as decisions
from lodestar.strategy.models import Product
from tests.conftest import Persona

URL = "/w/acme/coverage"
API = "/api/v1/workspaces/acme/coverage/thresholds"


def test_the_defaults_until_someone_sets_them(owner: Persona) -> None:
    assert thresholds_for(owner.membership.workspace_id) == DEFAULT_THRESHOLDS


def test_an_admin_sets_them_and_the_summary_uses_them(
    owner: Persona, admin: Persona, pm: Persona, product: Product
) -> None:
    decisions.decision_create(actor=pm.actor, product=product, title="Charge per seat")
    coverage = coverage_for(owner.actor, product=product, days=30)
    before = {s.rule: s.text for s in coverage_summary(owner.actor, coverage)}
    assert "carried none of the duties" in before["product_managers"]  # one is not two

    row = thresholds_set(actor=admin.actor, carries_min="1", discovery_gap_min=3)

    assert (row.carries_min, row.discovery_gap_min, row.version) == (1, 3, 2)
    after = {s.rule: s for s in coverage_summary(owner.actor, coverage)}
    assert "making product decisions (1)" in after["product_managers"].text
    assert "at least 1 of the duty's activities" in after["product_managers"].why
    entry = HistoryEntry.objects.get(object_type="coverage.coveragethresholds")
    assert entry.changes == {"carries_min": [2, 1], "discovery_gap_min": [2, 3]}
    assert entry.actor == admin.user
    # The same values again change nothing and record nothing.
    thresholds_set(actor=admin.actor, carries_min=1)
    assert HistoryEntry.objects.filter(object_type="coverage.coveragethresholds").count() == 1


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"carries_min": 0}, "carries_min", "from 1 to 100"),
        ({"carries_min": 101}, "carries_min", "not 101"),
        ({"carries_min": "two"}, "carries_min", "not 'two'"),
        ({"carries_min": ""}, "carries_min", "whole number"),
        ({"carries_min": "-1"}, "carries_min", "not '-1'"),
        ({"carries_min": True}, "carries_min", "whole number"),
        ({"discovery_gap_min": 5}, "discovery_gap_min", "from 1 to 4"),
        ({"discovery_gap_min": "1.5"}, "discovery_gap_min", "not '1.5'"),
    ],
)
def test_a_value_out_of_range_is_refused_and_nothing_is_written(
    owner: Persona, values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(Invalid) as error:
        thresholds_set(actor=owner.actor, **({"carries_min": 3} | values))
    assert error.value.code == "coverage_thresholds_invalid"
    assert error.value.errors[0].field == field
    assert words in error.value.errors[0].message
    assert not CoverageThresholds.objects.exists()


def test_members_and_viewers_cannot_change_them(developer: Persona, viewer: Persona) -> None:
    for persona in (developer, viewer):
        with pytest.raises(Forbidden):
            thresholds_set(actor=persona.actor, carries_min=3)
    assert not CoverageThresholds.objects.exists()


def test_a_stale_version_is_refused(owner: Persona, admin: Persona) -> None:
    thresholds_set(actor=admin.actor, carries_min=3)
    with pytest.raises(StaleVersion):
        thresholds_set(actor=owner.actor, carries_min=4, expected_version=1)
    assert thresholds_for(owner.membership.workspace_id).carries_min == 3


def test_the_page_form_saves_and_says_what_to_fix(
    client: Client, admin: Persona, viewer: Persona, product: Product
) -> None:
    client.force_login(admin.user)
    page = client.get(URL, {"scope": "product:ACME"}).content.decode()
    assert 'name="carries_min" value="2"' in page

    saved = client.post(
        f"{URL}/thresholds",
        {"carries_min": "3", "discovery_gap_min": "2", "version": "1", "scope": "product:ACME"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == f"{URL}?scope=product%3AACME"
    again = client.get(saved["Location"]).content.decode()
    assert "Thresholds saved" in again
    assert 'name="carries_min" value="3"' in again

    bad = client.post(
        f"{URL}/thresholds",
        {"carries_min": "zero", "discovery_gap_min": "9", "version": "2", "days": "30"},
    )
    assert bad.status_code == 422
    html = bad.content.decode().replace("&#x27;", "'")
    assert 'data-testid="coverage-thresholds-error"' in html
    assert "not 'zero'" in html
    assert "not 9" in html
    assert 'value="zero"' in html  # what was typed is kept
    assert thresholds_for(admin.membership.workspace_id).carries_min == 3

    client.force_login(viewer.user)
    read_only = client.get(URL).content.decode()
    assert "The workspace's owners and admins set them." in read_only
    assert 'name="carries_min"' not in read_only
    assert client.post(f"{URL}/thresholds", {"carries_min": "5"}).status_code == 403


def test_the_api_reads_and_sets_them(
    api_client: Callable[[Persona], Client], admin: Persona, viewer: Persona
) -> None:
    read = api_client(viewer).get(API)
    assert read.status_code == 200
    assert read.json() == {"carries_min": 2, "discovery_gap_min": 2}
    assert read["ETag"] == '"1"'
    changed = api_client(admin).patch(
        API, {"carries_min": 4}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert changed.status_code == 200
    assert changed.json() == {"carries_min": 4, "discovery_gap_min": 2}
    bad = api_client(admin).patch(API, {"discovery_gap_min": 0}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "discovery_gap_min"
    unknown = api_client(admin).patch(API, {"carries": 4}, content_type="application/json")
    assert unknown.status_code == 422
    stale = api_client(admin).patch(
        API, {"carries_min": 5}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    assert (
        api_client(viewer)
        .patch(API, {"carries_min": 5}, content_type="application/json")
        .status_code
        == 403
    )
