"""`followsun forecast`: fit a model on an interval history and write the forecast CSV."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from forecasting.errors import InputError
from forecasting.models import MODEL_ALIASES, ContactCentre, ForecastModel, model_named
from forecasting.panel import infer_interval_min
from forecasting.schema import FORECAST, HISTORY, to_csv_frame, validate_frame

DEFAULT_MODEL = ContactCentre.alias


def read_history(path: str) -> pd.DataFrame:
    """Read and validate an interval history CSV (CONTRACTS.md 'history')."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    return validate_frame(raw, HISTORY, source=path)


def horizon_grid(history: pd.DataFrame, horizon_days: int) -> pd.DatetimeIndex:
    """The UTC intervals of the `horizon_days` days following the history's last interval."""
    if horizon_days < 1:
        raise InputError(f"--horizon-days must be at least 1, got {horizon_days}")
    starts = pd.DatetimeIndex(history["interval_start"])
    step = pd.Timedelta(minutes=infer_interval_min(starts))
    first = starts.max() + step
    return pd.date_range(
        first,
        first + pd.Timedelta(days=horizon_days),
        freq=step,
        inclusive="left",
        name="interval_start",
    )


def build_model(alias: str, scenario_path: str | None) -> ForecastModel:
    """The model by alias; with a scenario, the contact-centre model gets its regions and levers."""
    if scenario_path is None:
        return model_named(alias)
    from scenarios.demand import forecast_model
    from scenarios.loader import load_scenario

    return forecast_model(load_scenario(scenario_path), alias)


def register(subparsers: Any) -> None:
    """Add the `forecast` command."""
    parser = subparsers.add_parser(
        "forecast",
        help="forecast volume and AHT per queue and interval",
        description="Fit a model on an interval history CSV (interval_start, channel, language, "
        "tier, volume, optional aht_seconds and region) and forecast the following days. "
        "Writes interval_start, channel, language, tier, volume, volume_p10, volume_p90, "
        "aht_seconds. A history with a region column is forecast per region in its local time: "
        "region values are IANA zones, or region ids of --scenario.",
    )
    parser.add_argument("--history", required=True, metavar="H.csv", help="interval history CSV")
    parser.add_argument(
        "--horizon-days", required=True, type=int, metavar="N", help="days to forecast"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        choices=MODEL_ALIASES,
        help=f"model alias (default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--scenario", metavar="S.yaml", help="scenario giving region zones, events, deflection"
    )
    parser.add_argument("--out", required=True, metavar="F.csv", help="forecast CSV to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, fit, predict, write."""
    history = read_history(args.history)
    grid = horizon_grid(history, args.horizon_days)
    model = build_model(args.model, args.scenario)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast = model.fit(history).predict(grid)
    for warning in caught:
        print(f"followsun forecast: warning: {warning.message}", file=sys.stderr)
    for note in getattr(model, "notes_", []):
        print(f"followsun forecast: note: {note}", file=sys.stderr)
    validate_frame(forecast, FORECAST, source="forecast")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    to_csv_frame(forecast).to_csv(out, index=False, float_format="%.4f")
    print(
        f"{out}: {len(forecast)} rows, {forecast[['channel', 'language', 'tier']].drop_duplicates().shape[0]} "
        f"queues, {args.horizon_days} days from {grid[0].isoformat()} ({model.alias})"
    )
    return 0
