"""Absences drawn on the roster timeline: a shaded bar over each absent local day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pandas as pd

from scenarios.people import Absence


def draw_absences(
    fig: Any, absences: Iterable[Absence], roster: pd.DataFrame, in_utc: bool
) -> None:
    """Add each absence of an agent drawn in `fig` as a shaded bar, one trace per kind.

    An absence covers whole local days in the agent's zone (from the roster's
    `timezone`), shown in local wall-clock time or in UTC like the shifts.
    """
    if fig is None or roster.empty:
        return
    ticks = fig.layout.yaxis
    if ticks.ticktext is None:
        return
    row_of = {
        str(label).rsplit(" · ", 1)[-1]: value
        for label, value in zip(ticks.ticktext, ticks.tickvals, strict=True)
    }
    first_rows = roster.drop_duplicates("agent_id")
    zones = dict(
        zip(first_rows["agent_id"].astype(str), first_rows["timezone"].astype(str), strict=True)
    )
    by_kind: dict[str, tuple[list[Any], list[float], list[int], list[str]]] = {}
    for absence in absences:
        if absence.agent_id not in row_of:
            continue
        start = pd.Timestamp(absence.first)
        end = pd.Timestamp(absence.last + timedelta(days=1))
        if in_utc:
            zone = str(zones[absence.agent_id])
            start = start.tz_localize(zone).tz_convert("UTC").tz_localize(None)
            end = end.tz_localize(zone).tz_convert("UTC").tz_localize(None)
        bases, lengths, rows, text = by_kind.setdefault(absence.kind, ([], [], [], []))
        bases.append(start)
        lengths.append((end - start) / pd.Timedelta(milliseconds=1))
        rows.append(row_of[absence.agent_id])
        text.append(f"{absence.agent_id} {absence.kind} {absence.first} to {absence.last}")
    for kind, (bases, lengths, rows, text) in sorted(by_kind.items()):
        fig.add_bar(
            base=bases,
            x=lengths,
            y=rows,
            orientation="h",
            name=f"absent: {kind}",
            marker={"color": "rgba(120,120,120,0.35)", "pattern": {"shape": "/"}},
            hovertext=text,
            hoverinfo="text",
        )
