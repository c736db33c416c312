"""Persistence shared by the CLI and the web app (SQLAlchemy 2.0, Alembic migrations).

Open the store with `init_db()` (migrates to the newest schema), wrap each unit of work
in `session_scope(engine)`, and call the repository functions with that session: they
return frozen dataclasses or DataFrames, never ORM objects.
"""

from followsun.store.engine import (
    DATABASE_URL_ENV,
    create_store_engine,
    database_url,
    downgrade,
    init_db,
    session_scope,
    upgrade,
)
from followsun.store.frames import ROSTER_COLUMNS, TICKET_COLUMNS
from followsun.store.imports import (
    ImportCursor,
    QuarantinedRecord,
    get_cursor,
    quarantine,
    quarantine_count,
    quarantine_frame,
    quarantined,
    set_cursor,
)
from followsun.store.rosters import (
    RosterVersion,
    latest_roster,
    publish_roster,
    roster_frame,
    roster_versions,
    save_roster,
)
from followsun.store.runs import (
    RunRecord,
    RunStatus,
    ScenarioRecord,
    content_hash,
    find_run,
    finish_run,
    forecast_frame,
    get_run,
    get_scenario,
    latest_forecast_run,
    latest_scenario,
    record_run,
    requirements_frame,
    save_forecast,
    save_requirements,
    save_scenario,
)
from followsun.store.tickets import UpsertCounts, ticket_count, tickets_frame, upsert_tickets

__all__ = [
    "DATABASE_URL_ENV",
    "ROSTER_COLUMNS",
    "TICKET_COLUMNS",
    "ImportCursor",
    "QuarantinedRecord",
    "RosterVersion",
    "RunRecord",
    "RunStatus",
    "ScenarioRecord",
    "UpsertCounts",
    "content_hash",
    "create_store_engine",
    "database_url",
    "downgrade",
    "find_run",
    "finish_run",
    "forecast_frame",
    "latest_forecast_run",
    "get_cursor",
    "get_run",
    "get_scenario",
    "init_db",
    "latest_roster",
    "latest_scenario",
    "publish_roster",
    "quarantine",
    "quarantine_count",
    "quarantine_frame",
    "quarantined",
    "record_run",
    "requirements_frame",
    "roster_frame",
    "roster_versions",
    "save_forecast",
    "save_requirements",
    "save_roster",
    "save_scenario",
    "session_scope",
    "set_cursor",
    "ticket_count",
    "tickets_frame",
    "upgrade",
    "upsert_tickets",
]
