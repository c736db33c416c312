"""A solved roster's files: roster.csv, coverage.csv, solver.json and one iCalendar per agent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from planner.roster import RosterResult
from planner.roster.changes import sequences, shifts_by_day

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


def write_ics(result: RosterResult, folder: Path) -> None:
    """One iCalendar file per agent, times in the agent's zone with its TZID."""
    write_calendars(result.roster, folder)


def write_calendars(
    roster: pd.DataFrame, folder: Path, earlier: list[pd.DataFrame] | None = None
) -> int:
    """One iCalendar file per agent that updates in place; return how many files.

    Each agent-day is one event with a stable UID (`<agent>-<date>@followsun`), so a
    calendar client replaces a moved shift instead of adding a second one. `earlier` are
    the previous versions, oldest first: an event's SEQUENCE counts its changes along them
    and a shift they had that `roster` dropped is sent as a cancelled event.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    earlier = earlier or []
    sequence = sequences([*earlier, roster])
    dropped = _dropped_rows(earlier, shifts_by_day(roster))
    agents = sorted(set(roster["agent_id"].astype(str)) | {k[0] for k in dropped})
    for agent_id in agents:
        shifts = roster[roster["agent_id"].astype(str) == agent_id]
        gone = [row for key, row in sorted(dropped.items()) if key[0] == agent_id]
        (folder / f"{agent_id}.ics").write_bytes(
            agent_calendar(agent_id, shifts, gone, sequence, stamp)
        )
    return len(agents)


def agent_calendar(
    agent_id: str,
    shifts: pd.DataFrame,
    dropped: list[Any] | None = None,
    sequence: dict[tuple[str, str], int] | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """One agent's shifts (roster rows) as an iCalendar, times in its zone with TZID.

    One event per agent-day with a stable UID; `dropped` rows go out as cancelled events
    and `sequence` numbers each agent-day's changes (both from earlier versions).
    """
    stamp = stamp or datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    sequence = sequence or {}
    cal = icalendar.Calendar()
    cal.add("prodid", "-//followsun//roster//EN")
    cal.add("version", "2.0")
    events = [(row, "CONFIRMED") for row in shifts.itertuples(index=False)]
    events += [(row, "CANCELLED") for row in dropped or []]
    for row, status in events:
        key = (agent_id, str(row.date_local)[:10])
        cal.add_component(_event(row, key, sequence.get(key, 0), status, stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _dropped_rows(
    earlier: list[pd.DataFrame], current: dict[tuple[str, str], tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """The last earlier row of every agent-day that the current roster no longer has."""
    last: dict[tuple[str, str], Any] = {}
    for frame in earlier:
        for row in frame.itertuples(index=False):
            last[(str(row.agent_id), str(row.date_local)[:10])] = row
    return {key: row for key, row in last.items() if key not in current}


def _event(row: Any, key: tuple[str, str], sequence: int, status: str, stamp: datetime) -> Any:
    zone = ZoneInfo(str(row.timezone))
    event = icalendar.Event()
    event.add("uid", f"{key[0]}-{key[1]}@followsun")
    event.add("sequence", sequence)
    event.add("status", status)
    event.add("summary", f"{row.shift} shift ({row.site})")
    event.add("dtstart", pd.Timestamp(str(row.start_utc)).tz_convert(zone).to_pydatetime())
    event.add("dtend", pd.Timestamp(str(row.end_utc)).tz_convert(zone).to_pydatetime())
    event.add("dtstamp", stamp)
    breaks = getattr(row, "breaks", None)
    if isinstance(breaks, str) and breaks:
        event.add("description", f"breaks {breaks}")
    return event


def write_outputs(result: RosterResult, out: Path) -> None:
    """Write roster.csv, coverage.csv, solver.json and ics/ into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    roster = result.roster.copy()
    for column in ("start_utc", "end_utc"):
        roster[column] = [ts.strftime(ISO_UTC) for ts in roster[column]]
    roster["date_local"] = [str(d) for d in roster["date_local"]]
    roster.to_csv(out / "roster.csv", index=False)
    coverage = result.coverage.copy()
    coverage["interval_start"] = [ts.strftime(ISO_UTC) for ts in coverage["interval_start"]]
    coverage.to_csv(out / "coverage.csv", index=False)
    report = {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_seconds": round(result.wall_seconds, 3),
        "penalties": {p.family: p.points for p in result.penalties},
        "unmet_coverage": list(result.unmet_coverage),
        "binding_rules": list(result.binding_rules),
        "violations": [f"{v.rule}: {v.agent_id}: {v.detail}" for v in result.violations],
        "diagnoses": list(result.diagnoses),
        "shifts": len(result.roster),
        "agents": int(result.roster["agent_id"].nunique()) if len(result.roster) else 0,
    }
    (out / "solver.json").write_text(json.dumps(report, indent=2) + "\n")
    write_ics(result, out / "ics")
