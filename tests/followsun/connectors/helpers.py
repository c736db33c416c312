"""Test helpers: read the stored tickets in a stable order."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from followsun.store import session_scope, tickets_frame


def stored(engine: Engine) -> pd.DataFrame:
    """Every stored ticket, ordered by source and ticket id."""
    with session_scope(engine) as session:
        return tickets_frame(session).sort_values(["source", "ticket_id"]).reset_index(drop=True)
