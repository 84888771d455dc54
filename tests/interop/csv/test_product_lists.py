"""A product's decision log, releases, metrics and outcome reviews as CSV: the page's rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lodestar.decisions import services as decisions
from lodestar.outcomes import services as outcomes
from lodestar.outcomes.models import Metric
from lodestar.releases import services as releases
from lodestar.releases.models import Release
from lodestar.strategy.models import Product
from tests.backlog.conftest import MakeItem
from tests.conftest import Persona
from tests.interop.csv.conftest import column, read_csv
from tests.outcomes.conftest import metric
from tests.outcomes.test_outcome_pages import _missed, release

__all__ = ["metric", "release"]

pytestmark = pytest.mark.django_db

DECISIONS = "/w/acme/decisions/ACME"
RELEASES = "/w/acme/releases/ACME"
METRICS = "/w/acme/metrics/ACME"
OUTCOMES = "/w/acme/outcomes/ACME"


def csv_link(page: Any) -> str:
    assert page.status_code == 200
    found = re.search(r'href="([^"]+format=csv)"', page.content.decode())
    assert found is not None, "no Export CSV link"
    return found.group(1).replace("&amp;", "&")


def shown(pattern: str, page: Any) -> list[str]:
    return re.findall(pattern, page.content.decode())


@pytest.fixture
def decision_log(owner: Persona, product: Product) -> None:
    decisions.decision_create(actor=owner.actor, product=product, title="Use PostgreSQL")
    decisions.decision_create(
        actor=owner.actor,
        product=product,
        title="=Drop IE11",
        decision='We "drop" it,\nfor good',
        status="decided",
    )
    decisions.decision_create(actor=owner.actor, product=product, title="Ship weekly")


@pytest.mark.parametrize("query", ["", "?status=decided", "?status=proposed", "?q=weekly"])
def test_the_decision_log_exports_its_rows(
    client: Client, viewer: Persona, decision_log: None, query: str
) -> None:
    client.force_login(viewer.user)
    page = client.get(DECISIONS + query)
    keys = shown(r'<span class="muted">(ACME-D\d+)</span>', page)
    rows = read_csv(client.get(csv_link(page)))
    assert column(rows, "Key") == keys
    assert keys


def test_a_decision_s_text_is_safe_and_whole(
    client: Client, viewer: Persona, decision_log: None
) -> None:
    client.force_login(viewer.user)
    rows = read_csv(client.get(DECISIONS + "?format=csv"))
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["Decision"] == "'=Drop IE11"
    assert second["The decision"] == 'We "drop" it,\nfor good'
    assert second["Status"] == "Decided"
    assert second["By"] == "Owner"
    assert second["URL"] == "http://testserver/w/acme/decisions/ACME/2"


def test_releases_export_their_rows_with_progress(
    client: Client, viewer: Persona, owner: Persona, release: Release, product: Product
) -> None:
    releases.release_create(actor=owner.actor, product=product, name="-next")
    client.force_login(viewer.user)
    page = client.get(RELEASES)
    names = shown(r'<tr data-release="([^"]+)"', page)
    rows = read_csv(client.get(csv_link(page)))
    assert ["'-next" if name == "-next" else name for name in names] == column(rows, "Release")
    first = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}["2026.1"]
    assert (first["Done"], first["Items"]) == ("0", "1")


def test_metrics_export_their_rows(
    client: Client, viewer: Persona, owner: Persona, metric: Metric, product: Product
) -> None:
    outcomes.metric_create(
        actor=owner.actor, product=product, key="churn", name="@Churn", direction="lower"
    )
    client.force_login(viewer.user)
    page = client.get(METRICS)
    keys = shown(r"<td><code>([^<]+)</code></td>", page)
    rows = read_csv(client.get(csv_link(page)))
    assert column(rows, "Key") == keys
    assert sorted(column(rows, "Metric")) == ["'@Churn", "Checkout conversion"]


@pytest.mark.parametrize(("query", "count"), [("", 1), ("?verdict=missed", 1), ("?verdict=met", 0)])
def test_outcome_reviews_export_their_rows_with_numbers(
    client: Client,
    viewer: Persona,
    owner: Persona,
    metric: Metric,
    release: Release,
    query: str,
    count: int,
) -> None:
    review = _missed(owner, metric, release)
    client.force_login(viewer.user)
    page = client.get(OUTCOMES + query)
    ids = shown(r'<tr data-review="(\d+)"', page)
    rows = read_csv(client.get(csv_link(page)))
    assert [url.rsplit("/", 1)[1] for url in column(rows, "URL")] == ids
    assert len(ids) == count
    if count:
        line = dict(zip(rows[0], rows[1], strict=True))
        assert line["Verdict"] == "Missed"
        assert float(line["Observed"]) == pytest.approx(review.observed_value)
        assert line["Of"] == "2026.1"


@pytest.mark.parametrize("path", [DECISIONS, RELEASES, METRICS, OUTCOMES])
def test_an_outsider_gets_nothing_and_an_empty_list_a_header(
    client: Client, outsider: Persona, viewer: Persona, product: Product, path: str
) -> None:
    client.force_login(outsider.user)
    assert client.get(path + "?format=csv").status_code == 404
    client.force_login(viewer.user)
    assert len(read_csv(client.get(path + "?format=csv"))) == 1


@pytest.mark.parametrize("path", [DECISIONS, RELEASES, METRICS])
def test_the_queries_do_not_grow_with_the_rows(
    client: Client,
    viewer: Persona,
    owner: Persona,
    product: Product,
    make_item: MakeItem,
    path: str,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(viewer.user)

    def add(n: int) -> None:
        decisions.decision_create(
            actor=owner.actor, product=product, title=f"D{n}", status="decided"
        )
        made = releases.release_create(actor=owner.actor, product=product, name=f"R{n}")
        releases.release_items_add(actor=owner.actor, release=made, items=[make_item(f"I{n}")])
        outcomes.metric_create(
            actor=owner.actor, product=product, key=f"m{n}", name=f"M{n}", direction="lower"
        )

    def count() -> int:
        with django_assert_max_num_queries(40) as captured:
            read_csv(client.get(path + "?format=csv"))
        return len(captured.captured_queries)

    add(0)
    count()
    few = count()
    for n in range(1, 6):
        add(n)
    assert count() == few
