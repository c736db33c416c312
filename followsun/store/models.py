"""The ORM schema: one class per table, shared by the CLI and the web app.

Only this package sees these classes; the repository functions hand callers frozen
dataclasses or DataFrames. Every timestamp is a UTC instant (`UTCDateTime`). Changing a
model means adding an Alembic revision under `migrations/versions/` (a test compares
the migrated schema with these models).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from followsun.store.types import UTCDateTime

# Named constraints, so batch migrations on SQLite can find them again by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention and the portable column types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        str: String(),
        int: Integer(),
        float: Float(),
        bool: Boolean(),
        Any: JSON(none_as_null=True),
    }


class Ticket(Base):
    """One helpdesk ticket in the canonical form of `forecasting.schema.TICKETS`, keyed by source and id."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_created_at", "created_at"),)

    source: Mapped[str] = mapped_column(primary_key=True)
    ticket_id: Mapped[str] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    status: Mapped[str]
    channel: Mapped[str]
    language: Mapped[str]
    tier: Mapped[int]
    first_reply_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    handle_seconds: Mapped[float | None]
    escalated: Mapped[bool | None]
    csat: Mapped[float | None]
    region: Mapped[str | None]
    agent_id: Mapped[str | None]
    wait_seconds: Mapped[float | None]
    abandoned: Mapped[bool | None]
    priority: Mapped[int | None]


class ImportCursor(Base):
    """Where the next import from one source resumes (vendor cursor and/or time)."""

    __tablename__ = "import_cursors"

    source: Mapped[str] = mapped_column(primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_since: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class QuarantinedRecord(Base):
    """A malformed source record kept as received, with why it was refused."""

    __tablename__ = "quarantine"

    source: Mapped[str] = mapped_column(primary_key=True)
    record_key: Mapped[str] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[Any]
    seen_at: Mapped[datetime]


class Scenario(Base):
    """One version of a named scenario file, identified by its content hash."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("name", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str]
    created_at: Mapped[datetime]


class Run(Base):
    """One execution of a pipeline stage: what went in (hash), how it ended, where it wrote."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_kind_inputs_hash", "kind", "inputs_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str]
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    inputs_hash: Mapped[str]
    status: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    summary: Mapped[Any | None]
    outputs_location: Mapped[str | None] = mapped_column(Text)


class ComparisonRow(Base):
    """The comparison a `compare` run wrote: its variants, verdict and comparison.csv text."""

    __tablename__ = "comparisons"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    variants: Mapped[Any]
    verdict: Mapped[Any]
    csv: Mapped[str] = mapped_column(Text)


class ForecastRow(Base):
    """One forecast figure set for one queue and UTC interval of a run (long format)."""

    __tablename__ = "forecasts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(primary_key=True)
    tier: Mapped[int] = mapped_column(primary_key=True)
    volume: Mapped[float]
    volume_p10: Mapped[float]
    volume_p90: Mapped[float]
    aht_seconds: Mapped[float]
    extra: Mapped[Any | None]


class RequirementRow(Base):
    """Agents required for one queue and UTC interval of a run, with predicted figures."""

    __tablename__ = "requirements"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(primary_key=True)
    tier: Mapped[int] = mapped_column(primary_key=True)
    agents_required: Mapped[float]
    method: Mapped[str]
    extra: Mapped[Any | None]


class Roster(Base):
    """One version of the roster of a scenario (plan); at most one is published at a time."""

    __tablename__ = "rosters"
    __table_args__ = (UniqueConstraint("scenario_name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_name: Mapped[str]
    version: Mapped[int]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class RosterShift(Base):
    """One shift of a roster version: a roster.csv row (`planner.roster.schema.ROSTER`)."""

    __tablename__ = "roster_shifts"
    __table_args__ = (Index("ix_roster_shifts_roster_id", "roster_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"))
    agent_id: Mapped[str]
    site: Mapped[str]
    timezone: Mapped[str]
    date_local: Mapped[date]
    start_local: Mapped[str]
    end_local: Mapped[str]
    start_utc: Mapped[datetime]
    end_utc: Mapped[datetime]
    shift: Mapped[str]
    tier: Mapped[int]
    skills: Mapped[str]
    breaks: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[Any | None]


class StoredAgent(Base):
    """One agent as the scheduler keeps them (`scenarios.people.Person`); skills ';'-joined."""

    __tablename__ = "agents"

    agent_id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    site: Mapped[str]
    tier: Mapped[int]
    skills: Mapped[str]
    contract: Mapped[str | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    days_off: Mapped[str] = mapped_column(default="")
    preferred_shifts: Mapped[str] = mapped_column(default="")
    wish_weight: Mapped[float] = mapped_column(default=1.0)


class AbsenceRow(Base):
    """One absence (sick, leave, training) of an agent over inclusive local dates.

    The agent is a stored one or one a scenario generates from its headcount (not in
    `agents`), so the id is checked when the absence is added, not by a foreign key.
    """

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_agent_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str]
    kind: Mapped[str]
    first_date: Mapped[date]
    last_date: Mapped[date]
    created_at: Mapped[datetime]


class Job(Base):
    """One piece of long work (plan, roster, import, ...) that any process can follow or cancel."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str]
    function: Mapped[str]
    parameters: Mapped[Any]
    state: Mapped[str]
    progress_fraction: Mapped[float | None]
    progress_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[Any | None]
    result_location: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    worker_host: Mapped[str | None]
    worker_pid: Mapped[int | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]


class User(Base):
    """A web app account: a unique name, a password hash (never the password) and a role."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str]
    password_hash: Mapped[str]
    role: Mapped[str]
    created_at: Mapped[datetime]


class CalendarToken(Base):
    """A secret, revocable token for one agent's iCalendar feed (only its SHA-256 is stored)."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_name: Mapped[str]
    agent_id: Mapped[str]
    token_hash: Mapped[str]
    revoked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
