"""`followsun backtest`: rolling-origin MASE and WAPE of every model on a history CSV."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from forecasting.aliases import AUTO, MODEL_ALIASES

STATISTICAL_PREFIX = "statsforecast_"


def register(subparsers: Any) -> None:
    """Add the `backtest` command."""
    parser = subparsers.add_parser(
        "backtest",
        help="score the forecasting models by rolling-origin backtest",
        description="For K origins, each N days apart and the last one N days before the end of "
        "the history, fit every model on the data before the origin and score the next N days: "
        "MASE (scaled by the weekly seasonal naive's in-sample error) and WAPE.",
    )
    parser.add_argument("--history", required=True, metavar="H.csv", help="interval history CSV")
    parser.add_argument(
        "--horizon-days", required=True, type=int, metavar="N", help="days per fold"
    )
    parser.add_argument("--folds", required=True, type=int, metavar="K", help="number of origins")
    parser.add_argument(
        "--model",
        action="append",
        choices=MODEL_ALIASES,
        help="model to score (repeatable; default: every model but auto and the statsforecast "
        "ones)",
    )
    parser.add_argument(
        "--scenario", metavar="S.yaml", help="scenario giving region zones, events, deflection"
    )
    parser.add_argument("--json", action="store_true", help="print {model: {mase, wape}} as JSON")
    parser.set_defaults(func=run)


def _number(value: float) -> float | None:
    """JSON has no NaN: an undefined score (no actual volume) is null."""
    return None if math.isnan(value) else round(value, 6)


def run(args: argparse.Namespace) -> int:
    """Backtest and print the table (or JSON)."""
    from followsun.services.forecast import backtest_history

    aliases = args.model or [
        a for a in MODEL_ALIASES if a != AUTO and not a.startswith(STATISTICAL_PREFIX)
    ]
    result = backtest_history(
        args.history,
        aliases,
        horizon_days=args.horizon_days,
        folds=args.folds,
        scenario_path=args.scenario,
    )
    if args.json:
        scores = {
            s.alias: {"mase": _number(s.mase), "wape": _number(s.wape)} for s in result.scores
        }
        print(json.dumps(scores, indent=2))
        return 0
    print(f"{'model':<16} {'MASE':>7} {'WAPE':>7}  ({args.folds} folds x {args.horizon_days} days)")
    for s in result.scores:
        print(f"{s.alias:<16} {s.mase:>7.3f} {s.wape:>7.3f}")
    return 0
