"""Published roster versions per scenario: list, show, diff (per agent) and export with calendars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from followsun.atomic import check_output_folder, replacing_folder
from followsun.roster_files import ISO_UTC, write_calendars
from followsun.store import RosterVersion, roster_frame, roster_versions, store_session
from followsun.store.rosters import latest_roster, roster_periods
from forecasting.errors import InputError
from planner.roster.changes import roster_changes


@dataclass(frozen=True)
class VersionRef:
    """One stored roster: its scenario's name and version number."""

    scenario: str
    version: int

    def __str__(self) -> str:
        return f"{self.scenario} version {self.version}"


@dataclass(frozen=True)
class Export:
    """What `export_version` wrote: the roster file, its shifts and the agents' calendars."""

    roster_csv: Path
    shifts: int
    calendars: int


def find_version(session: Session, ref: VersionRef) -> RosterVersion:
    """The stored version `ref`.

    Raises:
        InputError: no such version (naming the versions stored).
    """
    versions = roster_versions(session, ref.scenario)
    for v in versions:
        if v.version == ref.version:
            return v
    have = ", ".join(str(v.version) for v in versions) or "none"
    raise InputError(f"no stored roster {ref} (versions stored: {have})")


def list_versions(scenario: str, database_url: str | None = None) -> list[RosterVersion]:
    """Every stored roster version of `scenario`, oldest first."""
    with store_session(database_url) as session:
        return roster_versions(session, scenario)


@dataclass(frozen=True)
class Period:
    """A stored version and the first and last local dates of its shifts."""

    version: RosterVersion
    first: date | None
    last: date | None


def version_periods(
    scenario: str,
    published_only: bool = False,
    within: tuple[date, date] | None = None,
    database_url: str | None = None,
) -> list[Period]:
    """The scenario's versions with their periods, newest first.

    Args:
        scenario: its name.
        published_only: only versions that were ever published (still or before).
        within: only versions whose period touches these inclusive dates.
        database_url: the store (None: the configured one).
    """
    with store_session(database_url) as session:
        versions = roster_versions(session, scenario)
        periods = roster_periods(session, scenario)
    found = []
    for v in reversed(versions):
        first, last = periods.get(v.id, (None, None))
        if published_only and v.published_at is None:
            continue
        if within is not None and (first is None or last is None):
            continue
        if within is not None and not (first <= within[1] and last >= within[0]):  # type: ignore[operator]
            continue
        found.append(Period(v, first, last))
    return found


def published_shifts(
    scenario: str, agent_id: str, since: datetime | None = None, database_url: str | None = None
) -> tuple[RosterVersion | None, pd.DataFrame]:
    """The scenario's published version and the agent's shifts in it (ending after `since`)."""
    with store_session(database_url) as session:
        version = latest_roster(session, scenario, published_only=True)
        if version is None:
            return None, pd.DataFrame()
        roster = roster_frame(session, version.id)
    shifts = roster[roster["agent_id"].astype(str) == agent_id]
    if since is not None:
        shifts = shifts[pd.to_datetime(shifts["end_utc"], utc=True) > pd.Timestamp(since)]
    return version, shifts


def show_version(ref: VersionRef, database_url: str | None = None) -> pd.DataFrame:
    """The shifts of one stored version (`planner.roster.schema.ROSTER`).

    Raises:
        InputError: no such version.
    """
    with store_session(database_url) as session:
        return roster_frame(session, find_version(session, ref).id)


def diff_versions(
    old: VersionRef, new: VersionRef, database_url: str | None = None
) -> pd.DataFrame:
    """What changed from `old` to `new`, per agent-day (`planner.roster.changes.CHANGES`).

    Raises:
        InputError: the two belong to different scenarios, or one is not stored.
    """
    if old.scenario != new.scenario:
        raise InputError(
            f"cannot diff {old} against {new}: they are rosters of different scenarios"
        )
    with store_session(database_url) as session:
        before = roster_frame(session, find_version(session, old).id)
        after = roster_frame(session, find_version(session, new).id)
    return roster_changes(before, after)


def export_version(ref: VersionRef, out: Path, database_url: str | None = None) -> Export:
    """Write one version's roster.csv and an updating calendar per agent into `out`.

    Calendars carry every earlier version's history: a moved shift keeps its event UID
    with a higher SEQUENCE, a dropped one is sent cancelled.

    Raises:
        InputError: no such version.
    """
    check_output_folder(out)
    with store_session(database_url) as session:
        target = find_version(session, ref)
        earlier = [
            roster_frame(session, v.id)
            for v in roster_versions(session, ref.scenario)
            if v.version < target.version
        ]
        roster = roster_frame(session, target.id)
    written = roster.copy()
    for column in ("start_utc", "end_utc"):
        written[column] = [ts.strftime(ISO_UTC) for ts in written[column]]
    written["date_local"] = [str(d) for d in written["date_local"]]
    with replacing_folder(out) as staged:
        written.to_csv(staged.path / "roster.csv", index=False)
        calendars = write_calendars(roster, staged.path / "ics", earlier)
    return Export(out / "roster.csv", len(roster), calendars)
