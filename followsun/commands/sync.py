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

from followsun.commands.display import ProgressLine
from followsun.commands.tickets_import import report


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
    from followsun.services.imports import sync_sources

    progress = ProgressLine(args.quiet)
    try:
        synced = sync_sources(args.source, progress=progress)
    finally:
        progress.close()
    worst = 0
    for source in synced:
        if source.run is None:  # this source's settings or credentials were refused
            print(f"followsun sync: {source.refused}", file=sys.stderr)
            code = 2
        else:
            code = report(source.run)
        worst = max(worst, code)
    return worst
