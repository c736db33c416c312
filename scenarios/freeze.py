"""Re-planning with a freeze: shifts before a point in time stay exactly as published.

The freeze is a local wall time (`YYYY-MM-DD` is midnight) read in each site's own zone.
Before it, an agent may work only the shift published for that day (same template and
breaks) and must keep it; no new shift may start before it. After it the solver is free,
and the stability term prices every change against the published roster.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pandas as pd

from forecasting.errors import InputError
from forecasting.timegrid import local_to_utc
from planner.roster import RosterAgent, ShiftOption


def parse_freeze(text: str) -> datetime:
    """`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` as a naive local wall time.

    Raises:
        InputError: anything else.
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"--freeze-until {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time)"
        ) from exc
    if moment.tzinfo is not None:
        raise InputError(f"--freeze-until {text!r}: give a local wall time, without a zone")
    return moment


def check_freeze(freeze: datetime, start: date, days: int) -> None:
    """Refuse a freeze outside the rostered period [start, start + days]."""
    end = start + timedelta(days=days)
    if not start <= freeze.date() <= end or (
        freeze.date() == end and freeze.time() != datetime.min.time()
    ):
        raise InputError(
            f"--freeze-until {freeze:%Y-%m-%dT%H:%M} is outside the period {start}..{end - timedelta(days=1)}"
        )


def published_shifts(previous: pd.DataFrame) -> dict[tuple[str, date], tuple[str, str | None]]:
    """(agent, local date) to the published (template, breaks); breaks None when not recorded."""
    has_breaks = "breaks" in previous.columns
    out: dict[tuple[str, date], tuple[str, str | None]] = {}
    for row in previous.itertuples(index=False):
        day = pd.Timestamp(str(row.date_local)).date()
        breaks = None
        if has_breaks:
            raw = row.breaks
            breaks = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
        out[(str(row.agent_id), day)] = (str(row.shift), breaks)
    return out


def _is_published(
    opt: ShiftOption, published: dict[tuple[str, date], tuple[str, str | None]]
) -> bool:
    """Whether `opt` is the shift published for its agent and day (breaks too, if recorded)."""
    shift = published.get((opt.agent_id, opt.date_local))
    if shift is None or shift[0] != opt.template:
        return False
    return shift[1] is None or shift[1] == ";".join(opt.breaks_local)


def freeze_options(
    agents: Iterable[RosterAgent],
    options: Iterable[ShiftOption],
    previous: pd.DataFrame,
    freeze: datetime,
) -> tuple[tuple[RosterAgent, ...], tuple[ShiftOption, ...], tuple[str, ...]]:
    """Agents with their frozen days, the options a freeze leaves, and notes in words.

    An option starting before the freeze (in its site's zone) stays only if it is the
    published shift of that agent and day; such a day becomes one the agent must work, and
    its published shift its only option (a later shift that day would replace it).
    """
    agents = tuple(agents)
    published = published_shifts(previous)
    zones = {a.agent_id: a.timezone for a in agents}
    cutoff = {tz: local_to_utc(freeze.date(), freeze.time(), tz) for tz in set(zones.values())}
    options = tuple(options)
    before = [opt.start_utc < cutoff[zones[opt.agent_id]] for opt in options]
    frozen: dict[str, set[date]] = {}
    for opt, early in zip(options, before, strict=True):
        if early and _is_published(opt, published):
            frozen.setdefault(opt.agent_id, set()).add(opt.date_local)
    kept = [
        opt
        for opt, early in zip(options, before, strict=True)
        if (_is_published(opt, published) if early else True)
        and (early or opt.date_local not in frozen.get(opt.agent_id, set()))
    ]
    notes = []
    for (agent_id, day), (template, _breaks) in sorted(published.items()):
        if agent_id in zones and day not in frozen.get(agent_id, set()):
            start = local_to_utc(day, datetime.min.time(), zones[agent_id])
            if start < cutoff[zones[agent_id]] and day < freeze.date():
                notes.append(
                    f"frozen shift {template} of {agent_id} on {day} cannot be kept "
                    "(time off or no longer offered)"
                )
    return (
        tuple(replace(a, frozen=frozenset(frozen.get(a.agent_id, ()))) for a in agents),
        tuple(kept),
        tuple(notes),
    )


__all__ = ["check_freeze", "freeze_options", "parse_freeze", "published_shifts"]
