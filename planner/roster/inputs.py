"""Roster solver inputs: agents, their shift options, queues and requirements.

Everything the model needs is computed here (the options per agent and day, the agent
classes that share coverage, which options cover which UTC interval) so that the
constraint builders only read ranges and never derive time themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from forecasting.errors import InputError

DAYS_PER_WEEK = 7
DAYS_PER_4_WEEKS = 28
LATE_END_HOUR = 20


@dataclass(frozen=True)
class ContractRules:
    """Labour rules for one agent, in minutes and counts.

    Attributes:
        min_minutes_week: paid minutes a local week must reach (pro-rated for time off).
        max_minutes_week: paid minutes a local week may not exceed.
        max_shifts_week: shifts a local week may not exceed.
        max_consecutive_days: longest run of working days.
        min_consecutive_days_off: shortest run of days off between two working runs.
        min_rest_min: minutes from the end of one shift to the start of the next.
        max_nights_per_4_weeks: night shifts in any 28 consecutive days.
        max_weekends_per_4_weeks: weekends (Saturday or Sunday worked) in any 4 weeks.
    """

    min_minutes_week: int = 0
    max_minutes_week: int = 40 * 60
    max_shifts_week: int = 5
    max_consecutive_days: int = 5
    min_consecutive_days_off: int = 1
    min_rest_min: int = 11 * 60
    max_nights_per_4_weeks: int = 8
    max_weekends_per_4_weeks: int = 2

    def __post_init__(self) -> None:
        if self.min_minutes_week > self.max_minutes_week:
            raise InputError(
                f"min_minutes_week {self.min_minutes_week} exceeds max_minutes_week "
                f"{self.max_minutes_week}"
            )
        if self.max_consecutive_days < 1 or self.min_consecutive_days_off < 1:
            raise InputError("max_consecutive_days and min_consecutive_days_off must be >= 1")


@dataclass(frozen=True)
class RosterAgent:
    """One agent: site, local zone, tier, skills ('chat/en'), rules and time off.

    `frozen`: dates before a re-plan's freeze whose published shift (their only option)
    the agent must keep.
    """

    agent_id: str
    site: str
    timezone: str
    tier: int
    skills: tuple[str, ...]
    rules: ContractRules
    time_off: frozenset[date] = frozenset()
    frozen: frozenset[date] = frozenset()


@dataclass(frozen=True)
class ShiftOption:
    """One shift an agent may work on one local date, already placed on the UTC grid.

    Attributes:
        agent_id: the agent.
        date_local: the local date the shift starts on.
        template: the shift template id.
        start_utc: start instant (UTC).
        end_utc: end instant (UTC), breaks included.
        start_local: local start 'HH:MM'.
        end_local: local end 'HH:MM' (may be on the next date).
        covered: grid positions in which the agent works (breaks excluded).
        breaks_local: local break spans, e.g. ('12:00-13:00',).
        paid_min: paid minutes.
        night: a night shift for the night limits and fairness.
        weekend: starts on a local Saturday or Sunday.
        holiday: starts on a public holiday of the agent's site.
        late: not a night shift but ends at or after `LATE_END_HOUR` local (or past midnight).
        premium_hours: paid hours times the premium fractions that apply (cost of the
            night, weekend and holiday uplifts, in hours of base pay).
        unmet_wishes: the agent's wishes this shift breaks (a wished day off, a shift
            other than the wished ones), weighted by the agent's preference weight.
    """

    agent_id: str
    date_local: date
    template: str
    start_utc: pd.Timestamp
    end_utc: pd.Timestamp
    start_local: str
    end_local: str
    covered: tuple[int, ...]
    breaks_local: tuple[str, ...]
    paid_min: int
    night: bool = False
    weekend: bool = False
    holiday: bool = False
    premium_hours: float = 0.0
    late: bool = False
    unmet_wishes: float = 0.0


@dataclass(frozen=True)
class RosterQueue:
    """A queue to cover: id ('chat-en-t1'), the skill it needs, its tier and priority."""

    queue_id: str
    skill: str
    tier: int
    priority: int = 1


@dataclass(frozen=True)
class VendorCapacity:
    """Outsourced (BPO) agents: flexible heads per interval, paid per agent-interval used.

    Attributes:
        vendor_id: the vendor.
        tier: the tier its agents work at.
        skills: skills its agents hold ('chat/en').
        max_agents: heads available in any one interval.
        available: grid positions in which the vendor works (its coverage policy).
        cost_per_interval: points per vendor agent-interval used beyond the prepaid ones.
        prepaid_intervals: agent-intervals of the horizon already paid for (a minimum
            commitment): using them costs nothing, so they are used before premium hours.
    """

    vendor_id: str
    tier: int
    skills: tuple[str, ...]
    max_agents: int
    available: tuple[int, ...]
    cost_per_interval: float
    prepaid_intervals: float = 0.0

    def __post_init__(self) -> None:
        if self.max_agents < 0 or self.cost_per_interval < 0 or self.prepaid_intervals < 0:
            raise InputError(
                f"vendor {self.vendor_id}: max_agents, cost and prepaid intervals must be >= 0"
            )


@dataclass(frozen=True)
class PreviousShift:
    """One assignment of a published roster (for stability when re-planning)."""

    agent_id: str
    date_local: date
    template: str


@dataclass(frozen=True)
class Weights:
    """Objective weights, in points (integers after scaling in `scaled`).

    Attributes:
        understaffing: per missing agent-interval, times the queue priority.
        overstaffing: per working agent-interval beyond the requirement.
        premium_hour: per hour of premium pay (night, weekend, holiday uplifts).
        night_shift: per night shift, so nights appear only where coverage needs them.
        fairness_nights: per night of spread (max minus min) within a site.
        fairness_weekends: per weekend of spread within a site.
        fairness_holidays: per public holiday of spread within a site.
        fairness_lates: per late shift of spread within a site.
        fairness_excess: per night or weekend day of spread beyond what `FairSpread`
            allows (on top of the spread's own weight).
        fairness_agent: per night or weekend day an agent works beyond the fewest of its
            site and tier plus what `FairSpread` allows. Unlike the spread, it falls with
            each such night moved to another agent, so the neighbourhood search can even
            nights out one move at a time (the spread only falls once every agent at the
            most has moved).
        wish: per unmet wish of an agent (a wished day off or shift).
        change: per changed agent-day against the previous roster (a published shift
            moved or dropped).
        change_added: per shift added on a day the previous roster had the agent off
            (less than `change`: an agent's own published shifts weigh more).
        frozen_shift: per frozen published shift not kept (a hard rule, relaxed only to
            explain infeasibility).
        vendor_hour: per vendor agent-hour at a price equal to the in-house hourly cost
            (the scenario mapping scales it by the vendor's price).
        hard_slack_minute: per minute below a contract minimum (a hard rule, relaxed only
            to explain infeasibility).
    """

    understaffing: float = 100.0
    overstaffing: float = 5.0
    premium_hour: float = 10.0
    night_shift: float = 10.0
    fairness_nights: float = 40.0
    fairness_weekends: float = 40.0
    fairness_holidays: float = 40.0
    fairness_lates: float = 20.0
    fairness_excess: float = 200.0
    fairness_agent: float = 40.0
    wish: float = 30.0
    change: float = 300.0
    change_added: float = 150.0
    frozen_shift: float = 1_000_000.0
    vendor_hour: float = 200.0
    hard_slack_minute: float = 10_000.0


@dataclass(frozen=True)
class FairSpread:
    """How far apart two agents of one site and tier may be, per 4 weeks.

    Nights and weekend days, scaled to the horizon and rounded up; beyond it each unit
    costs `Weights.fairness_excess`.
    """

    nights: int = 1
    weekend_days: int = 1

    def over(self, days: int) -> dict[str, int]:
        """The allowed spreads over a horizon of `days` days (rounded up), by what they count."""
        return {
            "nights": -(-self.nights * days // DAYS_PER_4_WEEKS),
            "weekends": -(-self.weekend_days * days // DAYS_PER_4_WEEKS),
        }


@dataclass(frozen=True)
class AgentClass:
    """Interchangeable agents: same site, tier, skill set and contract rules."""

    class_id: str
    site: str
    tier: int
    skills: tuple[str, ...]
    agent_ids: tuple[str, ...]
    queues: tuple[int, ...]


@dataclass(frozen=True)
class RosterInputs:
    """Everything the roster model needs, validated and indexed.

    Attributes:
        grid: UTC interval starts of the coverage horizon.
        interval_min: grain in minutes.
        start: first local date of the roster (the same date in every site).
        days: number of local dates rostered from `start`.
        agents: the agents.
        queues: the queues to cover.
        required: requirement in coverage units (heads x `units_per_head`), shape
            (len(queues), len(grid)), integers >= 0.
        options: every allowed shift per agent and date (time off already excluded).
        previous: a published roster to stay close to, or None.
        weights: objective weights.
        vendors: outsourced capacity usable beside the agents.
        units_per_head: coverage units per head: 4 lets an agent shared between queues
            cover a quarter of a head on each in one interval, so fractional
            requirements of small queues are not each rounded up to a whole head.
        notes: what building these inputs left out or found missing, in words (reported
            with the solve's diagnoses).
        fair_spread: the spread of nights and weekend days fairness allows.
    """

    grid: pd.DatetimeIndex
    interval_min: int
    start: date
    days: int
    agents: tuple[RosterAgent, ...]
    queues: tuple[RosterQueue, ...]
    required: np.ndarray
    options: tuple[ShiftOption, ...]
    previous: tuple[PreviousShift, ...] | None = None
    weights: Weights = field(default_factory=Weights)
    vendors: tuple[VendorCapacity, ...] = ()
    units_per_head: int = 1
    notes: tuple[str, ...] = ()
    fair_spread: FairSpread = field(default_factory=FairSpread)

    def __post_init__(self) -> None:
        problems: list[str] = []
        ids = [a.agent_id for a in self.agents]
        if len(ids) != len(set(ids)):
            problems.append("agent ids must be unique")
        if self.required.shape != (len(self.queues), len(self.grid)):
            problems.append(
                f"required has shape {self.required.shape}, expected "
                f"({len(self.queues)}, {len(self.grid)})"
            )
        elif (self.required < 0).any():
            problems.append("required agents must be >= 0")
        if self.units_per_head < 1:
            problems.append(f"units_per_head must be >= 1, got {self.units_per_head}")
        known = set(ids)
        for opt in self.options:
            if opt.agent_id not in known:
                problems.append(f"shift option for unknown agent {opt.agent_id!r}")
                break
            if not 0 <= (opt.date_local - self.start).days < self.days:
                problems.append(f"shift option on {opt.date_local} is outside the horizon")
                break
        if problems:
            raise InputError("invalid roster inputs", problems)

    def day_of(self, day: date) -> int:
        """Horizon day index of a local date."""
        return (day - self.start).days

    def date_of(self, day: int) -> date:
        """Local date of a horizon day index."""
        return self.start + timedelta(days=day)

    @property
    def weeks(self) -> int:
        """Number of local weeks (partial last week counted)."""
        return -(-self.days // DAYS_PER_WEEK)


@dataclass(frozen=True)
class RosterIndex:
    """Ranges derived from the inputs once, read by every constraint builder.

    Attributes:
        agent_pos: agent id to position in `inputs.agents`.
        by_agent_day: (agent position, day) to option positions.
        classes: agent classes for coverage.
        class_of_agent: agent position to class position.
        covering: (class position, interval) to option positions that work then.
        demand: (queue position, interval) pairs with a positive requirement inside the
            span its serving agents' shift options reach.
        outside: (queue position, interval) pairs with a requirement before the first or
            after the last interval any serving agent's options cover (the edges of a
            multi-zone horizon): not rostered, reported as a diagnosis.
        unserved: queue ids with demand but no agent or vendor able to serve them.
        start_minute: per option, its UTC start in whole minutes since the epoch.
        end_minute: per option, its UTC end in whole minutes since the epoch.
        segment_of: per interval, its coverage segment: a run of intervals alike in every
            requirement, in which queues are rostered, in vendors' availability and in
            which class shifts work them, so one count of each prices them all.
        segment_first: per segment, its first interval.
        segment_size: per segment, its number of intervals.
    """

    agent_pos: dict[str, int]
    by_agent_day: dict[tuple[int, int], tuple[int, ...]]
    classes: tuple[AgentClass, ...]
    class_of_agent: tuple[int, ...]
    covering: dict[tuple[int, int], tuple[int, ...]]
    demand: tuple[tuple[int, int], ...]
    outside: tuple[tuple[int, int], ...]
    unserved: tuple[str, ...]
    start_minute: tuple[int, ...]
    end_minute: tuple[int, ...]
    segment_of: tuple[int, ...]
    segment_first: tuple[int, ...]
    segment_size: tuple[int, ...]


def serves(agent: RosterAgent | AgentClass | VendorCapacity, queue: RosterQueue) -> bool:
    """Tell whether an agent (or class) can take contacts of a queue: skill and tier."""
    return queue.skill in agent.skills and queue.tier == agent.tier


def build_index(inputs: RosterInputs) -> RosterIndex:
    """Derive every index range the model builders need."""
    agent_pos = {a.agent_id: i for i, a in enumerate(inputs.agents)}
    by_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for o, opt in enumerate(inputs.options):
        by_day[(agent_pos[opt.agent_id], inputs.day_of(opt.date_local))].append(o)

    keyed: dict[tuple[str, int, tuple[str, ...], ContractRules], list[int]] = defaultdict(list)
    for i, agent in enumerate(inputs.agents):
        keyed[(agent.site, agent.tier, tuple(sorted(agent.skills)), agent.rules)].append(i)
    classes: list[AgentClass] = []
    class_of = [0] * len(inputs.agents)
    seen: dict[str, int] = defaultdict(int)
    for (site, tier, skills, _rules), members in sorted(
        keyed.items(), key=lambda item: (item[0][:3], item[1][0])
    ):
        probe = AgentClass("", site, tier, skills, (), ())
        queues = tuple(q for q, queue in enumerate(inputs.queues) if serves(probe, queue))
        c = len(classes)
        name = f"{site}/t{tier}/{'+'.join(skills)}"
        seen[name] += 1
        classes.append(
            AgentClass(
                class_id=name if seen[name] == 1 else f"{name}#{seen[name]}",
                site=site,
                tier=tier,
                skills=skills,
                agent_ids=tuple(inputs.agents[i].agent_id for i in members),
                queues=queues,
            )
        )
        for i in members:
            class_of[i] = c

    covering: dict[tuple[int, int], list[int]] = defaultdict(list)
    for o, opt in enumerate(inputs.options):
        c = class_of[agent_pos[opt.agent_id]]
        if not classes[c].queues:
            continue
        for t in opt.covered:
            covering[(c, t)].append(o)

    reach: dict[int, tuple[int, int]] = {}
    for c, t in covering:
        for q in classes[c].queues:
            lo, hi = reach.get(q, (t, t))
            reach[q] = (min(lo, t), max(hi, t))
    q_idx, t_idx = np.nonzero(inputs.required > 0)
    positive = list(zip(q_idx.tolist(), t_idx.tolist(), strict=True))
    for vendor in inputs.vendors:
        for q, queue in enumerate(inputs.queues):
            if serves(vendor, queue) and vendor.max_agents > 0 and vendor.available:
                lo, hi = reach.get(q, (vendor.available[0], vendor.available[0]))
                reach[q] = (min(lo, min(vendor.available)), max(hi, max(vendor.available)))
    served = {q for cls in classes for q in cls.queues} | {
        q
        for vendor in inputs.vendors
        for q, queue in enumerate(inputs.queues)
        if serves(vendor, queue) and vendor.max_agents > 0
    }
    unserved = tuple(
        inputs.queues[q].queue_id for q in sorted({q for q, _ in positive}) if q not in served
    )
    demand = tuple((q, t) for q, t in positive if q in reach and reach[q][0] <= t <= reach[q][1])
    inside = set(demand)
    outside = tuple(key for key in positive if key not in inside and key[0] in served)
    segment_of = _segments(inputs, classes, class_of, agent_pos, demand)
    sizes = np.bincount(segment_of)
    return RosterIndex(
        agent_pos=agent_pos,
        by_agent_day={k: tuple(v) for k, v in by_day.items()},
        classes=tuple(classes),
        class_of_agent=tuple(class_of),
        covering={k: tuple(v) for k, v in covering.items()},
        demand=demand,
        outside=outside,
        unserved=unserved,
        start_minute=_epoch_minutes([opt.start_utc for opt in inputs.options]),
        end_minute=_epoch_minutes([opt.end_utc for opt in inputs.options]),
        segment_of=tuple(segment_of.tolist()),
        segment_first=tuple(np.flatnonzero(np.diff(segment_of, prepend=-1)).tolist()),
        segment_size=tuple(sizes.tolist()),
    )


def _segments(
    inputs: RosterInputs,
    classes: list[AgentClass],
    class_of: list[int],
    agent_pos: dict[str, int],
    demand: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Each interval's coverage segment (see `RosterIndex.segment_of`), numbered from 0.

    A segment ends where a class shift (class, date, template, breaks) starts or stops
    working, a requirement changes, a queue's rostered span or a vendor's availability
    starts or ends.
    """
    n_t = len(inputs.grid)
    change = np.zeros(n_t + 1, dtype=bool)
    change[0] = True
    runs: set[tuple[object, ...]] = set()
    for opt in inputs.options:
        c = class_of[agent_pos[opt.agent_id]]
        if classes[c].queues:
            runs.add((c, opt.date_local, opt.template, opt.breaks_local, opt.covered))
    for *_key, covered in runs:
        worked = np.sort(np.asarray(covered, dtype=np.int64))
        if worked.size:
            gaps = np.flatnonzero(np.diff(worked) > 1)
            change[worked[np.r_[0, gaps + 1]]] = True
            change[worked[np.r_[gaps, worked.size - 1]] + 1] = True
    rostered = np.zeros(inputs.required.shape, dtype=bool)
    if demand:
        q_idx, t_idx = zip(*demand, strict=True)
        rostered[list(q_idx), list(t_idx)] = True
    alike = np.vstack([inputs.required, rostered])
    for vendor in inputs.vendors:
        works = np.zeros((1, n_t), dtype=np.int64)
        works[0, list(vendor.available)] = 1
        alike = np.vstack([alike, works])
    change[1:n_t] |= np.any(alike[:, 1:] != alike[:, :-1], axis=0)
    return np.cumsum(change[:n_t]) - 1


def _epoch_minutes(instants: list[pd.Timestamp]) -> tuple[int, ...]:
    """Whole minutes since the epoch of UTC instants (integer arithmetic for the rules)."""
    if not instants:
        return ()
    nanos = pd.DatetimeIndex(instants).as_unit("ns").asi8
    return tuple((nanos // 60_000_000_000).tolist())


# One shift whoever works it: (day, template, local breaks).
ShiftKey = tuple[int, str, tuple[str, ...]]
# One shift of one agent class on one day: (class position, day, template, local breaks).
OptionKey = tuple[int, int, str, tuple[str, ...]]


def published_templates(inputs: RosterInputs, index: RosterIndex) -> dict[tuple[int, int], str]:
    """(agent position, day) to the template a re-plan's previous roster published there."""
    published: dict[tuple[int, int], str] = {}
    for prev in inputs.previous or ():
        a = index.agent_pos.get(prev.agent_id)
        d = inputs.day_of(prev.date_local)
        if a is not None and 0 <= d < inputs.days:
            published[(a, d)] = prev.template
    return published


def shift_key(inputs: RosterInputs, o: int) -> ShiftKey:
    """What makes option `o` the same shift for another agent: day, template and breaks."""
    opt = inputs.options[o]
    return inputs.day_of(opt.date_local), opt.template, opt.breaks_local


def segment_lead(index: RosterIndex, t: int) -> int:
    """The first interval of interval t's coverage segment, which stands for all of it."""
    return index.segment_first[index.segment_of[t]]


def plans_by_agent(
    inputs: RosterInputs, index: RosterIndex, chosen: Iterable[int]
) -> list[list[int]]:
    """The option positions in `chosen`, one list per agent (in `inputs.agents` order)."""
    plans: list[list[int]] = [[] for _ in inputs.agents]
    for o in chosen:
        plans[index.agent_pos[inputs.options[o].agent_id]].append(o)
    return plans


def option_keys(inputs: RosterInputs, index: RosterIndex) -> list[OptionKey]:
    """The class-level key of every shift option, aligned with `inputs.options`."""
    return [
        (index.class_of_agent[index.agent_pos[opt.agent_id]], *shift_key(inputs, o))
        for o, opt in enumerate(inputs.options)
    ]


def week_min_minutes(agent: RosterAgent, inputs: RosterInputs, week: int) -> int:
    """A week's contract minimum, pro-rated for days of time off (and days past the horizon).

    An agent on leave three days of a week owes 4/7 of the weekly minimum, rounded down.
    """
    first = week * DAYS_PER_WEEK
    days = [d for d in range(first, min(first + DAYS_PER_WEEK, inputs.days))]
    available = sum(1 for d in days if inputs.date_of(d) not in agent.time_off)
    return agent.rules.min_minutes_week * available // DAYS_PER_WEEK
