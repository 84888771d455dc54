"""POST /api/v1/workspaces/{slug}/forecasts: the answer's shape, and every bad input a 422
problem naming its field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lodestar.forecasting import engine
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

URL = "/api/v1/workspaces/acme/forecasts"
HISTORY = [3, 5, 2, 4, 6, 1, 3, 4, 5, 2, 3, 4]


@pytest.fixture
def client(viewer: Persona, api_client: Callable[[Persona], Client]) -> Client:
    # A viewer may ask: a forecast from a given history reads nothing of the workspace.
    return api_client(viewer)


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_when_answers_percentiles_with_dates_histogram_and_inputs(client: Client) -> None:
    start = _today() + dt.timedelta(days=3)
    response = _post(
        client,
        {
            "question": "when",
            "items": 30,
            "throughput": HISTORY,
            "seed": 7,
            "start": start.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == "periods"
    assert [p["percentile"] for p in body["percentiles"]] == [50, 70, 85, 95]
    first = body["percentiles"][0]
    assert first["date"] == (start + dt.timedelta(days=7 * first["value"] - 1)).isoformat()
    assert first["beyond"] is False
    assert sum(b["trials"] for b in body["histogram"]) == engine.DEFAULT_TRIALS
    assert body["probability"] is None
    inputs = body["inputs"]
    assert inputs["throughput"] == HISTORY
    assert (inputs["seed"], inputs["trials"], inputs["period"]) == (7, 10_000, "week")
    assert inputs["start"] == start.isoformat()
    calibration = body["calibration"]
    assert calibration["calibrated"] is False
    assert calibration["sentence"].startswith("Not calibrated")
    # The same seed, the same answer.
    again = _post(
        client,
        {"question": "when", "items": 30, "throughput": HISTORY, "seed": 7, "start": str(start)},
    )
    assert again.json()["percentiles"] == body["percentiles"]


def test_how_many_by_a_date_and_odds_with_calibration(client: Client) -> None:
    date = _today() + dt.timedelta(days=60)
    how_many = _post(
        client, {"question": "how_many", "date": date.isoformat(), "throughput": HISTORY}
    ).json()
    assert how_many["unit"] == "items"
    values = [p["value"] for p in how_many["percentiles"]]
    assert values == sorted(values, reverse=True)
    weekly = [3, 5, 2, 4, 6, 1, 3, 4, 5, 2] * 20
    odds = _post(
        client,
        {
            "question": "odds",
            "items": 40,
            "periods": 10,
            "throughput": weekly,
            "calibrate": True,
            "window": 26,
            "seed": 1,
        },
    ).json()
    assert 0 <= odds["probability"] <= 1
    calibration = odds["calibration"]
    assert calibration["calibrated"] is True
    assert calibration["backtests"] == 156
    assert [h["percentile"] for h in calibration["hit_rates"]] == [50, 85, 95]
    assert "this one is adjusted" in calibration["sentence"]


def test_warnings_are_given_with_their_code(client: Client) -> None:
    body = _post(client, {"question": "how_many", "periods": 2, "throughput": [3, 4]}).json()
    (warning,) = body["calibration"]["warnings"]
    assert warning["code"] == "history_short"


BAD = [
    ({"throughput": []}, "throughput"),
    ({"throughput": [0, 0, 0]}, "throughput"),
    ({"throughput": [3, -1]}, "throughput.1"),
    ({"items": 0}, "items"),
    ({"items": -4}, "items"),
    ({"trials": 1_000_000_000}, "trials"),
    ({"trials": 10**30}, "trials"),
    ({"seed": -1}, "seed"),
    ({"window": 0}, "window"),
    ({"period": "month"}, "period"),
    ({"question": "why"}, "question"),
    ({"periods": 3}, "periods"),
    ({"split_rate": [3, 1]}, "split_rate"),
    ({"split_rate": [1, 2, 3]}, "split_rate"),
    ({"scope": [5, 9]}, "scope"),
    ({"team": "core"}, "team"),
    ({"items": 10**6, "throughput": [1]}, "items"),
    ({"question": "odds", "date": "2020-01-01"}, "date"),
    ({"question": "odds", "date": "not a date"}, "date"),
    ({"start": "2020-01-01"}, "start"),
    ({"question": "how_many", "items": None}, "periods"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_is_a_422_naming_the_field(
    client: Client, change: dict[str, Any], field: str
) -> None:
    body = {"question": "when", "items": 20, "throughput": HISTORY, **change}
    response = _post(client, body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field], problem


def test_domain_refusals_keep_their_code(client: Client) -> None:
    problem = _post(client, {"question": "when", "items": 5, "throughput": [0, 0]}).json()
    assert problem["code"] == "forecast_history_all_zero"
    assert "nothing" in problem["detail"]


def test_outsiders_get_nothing(outsider: Persona, api_client: Callable[[Persona], Client]) -> None:
    response = _post(api_client(outsider), {"question": "when", "items": 5, "throughput": [2]})
    assert response.status_code == 404
