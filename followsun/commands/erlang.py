"""`followsun erlang`: Erlang C / Erlang A figures for N agents, or the agents required.

    followsun erlang --volume 360 --aht 240 --interval-minutes 30 --agents 55 --target-seconds 15
    followsun erlang --volume 360 --aht 240 --interval-minutes 30 --sl 0.8 --target-seconds 20 --json

With `--patience-seconds` the model is Erlang A (abandonment). Exit 1 when the target
cannot be met (e.g. 100% within any time): the figures at the cap are still printed.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from forecasting.errors import InputError
from planner.staffing import realtime
from planner.staffing.status import Binding, Status


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


def _number(value: float) -> float | None:
    """JSON has no infinity: an unstable queue's ASA is written as null."""
    return float(value) if math.isfinite(value) else None


def _check(args: argparse.Namespace) -> None:
    problems = []
    if not (math.isfinite(args.volume) and args.volume >= 0):
        problems.append(f"--volume {args.volume}: expected a number of contacts >= 0")
    if not (math.isfinite(args.aht) and args.aht > 0):
        problems.append(f"--aht {args.aht}: expected handle seconds > 0")
    if not (math.isfinite(args.interval_minutes) and args.interval_minutes > 0):
        problems.append(f"--interval-minutes {args.interval_minutes}: expected minutes > 0")
    if not (math.isfinite(args.target_seconds) and args.target_seconds >= 0):
        problems.append(f"--target-seconds {args.target_seconds}: expected seconds >= 0")
    if args.agents is not None and args.agents < 0:
        problems.append(f"--agents {args.agents}: expected a count >= 0")
    if args.sl is not None and not 0 <= args.sl <= 1:
        problems.append(f"--sl {args.sl}: expected a share in [0, 1] such as 0.8")
    if args.patience_seconds is not None and not (
        math.isfinite(args.patience_seconds) and args.patience_seconds > 0
    ):
        problems.append(f"--patience-seconds {args.patience_seconds}: expected seconds > 0")
    if not 0 < args.max_occupancy <= 1:
        problems.append(f"--max-occupancy {args.max_occupancy}: expected a share in (0, 1]")
    if problems:
        raise InputError("bad arguments", problems)


def run(args: argparse.Namespace) -> int:
    """Print the figures (and the agents required in --sl mode)."""
    _check(args)
    interval_s = args.interval_minutes * 60.0
    status = Status.OK
    binding: Binding | None = None
    agents = args.agents
    if agents is None:
        need = realtime.required_agents(
            args.volume,
            args.aht,
            interval_s,
            args.patience_seconds,
            sl_target=args.sl,
            target_s=args.target_seconds,
            max_occupancy=args.max_occupancy,
        )
        agents = int(need.agents)
        status = Status(int(need.status))
        binding = Binding(int(need.binding))
    out: dict[str, Any] = {"agents": agents}
    fig = realtime.figures(
        agents, args.volume, args.aht, interval_s, args.target_seconds, args.patience_seconds
    )
    out |= {
        "service_level": float(fig.service_level),
        "p_wait": float(fig.p_wait),
        "asa_seconds": _number(float(fig.asa_seconds)),
        "occupancy": float(fig.occupancy),
    }
    if fig.abandon_rate is not None:
        out["abandon_rate"] = float(fig.abandon_rate)
    model = fig.model
    out |= {
        "traffic_erlangs": args.volume * args.aht / interval_s,
        "model": model,
        "status": status.label,
    }
    if binding is not None:
        out["binding"] = binding.label
    if args.json:
        print(json.dumps(out))
    else:
        _print_text(out, args)
    return 0 if status == Status.OK else 1


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
