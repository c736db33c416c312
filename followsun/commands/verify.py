"""`followsun verify`: check the simulation engine against independent results.

    followsun verify
    followsun verify --json

Runs M/M/n against Erlang C, M/M/n+M against Erlang A, chat slots against the
concurrency model, a pooled two-queue system against its exact Markov chain, Little's
law and conservation (see `evaluation.verify`). Exit 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `verify` command."""
    parser = subparsers.add_parser(
        "verify",
        help="check the simulation engine against queueing theory",
        description="Run the simulation engine on systems with known answers (Erlang C, "
        "Erlang A, chat slots, an exact two-queue Markov chain, Little's law, "
        "conservation) and compare. Exit 1 if a check fails.",
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=1_000_000,
        help="contacts per run (default 1,000,000; fewer is faster and looser)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (default: a fixed one)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of checks")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print them, return 1 if one failed."""
    from dataclasses import asdict

    from evaluation import verify
    from forecasting.errors import InputError

    if args.contacts < 10_000:
        raise InputError(f"--contacts {args.contacts}: expected at least 10000")
    seed = verify.SEED if args.seed is None else args.seed
    checks = verify.run_checks(args.contacts, seed)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        width = max(len(c.name) for c in checks)
        print(f"{'check':<{width}}  {'expected':>12}  {'observed':>12}  {'tolerance':>10}  result")
        for c in checks:
            verdict = "ok" if c.passed else "FAIL"
            print(
                f"{c.name:<{width}}  {c.expected:>12.6g}  {c.observed:>12.6g}  "
                f"{c.tolerance:>10.3g}  {verdict}"
            )
    return 0 if all(c.passed for c in checks) else 1
