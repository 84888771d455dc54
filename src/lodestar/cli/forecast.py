"""``lodestar forecast when|how-many|odds``: a Monte Carlo forecast from a throughput history,
in the terminal. It needs no database: the history is given on the command line.

    lodestar forecast when --throughput 3,5,2,4,6,1 --items 30 [--period week] [--calibrate]
    lodestar forecast how-many --throughput 3,5,2,4,6,1 --periods 6 [--date 2027-03-01]
    lodestar forecast odds --throughput 3,5,2,4,6,1 --items 30 --date 2027-03-01 [--json]
    lodestar forecast when --team checkout -w acme --epic ACME-12   # the team's own history

Bad input ends with one line naming the option to fix (exit code 2), as every command does.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from lodestar.cli import output
from lodestar.cli.backlog import AsOption, acting
from lodestar.cli.bootstrap import setup_django
from lodestar.cli.output import CliError, JsonOption
from lodestar.forecasting import engine
from lodestar.forecasting.engine import Forecast, ForecastInput, Question

forecast_app = typer.Typer(
    help="Monte Carlo forecasts from a throughput history: when, how many, odds.",
    no_args_is_help=True,
)

ThroughputOption = Annotated[
    str | None,
    typer.Option(
        "--throughput",
        help="Items finished in each past period, oldest first, separated by commas: 3,5,2,4.",
    ),
]
TeamOption = Annotated[
    str | None,
    typer.Option(
        "--team", "-t", help="Instead of --throughput: the team (slug) whose history is read."
    ),
]
WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", "-w", help="The team's workspace (with --team).")
]
EpicOption = Annotated[
    str | None, typer.Option(help="Instead of --items: an epic's key; its open children.")
]
NoCalibrateOption = Annotated[
    bool, typer.Option("--no-calibrate", help="With --team: do not backtest (plain answer).")
]
PeriodOption = Annotated[str, typer.Option(help="What one count covers: week or day.")]
ItemsOption = Annotated[int | None, typer.Option(help="Items left to do.")]
PeriodsOption = Annotated[int | None, typer.Option(help="Periods ahead.")]
DateOption = Annotated[
    str | None, typer.Option(help="Instead of --periods: the periods ending by this day.")
]
StartOption = Annotated[
    str | None, typer.Option(help="First day of the first period, YYYY-MM-DD (default today).")
]
SeedOption = Annotated[int | None, typer.Option(help="The same seed gives the same answer.")]
TrialsOption = Annotated[int, typer.Option(help="Simulated futures (100 to 100,000).")]
WindowOption = Annotated[
    int | None, typer.Option(help="Draw from the last this many periods only.")
]
CalibrateOption = Annotated[
    bool, typer.Option("--calibrate", help="Backtest the history and adjust to its record.")
]
WorkingDaysOption = Annotated[
    bool, typer.Option("--working-days", help="Count only Monday to Friday in the dates.")
]
HolidayOption = Annotated[
    list[str] | None, typer.Option("--holiday", help="A day off, YYYY-MM-DD (repeat it).")
]
ScopeOption = Annotated[
    str | None, typer.Option(help="Instead of --items: LOW,HIGH items left to do.")
]
SplitRateOption = Annotated[
    str | None, typer.Option("--split-rate", help="LOW,HIGH: each item may split into this many.")
]


def _numbers(option: str, text: str, kind: type[int] | type[float]) -> list[Any]:
    parts = [part.strip() for part in text.split(",")]
    try:
        return [kind(part) for part in parts if part]
    except ValueError:
        what = "whole numbers" if kind is int else "numbers"
        raise CliError(f"{option}: give {what} separated by commas, such as 3,5,2") from None


def _pair(option: str, text: str | None, kind: type[int] | type[float]) -> Any:
    if text is None:
        return None
    values = _numbers(option, text, kind)
    if len(values) != 2:
        raise CliError(f"{option}: give two numbers, LOW,HIGH")
    return (values[0], values[1])


def _date(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD") from None


def _run(
    question: Question,
    *,
    throughput: str | None,
    period: str,
    team: str | None = None,
    workspace: str | None = None,
    email: str | None = None,
    epic: str | None = None,
    no_calibrate: bool = False,
    items: int | None = None,
    periods: int | None = None,
    date: str | None = None,
    start: str | None,
    seed: int | None,
    trials: int,
    window: int | None,
    calibrate: bool,
    working_days: bool,
    holidays: list[str] | None,
    scope: str | None = None,
    split_rate: str | None = None,
    as_json: bool,
) -> None:
    if period not in engine.HORIZON:
        raise CliError("--period: must be week or day")
    if (team is None) == (throughput is None):
        raise CliError("give --team (with -w) or --throughput, one of them")
    if epic is not None and (items is not None or scope is not None):
        raise CliError("--epic stands for --items: give --items, --scope or --epic, only one")
    today = dt.datetime.now(dt.UTC).astimezone().date()
    options: dict[str, Any] = {
        "question": question,
        "items": items,
        "periods": periods,
        "date": _date("--date", date),
        "period": "day" if period == "day" else "week",
        "trials": trials,
        "seed": seed,
        "window": window,
        "start": _date("--start", start) or today,
        "holidays": [day for text in holidays or [] if (day := _date("--holiday", text))],
        "scope": _pair("--scope", scope, int),
        "split_rate": _pair("--split-rate", split_rate, float),
        "today": today,
    }
    if throughput is not None:
        if epic is not None:
            raise CliError("--epic needs --team: an epic is read from a workspace")
        answer = engine.forecast(
            ForecastInput(
                throughput=_numbers("--throughput", throughput, int),
                calibrate=calibrate,
                working_days=working_days,
                **options,
            )
        )
    else:
        if workspace is None:
            raise CliError("--team needs --workspace (-w): the team's workspace")
        answer = _team_answer(team or "", workspace, email, epic, no_calibrate, options)
    if as_json:
        output.print_json(engine.as_dict(answer))
        return
    _print(answer)


def _team_answer(
    team: str,
    workspace: str,
    email: str | None,
    epic: str | None,
    no_calibrate: bool,
    options: dict[str, Any],
) -> Forecast:
    """A team's forecast: calibrated and on working days unless told otherwise."""
    setup_django()
    from lodestar.backlog.refs import item_ref
    from lodestar.core.errors import NotFound
    from lodestar.people.access import access_team
    from lodestar.sprints import forecasts

    actor = acting(workspace, email)
    try:
        found = access_team(actor, team)
    except NotFound:
        raise CliError(f"--team: no team '{team}' in workspace '{workspace}'") from None
    if epic is not None:
        options["items"] = forecasts.remaining_of(item_ref(actor, epic, field="epic"))
    return forecasts.team_forecast(found, calibrate=not no_calibrate, working_days=True, **options)


def _amount(answer: Forecast, value: int | None) -> str:
    if value is None:
        return f"beyond {answer.inputs.horizon:,} {answer.inputs.period}s"
    if answer.unit == "items":
        return f"{value:,} item{'s' if value != 1 else ''}"
    return f"{value:,} {answer.inputs.period}{'s' if value != 1 else ''}"


def _print(answer: Forecast) -> None:
    calibrated = answer.calibration.calibrated
    heading = {
        "when": "When will the items be done",
        "how_many": "How many items will be done",
        "odds": "When will the items be done",
    }[answer.question]
    columns = [("percentile", "Chance"), ("value", "Answer"), ("date", "Date")]
    if calibrated:
        columns.append(("plain", "Plain"))
    rows = [
        {
            "percentile": f"{p.percentile}%",
            "value": _amount(answer, p.value),
            "date": p.date,
            "plain": _amount(answer, p.plain_value),
        }
        for p in answer.percentiles
    ]
    output.print_table(rows, columns, title=f"{heading} ({answer.inputs.trials:,} trials)")
    if answer.probability is not None:
        by = answer.inputs.date or _amount(answer, answer.inputs.periods)
        plain = (
            f" (plain {answer.plain_probability:.0%})"
            if calibrated and answer.plain_probability is not None
            else ""
        )
        output.console.print(
            f"Chance of {answer.inputs.items or 'the'} items done by {by}: "
            f"{answer.probability:.0%}{plain}"
        )
    if answer.beyond:
        output.console.print(
            f"{answer.beyond:,} trials were not done within {answer.inputs.horizon:,} "
            f"{answer.inputs.period}s."
        )
    output.console.print(answer.calibration.sentence)
    if answer.calibration.hit_rates:
        record = ", ".join(
            f"{h.percentile}% came true {h.came_true:.0%}" for h in answer.calibration.hit_rates
        )
        output.console.print(f"Plain forecasts in the backtests: {record}.")
    for warning in answer.calibration.warnings:
        output.console.print(f"[yellow]Warning:[/yellow] {warning.message}")
    output.console.print(f"Seed {answer.inputs.seed} (give --seed to repeat this answer).")


@forecast_app.command("when")
def when(
    throughput: ThroughputOption = None,
    team: TeamOption = None,
    workspace: WorkspaceOption = None,
    email: AsOption = None,
    epic: EpicOption = None,
    no_calibrate: NoCalibrateOption = False,
    items: ItemsOption = None,
    scope: ScopeOption = None,
    split_rate: SplitRateOption = None,
    period: PeriodOption = "week",
    start: StartOption = None,
    seed: SeedOption = None,
    trials: TrialsOption = engine.DEFAULT_TRIALS,
    window: WindowOption = None,
    calibrate: CalibrateOption = False,
    working_days: WorkingDaysOption = False,
    holiday: HolidayOption = None,
    as_json: JsonOption = False,
) -> None:
    """How many periods until --items are done, at 50, 70, 85 and 95%, with dates."""
    _run(
        "when",
        throughput=throughput,
        team=team,
        workspace=workspace,
        email=email,
        epic=epic,
        no_calibrate=no_calibrate,
        items=items,
        scope=scope,
        split_rate=split_rate,
        period=period,
        start=start,
        seed=seed,
        trials=trials,
        window=window,
        calibrate=calibrate,
        working_days=working_days,
        holidays=holiday,
        as_json=as_json,
    )


@forecast_app.command("how-many")
def how_many(
    throughput: ThroughputOption = None,
    team: TeamOption = None,
    workspace: WorkspaceOption = None,
    email: AsOption = None,
    no_calibrate: NoCalibrateOption = False,
    periods: PeriodsOption = None,
    date: DateOption = None,
    period: PeriodOption = "week",
    start: StartOption = None,
    seed: SeedOption = None,
    trials: TrialsOption = engine.DEFAULT_TRIALS,
    window: WindowOption = None,
    calibrate: CalibrateOption = False,
    working_days: WorkingDaysOption = False,
    holiday: HolidayOption = None,
    as_json: JsonOption = False,
) -> None:
    """How many items --periods (or the periods until --date) finish: the count reached or
    exceeded at 50, 70, 85 and 95%."""
    _run(
        "how_many",
        throughput=throughput,
        team=team,
        workspace=workspace,
        email=email,
        no_calibrate=no_calibrate,
        periods=periods,
        date=date,
        period=period,
        start=start,
        seed=seed,
        trials=trials,
        window=window,
        calibrate=calibrate,
        working_days=working_days,
        holidays=holiday,
        as_json=as_json,
    )


@forecast_app.command("odds")
def odds(
    throughput: ThroughputOption = None,
    team: TeamOption = None,
    workspace: WorkspaceOption = None,
    email: AsOption = None,
    epic: EpicOption = None,
    no_calibrate: NoCalibrateOption = False,
    items: ItemsOption = None,
    periods: PeriodsOption = None,
    date: DateOption = None,
    scope: ScopeOption = None,
    split_rate: SplitRateOption = None,
    period: PeriodOption = "week",
    start: StartOption = None,
    seed: SeedOption = None,
    trials: TrialsOption = engine.DEFAULT_TRIALS,
    window: WindowOption = None,
    calibrate: CalibrateOption = False,
    working_days: WorkingDaysOption = False,
    holiday: HolidayOption = None,
    as_json: JsonOption = False,
) -> None:
    """The chance that --items are done within --periods or by --date."""
    _run(
        "odds",
        throughput=throughput,
        team=team,
        workspace=workspace,
        email=email,
        epic=epic,
        no_calibrate=no_calibrate,
        items=items,
        periods=periods,
        date=date,
        scope=scope,
        split_rate=split_rate,
        period=period,
        start=start,
        seed=seed,
        trials=trials,
        window=window,
        calibrate=calibrate,
        working_days=working_days,
        holidays=holiday,
        as_json=as_json,
    )


def register(app: typer.Typer) -> None:
    """Add the ``forecast`` command group to ``app``."""
    app.add_typer(forecast_app, name="forecast")
