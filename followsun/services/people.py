"""The agents and their absences: import, export and list agents; add, list, remove absences."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from followsun.atomic import replacing_file
from followsun.store import people as stored
from followsun.store import store_session
from forecasting.errors import InputError
from scenarios.loader import load_scenario
from scenarios.people import Absence, Person, scenario_agent_ids

AGENT_COLUMNS = (
    "agent_id",
    "name",
    "site",
    "tier",
    "skills",
    "contract",
    "start_date",
    "end_date",
    "days_off",
    "preferred_shifts",
    "wish_weight",
)
"""agents.csv: skills, days_off and preferred_shifts are ';'-separated lists."""
REQUIRED_AGENT_COLUMNS = ("agent_id", "site", "tier", "skills")

T = TypeVar("T")


@dataclass(frozen=True)
class ImportCounts:
    """Agents added and updated by one import."""

    added: int
    updated: int


def _in_store(database_url: str | None, work: Callable[[Session], T]) -> T:
    with store_session(database_url) as session:
        return work(session)


def _optional_date(text: str, where: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{where}: {text!r} is not a date YYYY-MM-DD")
        return None


def read_agents(path: Path) -> list[Person]:
    """The agents of an agents.csv (`AGENT_COLUMNS`).

    Raises:
        InputError: a missing column, or a bad value, naming every line.
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_AGENT_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"{path}: missing column(s) {missing}; expected {list(AGENT_COLUMNS)}")
        people: list[Person] = []
        problems: list[str] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            where = f"line {line}"
            value = {k: (row.get(k) or "").strip() for k in AGENT_COLUMNS}
            if not value["agent_id"] or not value["site"]:
                problems.append(f"{where}: agent_id and site are required")
                continue
            if value["agent_id"] in seen:
                problems.append(f"{where}: agent {value['agent_id']!r} appears twice")
            seen.add(value["agent_id"])
            if value["tier"] not in ("1", "2", "3"):
                problems.append(f"{where}: tier {value['tier']!r} is not 1, 2 or 3")
                continue
            skills = tuple(s for s in value["skills"].split(";") if s)
            if not skills or any("/" not in s for s in skills):
                problems.append(
                    f"{where}: skills {value['skills']!r}: expected e.g. 'chat/en;email/en'"
                )
            try:
                weight = float(value["wish_weight"] or 1.0)
            except ValueError:
                problems.append(f"{where}: wish_weight {value['wish_weight']!r} is not a number")
                weight = 1.0
            first = _optional_date(value["start_date"], f"{where}: start_date", problems)
            last = _optional_date(value["end_date"], f"{where}: end_date", problems)
            if first and last and last < first:
                problems.append(f"{where}: end_date {last} is before start_date {first}")
            people.append(
                Person(
                    agent_id=value["agent_id"],
                    name=value["name"] or value["agent_id"],
                    site=value["site"],
                    tier=int(value["tier"]),
                    skills=skills,
                    contract=value["contract"] or None,
                    start_date=first,
                    end_date=last,
                    days_off=tuple(d for d in value["days_off"].split(";") if d),
                    preferred_shifts=tuple(s for s in value["preferred_shifts"].split(";") if s),
                    wish_weight=weight,
                )
            )
    if problems:
        raise InputError(f"{path}: bad agents", problems[:50])
    return people


def import_agents(path: Path, database_url: str | None = None) -> ImportCounts:
    """Load an agents.csv into the store: new agents added, known ones updated (all or none)."""
    people = read_agents(path)
    added, updated = _in_store(database_url, lambda s: stored.save_people(s, people))
    return ImportCounts(added, updated)


def list_agents(site: str | None = None, database_url: str | None = None) -> list[Person]:
    """The stored agents (of one site if given)."""
    return _in_store(database_url, lambda s: stored.list_people(s, site))


def export_agents(path: Path, database_url: str | None = None) -> int:
    """Write the stored agents as an agents.csv; return how many."""
    people = list_agents(database_url=database_url)
    with (
        replacing_file(path) as temporary,
        temporary.open("w", newline="", encoding="utf-8") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(AGENT_COLUMNS)
        for p in people:
            writer.writerow(
                (
                    p.agent_id,
                    p.name,
                    p.site,
                    p.tier,
                    ";".join(p.skills),
                    p.contract or "",
                    p.start_date or "",
                    p.end_date or "",
                    ";".join(p.days_off),
                    ";".join(p.preferred_shifts),
                    f"{p.wish_weight:g}",
                )
            )
    return len(people)


def add_absence(
    agent_id: str,
    first: date,
    last: date,
    kind: str,
    database_url: str | None = None,
    scenario: Path | None = None,
) -> Absence:
    """Store one absence of a stored agent, or of one `scenario` rosters (named or headcount).

    Agents generated from headcount (`<site>-t<tier>-<nn>`) keep their ids from run to run,
    so their absences apply whenever that scenario is rostered with `--people`.

    Raises:
        InputError: an unknown agent, a bad kind or dates, an overlapping absence, a bad
            scenario file.
    """
    generated = scenario_agent_ids(load_scenario(scenario)) if scenario is not None else set()
    absence = Absence(agent_id, kind, first, last)
    return _in_store(database_url, lambda s: stored.add_absence(s, absence, generated=generated))


def list_absences(agent_id: str | None = None, database_url: str | None = None) -> list[Absence]:
    """Stored absences (of one agent if given)."""
    return _in_store(database_url, lambda s: stored.list_absences(s, agent_id))


def absences_between(
    first: date, last: date, agent_id: str | None = None, database_url: str | None = None
) -> list[Absence]:
    """Stored absences (of one agent if given) touching the inclusive dates first..last."""
    return overlapping(list_absences(agent_id, database_url), first, last)


def overlapping(absences: Iterable[Absence], first: date, last: date) -> list[Absence]:
    """The absences touching the inclusive dates first..last."""
    return [a for a in absences if a.first <= last and a.last >= first]


def remove_absence(absence_id: int, database_url: str | None = None) -> Absence:
    """Delete one stored absence; return it."""
    return _in_store(database_url, lambda s: stored.remove_absence(s, absence_id))


def people_of(database_url: str | None = None) -> tuple[list[Person], list[Absence]]:
    """Every stored agent and absence, read in one session."""
    with store_session(database_url) as session:
        return stored.list_people(session), stored.list_absences(session)
