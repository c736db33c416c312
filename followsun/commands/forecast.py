"""`followsun forecast`: fit a model on an interval history and write the forecast CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_force
from forecasting.aliases import DEFAULT_MODEL, MODEL_ALIASES, SCENARIO_DEFAULT_MODEL

MODEL_HELP = (
    f"model alias (default {DEFAULT_MODEL}, with --scenario {SCENARIO_DEFAULT_MODEL}): "
    "seasonal_naive (same interval last week, the baseline), "
    "mean_4_weeks, median_8_weeks (that interval over the last 4 / 8 weeks), robust_profile "
    "(recent daily level per weekday x trimmed-mean intraday shape, sparse queues pooled with their "
    "channel and language), contact_centre (daily Poisson fit with trend, weekday and holidays x pooled "
    "intraday profiles, per customer region), daily_level (daily totals smoothed after a "
    "weekday effect chosen per queue on its own folds x trimmed-mean intraday shape), combination "
    "(per queue, the mean of those of robust_profile, median_8_weeks, contact_centre and "
    "daily_level within 10%% of the best on eight weekly folds, hedged against a dropped day "
    "shifting the weekday labels when the history shows such drops), "
    "statsforecast_mstl, statsforecast_autoets (need "
    "'followsun[stats]'), auto (per queue, the model with the lowest error over eight "
    "rolling 7-day folds, or the mean of the best two when that does better; never worse "
    "than seasonal_naive on them)"
)


def register(subparsers: Any) -> None:
    """Add the `forecast` command."""
    parser = subparsers.add_parser(
        "forecast",
        help="forecast volume and AHT per queue and interval",
        description="Fit a model on an interval history CSV (interval_start, channel, language, "
        "tier, volume, optional aht_seconds and region) and forecast the following days. "
        "Writes interval_start, channel, language, tier, volume, volume_p10, volume_p90, "
        "aht_seconds. A history with a region column is forecast per region in its local time: "
        "region values are IANA zones, or region ids of --scenario. Handle time: a queue's "
        "aht_seconds is the volume-weighted mean of its last 4 weeks of history; for a queue "
        "whose history has none (a volume-only export) it is --aht-seconds, else the "
        "--scenario queue's aht_seconds, else left empty with a warning (followsun staff then "
        "takes the scenario queue's aht_seconds).",
    )
    parser.add_argument("--history", required=True, metavar="H.csv", help="interval history CSV")
    parser.add_argument(
        "--horizon-days", required=True, type=int, metavar="N", help="days to forecast"
    )
    parser.add_argument("--model", choices=MODEL_ALIASES, help=MODEL_HELP)
    parser.add_argument(
        "--scenario",
        metavar="S.yaml",
        help="scenario giving region zones, events, deflection and each queue's aht_seconds",
    )
    parser.add_argument(
        "--aht-seconds",
        type=float,
        metavar="S",
        help="handle time for queues whose history has no aht_seconds (before the scenario's)",
    )
    parser.add_argument("--out", required=True, metavar="F.csv", help="forecast CSV to write")
    add_force(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Forecast through the service, print its messages, write the CSV."""
    from followsun.atomic import check_output_file
    from followsun.files import write_forecast
    from followsun.services.forecast import forecast_history

    out = Path(args.out)
    inputs = [Path(args.history), None if args.scenario is None else Path(args.scenario)]
    check_output_file(out, force=args.force, inputs=inputs)
    result = forecast_history(
        args.history,
        args.horizon_days,
        model=args.model,
        scenario_path=args.scenario,
        aht_s=args.aht_seconds,
    )
    for message in result.messages:
        print(f"followsun forecast: {message}", file=sys.stderr)
    forecast = result.forecast
    write_forecast(forecast, out)
    queues = forecast[["channel", "language", "tier"]].drop_duplicates().shape[0]
    print(
        f"{out}: {len(forecast)} rows, {queues} queues, {args.horizon_days} days from "
        f"{result.start.isoformat()} ({result.model}, fitted in {result.fit_seconds:.2f} s)"
    )
    return 0
