"""Monte Carlo forecasts from throughput history, with backtests and calibration.

Plain Python and NumPy, no Django: ``engine.forecast(engine.ForecastInput(...))`` is the whole
interface; the HTTP API, the CLI and (later) the team pages all call it. docs/FORECASTING.md
defines every answer.
"""
