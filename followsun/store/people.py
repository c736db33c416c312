"""The agents a scheduler keeps and their absences (`scenarios.people`), in the store."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from scenarios.people import Absence, Person, check_absence

SEPARATOR = ";"


def _join(values: Iterable[str]) -> str:
    return SEPARATOR.join(values)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (text or "").split(SEPARATOR) if p)


def _person(row: models.StoredAgent) -> Person:
    return Person(
        agent_id=row.agent_id,
        name=row.name,
        site=row.site,
        tier=row.tier,
        skills=_split(row.skills),
        contract=row.contract,
        start_date=row.start_date,
        end_date=row.end_date,
        days_off=_split(row.days_off),
        preferred_shifts=_split(row.preferred_shifts),
        wish_weight=row.wish_weight,
    )


def _absence(row: models.AbsenceRow) -> Absence:
    return Absence(row.agent_id, row.kind, row.first_date, row.last_date, absence_id=row.id)


def save_people(session: Session, people: Iterable[Person]) -> tuple[int, int]:
    """Insert new agents and update known ones (by id); return (added, updated).

    Absences are kept: an updated agent keeps their leave.
    """
    added = updated = 0
    for person in people:
        row = session.get(models.StoredAgent, person.agent_id)
        if row is None:
            row = models.StoredAgent(agent_id=person.agent_id)
            session.add(row)
            added += 1
        else:
            updated += 1
        row.name = person.name
        row.site = person.site
        row.tier = person.tier
        row.skills = _join(person.skills)
        row.contract = person.contract
        row.start_date = person.start_date
        row.end_date = person.end_date
        row.days_off = _join(person.days_off)
        row.preferred_shifts = _join(person.preferred_shifts)
        row.wish_weight = person.wish_weight
    session.flush()
    return added, updated


def list_people(session: Session, site: str | None = None) -> list[Person]:
    """Stored agents (of one site if given), by id."""
    query = select(models.StoredAgent).order_by(models.StoredAgent.agent_id)
    if site is not None:
        query = query.where(models.StoredAgent.site == site)
    return [_person(row) for row in session.scalars(query)]


def list_absences(session: Session, agent_id: str | None = None) -> list[Absence]:
    """Stored absences (of one agent if given), by agent then first date."""
    query = select(models.AbsenceRow).order_by(
        models.AbsenceRow.agent_id, models.AbsenceRow.first_date, models.AbsenceRow.id
    )
    if agent_id is not None:
        query = query.where(models.AbsenceRow.agent_id == agent_id)
    return [_absence(row) for row in session.scalars(query)]


def add_absence(
    session: Session,
    absence: Absence,
    now: datetime | None = None,
    generated: Collection[str] = (),
) -> Absence:
    """Store one absence of a stored agent or of one in `generated`; return it with its id.

    `generated` are the ids a scenario generates from its headcount (not stored agents).

    Raises:
        InputError: an unknown agent, a bad kind or dates, or an overlap with another of
            the agent's absences (nothing is stored).
    """
    if (
        absence.agent_id not in generated
        and session.get(models.StoredAgent, absence.agent_id) is None
    ):
        raise InputError(
            f"unknown agent {absence.agent_id!r}: load it first with `followsun agents "
            "import`, or name the scenario (--scenario) whose headcount generates it"
        )
    check_absence(absence, list_absences(session, absence.agent_id))
    row = models.AbsenceRow(
        agent_id=absence.agent_id,
        kind=absence.kind,
        first_date=absence.first,
        last_date=absence.last,
        created_at=now or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return _absence(row)


def remove_absence(session: Session, absence_id: int) -> Absence:
    """Delete absence `absence_id`; return what was removed.

    Raises:
        InputError: there is no such absence.
    """
    row = session.get(models.AbsenceRow, absence_id)
    if row is None:
        raise InputError(f"no absence with id {absence_id}")
    removed = _absence(row)
    session.delete(row)
    session.flush()
    return removed
