"""The outcomes API: metrics CRUD with ETags, samples pushed, imported and listed, the daily
series, and bad input answered with the rows to fix and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.outcomes.models import Metric, MetricSample
from lodestar.outcomes.samples import MAX_BATCH
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

M = "/api/v1/workspaces/acme/products/ACME/metrics"
Clients = Callable[[Persona], Client]


def _send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _fields(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"] or []]


@pytest.fixture
def dev(api_client: Clients, developer: Persona) -> Client:
    return api_client(developer)


def test_metric_crud_with_etags(dev: Client, product: Any) -> None:
    created = _send(
        dev,
        "POST",
        M,
        {
            "key": "wau",
            "name": "WAU",
            "direction": "higher",
            "aggregation": "last",
            "unit": "users",
        },
    )
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    assert _send(dev, "GET", M).json()["items"][0]["key"] == "wau"
    stale = _send(dev, "PATCH", f"{M}/wau", {"name": "x"}, **{"If-Match": '"7"'})
    assert stale.status_code == 412
    changed = _send(dev, "PATCH", f"{M}/WAU", {"name": "Weekly active"}, **{"If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Weekly active"
    assert _send(dev, "DELETE", f"{M}/wau").status_code == 204
    assert _send(dev, "GET", f"{M}/wau").status_code == 404


def test_bad_metric_input_names_the_field(dev: Client, product: Any) -> None:
    response = _send(dev, "POST", M, {"key": "x", "name": "X", "direction": "higher"})
    assert response.status_code == 422
    assert _fields(response) == ["key"]
    response = _send(dev, "POST", M, {"key": "xx", "name": "X", "direction": "up"})
    assert response.status_code == 422
    assert _fields(response) == ["direction"]
    response = _send(
        dev,
        "POST",
        M,
        {"key": "xx", "name": "X", "direction": "higher", "time_zone": "Nowhere/Else"},
    )
    assert _fields(response) == ["time_zone"]
    assert Metric.objects.count() == 0


def test_push_list_and_daily(dev: Client, metric: Metric) -> None:
    body = {
        "samples": [
            {"at": "2026-03-02T09:00:00Z", "value": 3},
            {"at": "2026-03-02T15:00:00+02:00", "value": 4},
            {"at": "2026-03-03T09:00:00Z", "value": 5},
        ]
    }
    pushed = _send(dev, "POST", f"{M}/conversion/samples", body)
    assert pushed.status_code == 200, pushed.content
    assert pushed.json() == {"received": 3, "created": 3, "replaced": 0}
    again = _send(
        dev,
        "POST",
        f"{M}/conversion/samples",
        {"samples": [{"at": "2026-03-02T09:00:00Z", "value": 6}]},
    )
    assert again.json() == {"received": 1, "created": 0, "replaced": 1}
    page = _send(dev, "GET", f"{M}/conversion/samples?limit=2")
    assert [s["value"] for s in page.json()["items"]] == [6, 4]  # 09:00Z, then 13:00Z
    rest = _send(dev, "GET", f"{M}/conversion/samples?cursor={page.json()['next_cursor']}")
    assert [s["value"] for s in rest.json()["items"]] == [5]
    ranged = _send(dev, "GET", f"{M}/conversion/samples?since=2026-03-03T00:00:00Z")
    assert [s["value"] for s in ranged.json()["items"]] == [5]
    daily = _send(dev, "GET", f"{M}/conversion/daily").json()
    assert [(d["day"], d["value"], d["samples"]) for d in daily["days"]] == [
        ("2026-03-02", 5.0, 2),
        ("2026-03-03", 5.0, 1),
    ]


@pytest.mark.parametrize(
    ("samples", "fields"),
    [
        ([{"at": "2026-03-02T09:00:00Z", "value": "many"}], ["samples[0].value"]),
        ([{"at": "2026-03-02T09:00:00", "value": 1}], ["samples[0].at"]),
        (
            [
                {"at": "2026-03-02T09:00:00Z", "value": 1},
                {"at": "2026-03-02T10:00:00+01:00", "value": 2},
            ],
            ["samples[1].at"],
        ),
        ([{"at": "2026-03-02T09:00:00Z", "value": None}], ["samples[0].value"]),
        ([{"at": "2026-03-02T09:00:00Z"}], ["samples[0].value"]),
        ([{"at": "2026-03-02T09:00:00Z", "value": 1, "note": "x"}], ["samples[0].note"]),
        ([], ["samples"]),
    ],
)
def test_bad_samples_are_refused_by_row(
    dev: Client, metric: Metric, samples: list[Any], fields: list[str]
) -> None:
    response = _send(dev, "POST", f"{M}/conversion/samples", {"samples": samples})
    assert response.status_code == 422
    assert _fields(response) == fields
    assert MetricSample.objects.count() == 0


def test_nan_and_infinity_are_refused(dev: Client, metric: Metric) -> None:
    # JSON has no NaN, but Python's parser takes the literals: they must not get through.
    body = (
        '{"samples": [{"at": "2026-03-02T09:00:00Z", "value": NaN}, '
        '{"at": "2026-03-02T10:00:00Z", "value": Infinity}]}'
    )
    response = dev.post(f"{M}/conversion/samples", body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == ["samples[0].value", "samples[1].value"]
    assert MetricSample.objects.count() == 0


def test_a_duplicate_of_a_stored_time_replaces_it(dev: Client, metric: Metric) -> None:
    one = {"samples": [{"at": "2026-03-02T09:00:00Z", "value": 1}]}
    _send(dev, "POST", f"{M}/conversion/samples", one)
    two = {"samples": [{"at": "2026-03-02T10:00:00+01:00", "value": 2}]}
    assert _send(dev, "POST", f"{M}/conversion/samples", two).json()["replaced"] == 1
    assert list(MetricSample.objects.values_list("value", flat=True)) == [2.0]


def test_a_batch_over_the_limit(dev: Client, metric: Metric) -> None:
    rows = [{"at": "2026-01-01T00:00:00Z", "value": 1}] * (MAX_BATCH + 1)
    response = _send(dev, "POST", f"{M}/conversion/samples", {"samples": rows})
    assert response.status_code == 422
    assert response.json()["code"] == "samples_too_many"
    assert _fields(response) == ["samples"]


def test_csv_import_names_lines(dev: Client, metric: Metric) -> None:
    bad = "at,value\n2026-03-02T09:00:00Z,1\n2026-03-02T10:00:00Z,nan\n"
    response = dev.post(f"{M}/conversion/samples/import", bad, content_type="text/csv")
    assert response.status_code == 422
    assert _fields(response) == ["line 3.value"]
    assert MetricSample.objects.count() == 0
    good = "at,value\n2026-03-02T09:00:00Z,1\n"
    response = dev.post(f"{M}/conversion/samples/import", good, content_type="text/csv")
    assert response.json()["created"] == 1


def test_another_workspaces_metric_is_not_found(
    api_client: Clients, outsider: Persona, metric: Metric
) -> None:
    response = api_client(outsider).get(f"{M}/conversion")
    assert response.status_code == 404


def test_list_query_budget(dev: Client, metric: Metric, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        assert _send(dev, "GET", M).status_code == 200


def test_bad_ranges_name_the_parameter(dev: Client, metric: Metric) -> None:
    naive = _send(dev, "GET", f"{M}/conversion/samples?since=2026-03-02T09:00:00")
    assert naive.status_code == 422
    assert _fields(naive) == ["since"]
    backwards = _send(dev, "GET", f"{M}/conversion/daily?since=2026-03-02&until=2026-03-01")
    assert backwards.status_code == 422
    assert _fields(backwards) == ["since"]
    too_long = _send(dev, "GET", f"{M}/conversion/daily?since=2000-01-01&until=2026-03-01")
    assert _fields(too_long) == ["since"]
    not_a_row = _send(dev, "POST", f"{M}/conversion/samples", {"samples": [3]})
    assert not_a_row.status_code == 422
    assert _fields(not_a_row) == ["samples.0"]


def test_a_file_name_of_the_zone_database_is_no_time_zone(dev: Client, metric: Metric) -> None:
    response = _send(dev, "PATCH", f"{M}/conversion", {"time_zone": "posixrules"})
    assert response.status_code == 422
    assert _fields(response) == ["time_zone"]


def test_times_at_the_ends_of_the_calendar(dev: Client, metric: Metric) -> None:
    far = {"samples": [{"at": "9999-12-31T23:00:00-05:00", "value": 1}]}
    response = _send(dev, "POST", f"{M}/conversion/samples", far)
    assert response.status_code == 422
    assert _fields(response) == ["samples[0].at"]
    early = {"samples": [{"at": "0001-01-01T00:00:00+01:00", "value": 1}]}
    assert _fields(_send(dev, "POST", f"{M}/conversion/samples", early)) == ["samples[0].at"]
    ranged = _send(dev, "GET", f"{M}/conversion/samples?since=9999-12-31T23:00:00-05:00")
    assert ranged.status_code == 422
    assert _fields(ranged) == ["since"]
    assert not MetricSample.objects.exists()
