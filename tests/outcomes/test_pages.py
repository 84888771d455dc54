"""The metric pages: the lists, defining a metric, its chart with the table of its days, the
CSV upload with each bad line shown, and viewers offered no form."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lodestar.outcomes import services
from lodestar.outcomes.models import Metric, MetricSample
from lodestar.strategy.models import Product
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

P = "/w/acme/metrics/ACME"


def _as(client: Client, persona: Persona) -> Client:
    client.force_login(persona.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def test_define_a_metric_from_the_page(
    client: Client, developer: Persona, product: Product
) -> None:
    _as(client, developer)
    assert client.get(P).status_code == 200
    response = client.post(
        P,
        {
            "key": "wau",
            "name": "Weekly active users",
            "unit": "users",
            "direction": "higher",
            "aggregation": "last",
            "time_zone": "UTC",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{P}/wau"
    assert Metric.objects.get().name == "Weekly active users"


def test_bad_definition_lands_on_the_field(
    client: Client, developer: Persona, product: Product
) -> None:
    _as(client, developer)
    response = client.post(
        P,
        {
            "key": "wau",
            "name": "W",
            "direction": "higher",
            "aggregation": "mean",
            "time_zone": "Moon/Base",
        },
    )
    assert response.status_code == 422
    assert "is not a time zone" in _text(response)
    assert not Metric.objects.exists()


def test_metric_page_draws_the_series_with_its_table(
    client: Client, viewer: Persona, owner: Persona, metric: Metric
) -> None:
    services.samples_push(
        actor=owner.actor,
        metric=metric,
        samples=[{"at": f"2026-03-0{d}T09:00:00Z", "value": d} for d in range(1, 8)],
    )
    response = _as(client, viewer).get(f"{P}/conversion")
    text = _text(response)
    assert response.status_code == 200
    assert 'data-chart="series"' in text
    assert "<svg" in text
    assert '<th scope="row">7 Mar 2026</th>' in text
    assert "Upload samples" not in text  # a viewer is offered no form
    assert "defined metric" in text
    assert client.get("/w/acme/metrics").status_code == 200


def test_upload_shows_each_bad_line_and_writes_nothing(
    client: Client, developer: Persona, metric: Metric
) -> None:
    _as(client, developer)
    bad = SimpleUploadedFile(
        "s.csv",
        b"at,value\n2026-03-02T09:00:00Z,1\n2026-03-02T10:00:00,2\n2026-03-02T11:00:00Z,x\n",
        content_type="text/csv",
    )
    response = client.post(f"{P}/conversion/upload", {"file": bad})
    text = _text(response)
    assert response.status_code == 422
    assert "Line 3, at: &#x27;2026-03-02T10:00:00&#x27; has no time zone" in text
    assert "Line 4, value: &#x27;x&#x27; is not a number" in text
    assert not MetricSample.objects.exists()
    good = SimpleUploadedFile(
        "s.csv", b"at,value\n2026-03-02T09:00:00Z,1\n", content_type="text/csv"
    )
    response = client.post(f"{P}/conversion/upload", {"file": good})
    assert response.status_code == 302
    assert MetricSample.objects.count() == 1


def test_edit_with_a_stale_version(client: Client, developer: Persona, metric: Metric) -> None:
    _as(client, developer)
    fields = {
        "name": "Conv",
        "unit": "%",
        "direction": "higher",
        "aggregation": "mean",
        "time_zone": "UTC",
        "description": "",
    }
    assert client.post(f"{P}/conversion/edit", {**fields, "version": 1}).status_code == 302
    assert client.post(f"{P}/conversion/edit", {**fields, "version": 1}).status_code == 412
    metric.refresh_from_db()
    assert (metric.name, metric.version) == ("Conv", 2)


def test_other_workspaces_and_missing_metrics_are_404(
    client: Client, outsider: Persona, developer: Persona, metric: Metric
) -> None:
    assert _as(client, developer).get(f"{P}/nope").status_code == 404
    assert _as(Client(), outsider).get(f"{P}/conversion").status_code == 404


def test_a_file_over_the_limit_is_refused_by_its_size(
    client: Client, developer: Persona, metric: Metric, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lodestar.outcomes import views

    monkeypatch.setattr(views, "MAX_FILE_BYTES", 20)
    big = SimpleUploadedFile(
        "s.csv", b"at,value\n2026-03-02T09:00:00Z,1\n", content_type="text/csv"
    )
    response = _as(client, developer).post(f"{P}/conversion/upload", {"file": big})
    assert response.status_code == 422
    assert "larger than" in _text(response)
    assert not MetricSample.objects.exists()
