"""What changed between two rosters, per agent and local date: added, removed, moved shifts."""

from __future__ import annotations

import pandas as pd

from forecasting.schema import Column, FrameSchema

CHANGES = FrameSchema(
    name="roster changes",
    columns=(
        Column("agent_id", "text"),
        Column("date_local", "text"),
        Column("change", "text"),
        Column("old_shift", "text"),
        Column("new_shift", "text"),
        Column("old_time", "text"),
        Column("new_time", "text"),
    ),
    key=("agent_id", "date_local"),
)
"""changes.csv: one row per agent-day whose shift was added, removed or moved (another
template, start, end or breaks); shift and time are empty where the agent is off."""


def shifts_by_day(roster: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """(agent, 'YYYY-MM-DD') to (shift, local times and breaks): what a change compares."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    has_breaks = "breaks" in roster.columns
    times = {"start_local", "end_local"} <= set(roster.columns)
    for row in roster.itertuples(index=False):
        breaks = str(row.breaks) if has_breaks and isinstance(row.breaks, str) else ""
        when = f"{row.start_local}-{row.end_local}" if times else ""
        when += f" breaks {breaks}" if breaks else ""
        out[(str(row.agent_id), str(row.date_local)[:10])] = (str(row.shift), when.strip())
    return out


def roster_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Rows of `CHANGES` for every agent-day that differs between `old` and `new`.

    Both frames need agent_id, date_local and shift; start_local, end_local and breaks
    are compared when present. Sorted by agent then date.
    """
    before, after = shifts_by_day(old), shifts_by_day(new)
    rows = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        kind = "added" if was is None else "removed" if now is None else "moved"
        rows.append(
            {
                "agent_id": key[0],
                "date_local": key[1],
                "change": kind,
                "old_shift": was[0] if was else "",
                "new_shift": now[0] if now else "",
                "old_time": was[1] if was else "",
                "new_time": now[1] if now else "",
            }
        )
    return pd.DataFrame(rows, columns=list(CHANGES.names))


def sequences(rosters: list[pd.DataFrame]) -> dict[tuple[str, str], int]:
    """How many times each agent-day changed along successive versions (iCal SEQUENCE).

    An agent-day's count starts at 0 when it first has a shift and grows by one at each
    later version where its shift moved, was removed or came back.
    """
    counts: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], tuple[str, str] | None] = {}
    for roster in rosters:
        now = shifts_by_day(roster)
        for key in set(last) | set(now):
            if key in last and last[key] != now.get(key):
                counts[key] = counts.get(key, 0) + 1
            if key in now or key in last:
                last[key] = now.get(key)
                counts.setdefault(key, 0)
    return counts


def describe_changes(changes: pd.DataFrame) -> list[str]:
    """One line per change a person can read: 'a1 2027-01-05: moved early 07:00-15:00 -> late ...'."""
    lines = []
    for row in changes.itertuples(index=False):
        old = f"{row.old_shift} {row.old_time}".strip() or "off"
        new = f"{row.new_shift} {row.new_time}".strip() or "off"
        lines.append(f"{row.agent_id} {row.date_local}: {row.change} {old} -> {new}")
    return lines


__all__ = ["CHANGES", "describe_changes", "roster_changes", "sequences", "shifts_by_day"]
