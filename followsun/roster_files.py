"""A solved roster's files: roster.csv, coverage.csv, solver.json and one iCalendar per agent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

from planner.roster import RosterResult

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"


def write_ics(result: RosterResult, folder: Path) -> None:
    """One iCalendar file per agent, times in the agent's zone with its TZID."""
    folder.mkdir(parents=True, exist_ok=True)
    for agent_id, shifts in result.roster.groupby("agent_id", sort=True):
        (folder / f"{agent_id}.ics").write_bytes(agent_calendar(str(agent_id), shifts))


def agent_calendar(agent_id: str, shifts: pd.DataFrame) -> bytes:
    """One agent's shifts (roster frame rows) as an iCalendar, times in its zone with TZID."""
    stamp = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//followsun//roster//EN")
    cal.add("version", "2.0")
    for row in shifts.itertuples(index=False):
        zone = ZoneInfo(str(row.timezone))
        start = pd.Timestamp(str(row.start_utc)).tz_convert(zone).to_pydatetime()
        end = pd.Timestamp(str(row.end_utc)).tz_convert(zone).to_pydatetime()
        event = icalendar.Event()
        event.add("uid", f"{agent_id}-{row.date_local}-{row.shift}@followsun")
        event.add("summary", f"{row.shift} shift ({row.site})")
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", stamp)
        if row.breaks:
            event.add("description", f"breaks {row.breaks!s}")
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


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
