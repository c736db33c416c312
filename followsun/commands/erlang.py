"""`followsun erlang`: Erlang C / Erlang A figures for N agents, or the agents required.

    followsun erlang --volume 360 --aht 240 --interval-minutes 30 --agents 55 --target-seconds 15
    followsun erlang --volume 360 --aht 240 --interval-minutes 30 --sl 0.8 --target-seconds 20 --json

With `--patience-seconds` the model is Erlang A (abandonment). Exit 1 when the target
cannot be met (e.g. 100% within any time): the figures at the cap are still printed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `erlang` command."""
    parser = subparsers.add_parser(
        "erlang",
        help="queueing figures for N agents, or the agents a service level needs",
        description="Erlang C (or Erlang A with --patience-seconds) for one interval: "
        "the figures for --agents N, or the fewest agents meeting --sl within "
        "--target-seconds. Exit 1 when the target is unreachable, 2 on bad input.",
    )
    parser.add_argument("--volume", type=float, required=True, help="contacts in the interval")
    parser.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    parser.add_argument(
        "--interval-minutes", type=float, required=True, help="interval length, minutes"
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--agents", type=int, help="agents handling contacts")
    mode.add_argument("--sl", type=float, help="service-level target, a share such as 0.8")
    parser.add_argument(
        "--target-seconds", type=float, default=20.0, help="answer-time threshold (default 20)"
    )
    parser.add_argument(
        "--patience-seconds", type=float, help="mean patience: use Erlang A (abandonment)"
    )
    parser.add_argument(
        "--max-occupancy", type=float, default=1.0, help="occupancy cap in (0, 1] (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the figures (and the agents required in --sl mode)."""
    from followsun.services.erlang import ErlangQuestion, erlang_figures

    out = erlang_figures(
        ErlangQuestion(
            volume=args.volume,
            aht_s=args.aht,
            interval_min=args.interval_minutes,
            agents=args.agents,
            sl=args.sl,
            target_s=args.target_seconds,
            patience_s=args.patience_seconds,
            max_occupancy=args.max_occupancy,
        )
    )
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(out, args)
    return 0 if out["status"] == "ok" else 1


def _print_text(out: dict[str, Any], args: argparse.Namespace) -> None:
    asa = out["asa_seconds"]
    lines = [
        f"model            {out['model']}",
        f"traffic          {out['traffic_erlangs']:.3f} Erlangs",
        f"agents           {out['agents']}",
        f"service level    {out['service_level']:.2%} within {args.target_seconds:g} s",
        f"p(wait)          {out['p_wait']:.4f}",
        f"ASA              {'unbounded (agents <= traffic)' if asa is None else f'{asa:.1f} s'}",
        f"occupancy        {out['occupancy']:.2%}",
    ]
    if "abandon_rate" in out:
        lines.append(f"abandonment      {out['abandon_rate']:.2%}")
    if out["status"] != "ok":
        lines.append(
            f"status           {out['status']}: the target cannot be met; figures at the cap"
        )
    print("\n".join(lines))
