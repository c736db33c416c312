"""People as data: named agents and their absences, applied to a scenario's sites.

A scenario plans with `headcount` (what-if planning); the people kept in the store are
the real agents. `with_people` rosters a site's stored agents instead of its headcount
and turns every absence (and the days before a start or after an end date) into time off
of that agent only, so marking one agent sick never changes anyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from forecasting.errors import InputError
from scenarios.spec import Agent, Preferences, Scenario, Site

ABSENCE_KINDS = ("sick", "leave", "training")


@dataclass(frozen=True)
class Person:
    """One agent as the scheduler keeps it (an `agents.csv` row).

    Attributes:
        agent_id: unique id.
        name: display name.
        site: the site id they work at.
        tier: 1, 2 or 3.
        skills: 'channel/language' skills.
        contract: one of the site's `contracts`, or None for the site's default.
        start_date: first working day, or None.
        end_date: last working day, or None.
        days_off: wished days off (weekday names or ISO dates).
        preferred_shifts: wished shift template ids.
        wish_weight: how much their wishes count (1 = normal).
    """

    agent_id: str
    name: str
    site: str
    tier: int
    skills: tuple[str, ...]
    contract: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    days_off: tuple[str, ...] = ()
    preferred_shifts: tuple[str, ...] = ()
    wish_weight: float = 1.0


@dataclass(frozen=True)
class Absence:
    """One absence of one agent over inclusive local dates."""

    agent_id: str
    kind: str
    first: date
    last: date
    absence_id: int | None = field(default=None, compare=False)

    def dates(self) -> list[date]:
        """Every local date the absence covers."""
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def check_absence(absence: Absence, existing: Iterable[Absence]) -> None:
    """Refuse a bad kind, reversed dates, or an overlap with the agent's other absences."""
    if absence.kind not in ABSENCE_KINDS:
        raise InputError(f"absence kind {absence.kind!r} is not one of {', '.join(ABSENCE_KINDS)}")
    if absence.last < absence.first:
        raise InputError(
            f"absence of {absence.agent_id}: --to {absence.last} is before --from {absence.first}"
        )
    for other in existing:
        if other.agent_id == absence.agent_id and not (
            other.last < absence.first or absence.last < other.first
        ):
            raise InputError(
                f"absence of {absence.agent_id} {absence.first}..{absence.last} overlaps their "
                f"{other.kind} {other.first}..{other.last}"
                + (f" (absence {other.absence_id})" if other.absence_id is not None else "")
            )


def person_agent(person: Person, site: Site, off: Iterable[date]) -> Agent:
    """A person as a scenario agent of `site`, with `off` as time off.

    Raises:
        InputError: the person names a contract the site does not have.
    """
    if person.contract is not None and person.contract not in site.contracts:
        raise InputError(
            f"agent {person.agent_id}: contract {person.contract!r} is not one of site "
            f"{site.id}'s contracts {sorted(site.contracts)}"
        )
    wished: list[str | date] = [
        date.fromisoformat(d) if d[:1].isdigit() else d for d in person.days_off
    ]
    return Agent.model_validate(
        {
            "id": person.agent_id,
            "tier": person.tier,
            "skills": person.skills,
            "contract": person.contract,
            "time_off": tuple(sorted(set(off))),
            "preferences": Preferences.model_validate(
                {
                    "days_off": wished,
                    "shifts": person.preferred_shifts,
                    "weight": person.wish_weight,
                }
            ),
        }
    )


def with_people(
    scenario: Scenario,
    people: Iterable[Person],
    absences: Iterable[Absence],
    first: date,
    days: int,
) -> Scenario:
    """The scenario with each site's stored people (if any) rostered instead of its headcount.

    Days in [first, first + days) before a person's start date, after their end date, or
    inside one of their absences are their time off. Absences also apply to agents named in
    the scenario itself and to those its headcount generates (by id, `scenario_agent_ids`).
    Sites without stored people keep their headcount.

    Raises:
        InputError: a person at a site the scenario does not have, or with an unknown contract.
    """
    horizon = [first + timedelta(days=i) for i in range(days)]
    away: dict[str, set[date]] = {}
    for absence in absences:
        away.setdefault(absence.agent_id, set()).update(absence.dates())
    by_site: dict[str, list[Person]] = {}
    for person in people:
        by_site.setdefault(person.site, []).append(person)
    known = {s.id for s in scenario.sites}
    unknown = sorted(set(by_site) - known)
    if unknown:
        raise InputError(
            f"stored agents at site(s) {unknown} the scenario {scenario.name!r} does not have; "
            f"it has {sorted(known)}"
        )
    sites = []
    for site in scenario.sites:
        members = by_site.get(site.id)
        if members:
            agents = tuple(
                person_agent(p, site, employed_off(p, horizon) | away.get(p.agent_id, set()))
                for p in sorted(members, key=lambda p: p.agent_id)
            )
            site = site.model_copy(update={"agents": agents, "headcount": ()})
        elif away:
            site = with_absences(site, away)
        sites.append(site)
    return scenario.model_copy(update={"sites": tuple(sites)})


def with_absences(site: Site, away: dict[str, set[date]]) -> Site:
    """The site with each absent agent's dates as their time off; nobody else changes.

    Agents generated from headcount become named agents with the same ids, skills and
    contracts when one of them is absent, so only that one gets time off.
    """
    from scenarios.rostering import scenario_agents  # the roster's inputs: heavy imports

    agents = scenario_agents(site)
    if not any(a.id in away for a in agents):
        return site
    return site.model_copy(
        update={
            "agents": tuple(
                a.model_copy(
                    update={"time_off": tuple(sorted(set(a.time_off) | away.get(a.id, set())))}
                )
                for a in agents
            ),
            "headcount": (),
        }
    )


def scenario_agent_ids(scenario: Scenario) -> set[str]:
    """Every agent id the scenario rosters without stored people: named or from headcount."""
    from scenarios.rostering import scenario_agents  # the roster's inputs: heavy imports

    return {a.id for site in scenario.sites for a in scenario_agents(site)}


def employed_off(person: Person, horizon: Iterable[date]) -> set[date]:
    """Horizon days before the person's start date or after their end date."""
    return {
        d
        for d in horizon
        if (person.start_date is not None and d < person.start_date)
        or (person.end_date is not None and d > person.end_date)
    }


__all__ = [
    "ABSENCE_KINDS",
    "Absence",
    "Person",
    "check_absence",
    "employed_off",
    "person_agent",
    "scenario_agent_ids",
    "with_absences",
    "with_people",
]
