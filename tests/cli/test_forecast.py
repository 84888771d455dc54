"""``lodestar forecast when|how-many|odds``: a table with dates and the calibration's record,
JSON in the API's shape, and one line naming the option for bad input."""

from __future__ import annotations

import datetime as dt
import json

from tests.cli.support import error_line, run

HISTORY = "3,5,2,4,6,1,3,4,5,2,3,4"
LONG = ",".join(["3,5,2,4,6,1,3,4,5,2"] * 20)


def test_when_prints_percentiles_dates_and_the_record() -> None:
    result = run(
        "forecast", "when", "--throughput", LONG, "--items", "40", "--seed", "3",
        "--calibrate", "--window", "26", "--start", "2030-01-07",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    for percentile in ("50%", "70%", "85%", "95%"):
        assert percentile in out
    assert "weeks" in out
    assert "2030-" in out
    assert "Plain" in out  # the uncalibrated answer beside the calibrated one
    assert "Plain 85% forecasts came true" in out
    assert "over 156 backtests; this one is adjusted." in " ".join(out.split())
    assert "Plain forecasts in the backtests: 50% came true" in out
    assert "Seed 3" in out


def test_json_is_the_api_shape_and_repeats_with_a_seed() -> None:
    args = ("forecast", "how-many", "--throughput", HISTORY, "--periods", "6", "--seed", "9")
    first = run(*args, "--json")
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert body["unit"] == "items"
    assert [p["percentile"] for p in body["percentiles"]] == [50, 70, 85, 95]
    assert body["inputs"]["seed"] == 9
    assert body["calibration"]["calibrated"] is False
    assert json.loads(run(*args, "--json").stdout) == body


def test_odds_by_a_date_in_days() -> None:
    date = (dt.date.today() + dt.timedelta(days=30)).isoformat()  # noqa: DTZ011 - the CLI's own clock
    result = run(
        "forecast", "odds", "--throughput", HISTORY, "--items", "20", "--date", date,
        "--period", "day", "--working-days", "--holiday", date, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert 0 <= body["probability"] <= 1
    assert body["inputs"]["working_days"] is True
    assert body["inputs"]["holidays"] == [date]
    table = run("forecast", "odds", "--throughput", HISTORY, "--items", "20", "--periods", "3")
    assert "Chance of 20 items done by 3 weeks:" in table.stdout


def test_bad_input_is_one_line_naming_the_option() -> None:
    when = ("forecast", "when", "--items", "5")
    assert "--throughput" in error_line(run(*when, "--throughput", "3,x"))
    assert "Throughput: period 2 is -5" in error_line(run(*when, "--throughput=3,-5"))
    assert "nothing" in error_line(run(*when, "--throughput", "0,0,0"))
    assert "Throughput: is empty" in error_line(run(*when, "--throughput", ","))
    assert "Items: must be 1" in error_line(
        run("forecast", "when", "--throughput", HISTORY, "--items", "0")
    )
    assert "Trials: must be" in error_line(
        run(*when, "--throughput", HISTORY, "--trials", "10000000")
    )
    assert "--period: must be week or day" in error_line(
        run(*when, "--throughput", HISTORY, "--period", "month")
    )
    assert "--date: 'soon' is not a date" in error_line(
        run("forecast", "odds", "--throughput", HISTORY, "--items", "3", "--date", "soon")
    )
    assert "Date: 2020-01-01 is in the past" in error_line(
        run("forecast", "odds", "--throughput", HISTORY, "--items", "3", "--date", "2020-01-01")
    )
    assert "--scope: give two numbers" in error_line(
        run("forecast", "when", "--throughput", HISTORY, "--scope", "4")
    )
    assert "Periods: is required" in error_line(
        run("forecast", "how-many", "--throughput", HISTORY)
    )
