"""`followsun sync`: continue every configured API source from its stored cursor.

The sources are the ones `followsun import zendesk|freshdesk` remembered (see
followsun.connectors.sources). Each source runs in turn; one failing does not stop the
others. Exit 0 when all finished, 1 when any stopped part-way, 2 without any source
or when a source's settings or credentials were refused.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from followsun.commands.tickets_import import run_source
from followsun.connectors import load_sources, sources_path
from followsun.errors import InputError


def register(subparsers: Any) -> None:
    """Add the `sync` command."""
    parser = subparsers.add_parser(
        "sync",
        help="continue every configured helpdesk source from its cursor",
        description="Import what changed since the last run, for every source configured by "
        "`followsun import zendesk|freshdesk`. Exit 1 when a source stopped part-way.",
    )
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Sync each configured source; the worst exit code wins."""
    sources = load_sources()
    if args.source:
        unknown = sorted(set(args.source) - {s.name for s in sources})
        if unknown:
            raise InputError(f"unknown source(s) {', '.join(unknown)}")
        sources = [s for s in sources if s.name in args.source]
    if not sources:
        raise InputError(
            f"no sources configured in {sources_path()}",
            ["run `followsun import zendesk ...` or `followsun import freshdesk ...` first"],
        )
    worst = 0
    for config in sources:
        try:
            code = run_source(config, None, args.quiet)
        except InputError as exc:  # this source's settings or credentials; go on with the rest
            print(f"followsun sync: {exc}", file=sys.stderr)
            code = 2
        worst = max(worst, code)
    return worst
