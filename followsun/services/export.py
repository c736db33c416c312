"""Export stored data as the CLI's CSV files: the canonical tickets table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from followsun.atomic import check_output_file
from followsun.files import write_tickets
from followsun.store import init_db, session_scope, tickets_frame


def export_tickets(
    out: Path,
    start: datetime | None = None,
    end: datetime | None = None,
    source: str | None = None,
    *,
    force: bool = False,
    database_url: str | None = None,
) -> int:
    """Write the tickets created in [start, end) (of `source`, if given) to `out`; return how many.

    Raises:
        InputError: `out` exists and `force` is not set, or is a folder.
    """
    check_output_file(out, force=force)
    engine = init_db(database_url)
    try:
        with session_scope(engine) as session:
            frame = tickets_frame(session, start, end, source)
    finally:
        engine.dispose()
    write_tickets(frame, out)
    return len(frame)
