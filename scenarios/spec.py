"""The scenario specification: one organisation, its demand and its policies.

Validated with pydantic at the edge; every model is frozen. `scenarios.loader` reads the
YAML (with `extends:`) and turns validation errors into field-path messages.
"""

from __future__ import annotations

import math
import re
import typing
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from forecasting.calendars import is_known_country
from forecasting.queues import QueueKey
from forecasting.timegrid import ALLOWED_INTERVAL_MIN, is_iana_zone

Channel = Literal["phone", "chat", "email", "web", "social"]
REALTIME_CHANNELS: frozenset[str] = frozenset({"phone", "chat"})
DEFERRED_CHANNELS: frozenset[str] = frozenset({"email", "web", "social"})
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
_SKILL = re.compile(r"^(phone|chat|email|web|social)/[a-z]{2,3}(-[A-Za-z0-9]+)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# Bounds on what a user types, checked before any work: each is far beyond a real
# organisation and keeps every later stage (break offsets, rosters, Erlang) finite.
MAX_SHIFT_MINUTES = 16 * 60  # a shift's longest length; breaks start inside it
MAX_BREAK_PLACEMENTS = 1_000  # ways to place a shift's breaks (roster options per day)
MAX_GROUP_AGENTS = 5_000  # agents in one headcount group or one vendor
MAX_AGENTS = 20_000  # agents of the whole scenario (each one is rostered)
MAX_WEEKLY_VOLUME = 10_000_000  # contacts a week per region and channel
MAX_SECONDS = 30 * 24 * 3600  # handle times, patience and targets: at most 30 days
MAX_SOLVER_SECONDS = 24 * 3600
MAX_ITEMS = 1_000  # sites, queues, regions, vendors, events, agents of a site
MAX_UPLIFT = 100.0  # an event multiplies volume by at most 101


def _allows_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    return any(_allows_bool(arg) for arg in typing.get_args(annotation))


def _holds_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(isinstance(v, bool) for v in value.values())
    if isinstance(value, list | tuple):
        return any(isinstance(v, bool) for v in value)
    return False


class Spec(BaseModel):
    """Base of every scenario model: frozen, and unknown keys are errors (typos surface)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_numbers(cls, data: Any) -> Any:
        """Refuse `count: true`: YAML reads yes/no/true as booleans, which pydantic takes as 1/0."""
        if not isinstance(data, dict):
            return data
        wrong = [
            name
            for name, field in cls.model_fields.items()
            if name in data and _holds_bool(data[name]) and not _allows_bool(field.annotation)
        ]
        if wrong:
            raise ValueError(
                f"{', '.join(wrong)}: expected a number or text, got a yes/no (true/false) value"
            )
        return data


def _zone(value: str) -> str:
    if not is_iana_zone(value):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Amsterdam')")
    return value


def _clock(value: str | time) -> time:
    if isinstance(value, time):
        return value
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", str(value))
    if not match:
        raise ValueError(f"{value!r} is not a local time HH:MM")
    return time(int(match[1]), int(match[2]))


LocalTime = Annotated[
    time,
    BeforeValidator(_clock),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]
"""A wall-clock time written HH:MM, read beside the IANA zone it belongs to."""


def _has_length(first: tuple[str, time], last: tuple[str, time], hint: str) -> None:
    """Refuse a daily window whose two ends are the same clock time (it has no length)."""
    if first[1] == last[1]:
        raise ValueError(f"{first[0]} and {last[0]} are both {first[1]:%H:%M}: no length ({hint})")


def _ident(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not an id: lower-case letters, digits, '-' and '_'")
    return value


class Break(Spec):
    """A break inside a shift: starts `offset_minutes` after the shift start.

    With `latest_offset_minutes`, the roster solver places it anywhere from the offset to
    the latest, in steps of `step_minutes`, where it costs coverage least.
    """

    offset_minutes: int = Field(ge=0, le=MAX_SHIFT_MINUTES)
    minutes: int = Field(gt=0, le=120)
    paid: bool = False
    latest_offset_minutes: int | None = Field(default=None, ge=0, le=MAX_SHIFT_MINUTES)
    step_minutes: int = Field(default=30, gt=0, le=MAX_SHIFT_MINUTES)

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.latest_offset_minutes is not None and (
            self.latest_offset_minutes < self.offset_minutes
        ):
            raise ValueError(
                f"latest_offset_minutes {self.latest_offset_minutes} is before "
                f"offset_minutes {self.offset_minutes}"
            )
        return self

    @property
    def last_offset(self) -> int:
        """The latest start the break may take, in minutes after the shift start."""
        if self.latest_offset_minutes is None:
            return self.offset_minutes
        steps = (self.latest_offset_minutes - self.offset_minutes) // self.step_minutes
        return self.offset_minutes + steps * self.step_minutes

    @property
    def offsets(self) -> tuple[int, ...]:
        """Every start the break may take, in minutes after the shift start."""
        return tuple(range(self.offset_minutes, self.last_offset + 1, self.step_minutes))


class ShiftTemplate(Spec):
    """A shift in the site's local time, e.g. 08:00 for 9 hours with a 60-minute lunch."""

    id: str
    start: LocalTime
    hours: float = Field(
        gt=0, le=MAX_SHIFT_MINUTES / 60, description="elapsed length, breaks included"
    )
    breaks: tuple[Break, ...] = Field(default=(), max_length=10)

    _id = field_validator("id")(_ident)

    @model_validator(mode="after")
    def _breaks_inside(self) -> ShiftTemplate:
        for i, brk in enumerate(self.breaks):
            if brk.last_offset + brk.minutes > self.hours * 60:
                raise ValueError(f"breaks[{i}] ends after the shift's {self.hours} hours")
        # Breaks are placed in the order listed, each after the previous one ends; the
        # earliest placement of each shows whether any placement exists at all.
        ends = 0
        for i, brk in enumerate(self.breaks):
            steps = math.ceil(max(0, ends - brk.offset_minutes) / brk.step_minutes)
            start = brk.offset_minutes + steps * brk.step_minutes
            if start > brk.last_offset:
                raise ValueError(
                    f"breaks[{i}] always overlaps breaks[{i - 1}]: it starts at the latest at "
                    f"{brk.last_offset} minutes, the break before it ends at the earliest at {ends}"
                )
            ends = start + brk.minutes
        placements = math.prod(
            len(range(b.offset_minutes, b.last_offset + 1, b.step_minutes)) for b in self.breaks
        )
        if placements > MAX_BREAK_PLACEMENTS:
            raise ValueError(
                f"the break windows give {placements:,} placements, more than "
                f"{MAX_BREAK_PLACEMENTS:,}: each is a roster option per agent and day; "
                "use a larger step_minutes or a narrower window"
            )
        return self

    @property
    def paid_hours(self) -> float:
        """Hours paid: the length less unpaid breaks."""
        return self.hours - sum(b.minutes for b in self.breaks if not b.paid) / 60


class Contract(Spec):
    """Labour rules that apply to every agent of a site (country law and contract)."""

    min_hours_week: float = Field(default=0, ge=0, le=168)
    max_hours_week: float = Field(default=40, gt=0, le=168)
    max_shifts_week: int = Field(default=5, ge=1, le=7)
    max_consecutive_days: int = Field(default=5, ge=1, le=28)
    min_consecutive_days_off: int = Field(default=1, ge=1, le=7)
    min_rest_hours: float = Field(default=11, ge=0, le=24)
    max_nights_per_4_weeks: int = Field(default=8, ge=0, le=28)
    max_weekends_per_4_weeks: int = Field(default=2, ge=0, le=4)
    night_start: LocalTime = time(22, 0)
    night_end: LocalTime = time(6, 0)
    shift_templates: tuple[ShiftTemplate, ...] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _coherent(self) -> Contract:
        if self.min_hours_week > self.max_hours_week:
            raise ValueError(
                f"min_hours_week {self.min_hours_week} exceeds max_hours_week {self.max_hours_week}"
            )
        ids = [t.id for t in self.shift_templates]
        if len(ids) != len(set(ids)):
            raise ValueError(f"shift template ids must be unique, got {ids}")
        return self


class Premiums(Spec):
    """Pay uplifts as fractions of the hourly cost (0.25 = +25%)."""

    night: float = Field(default=0.0, ge=0, le=10)
    weekend: float = Field(default=0.0, ge=0, le=10)
    holiday: float = Field(default=0.0, ge=0, le=10)


class AgentGroup(Spec):
    """`count` agents of one tier and skill mix, named `<site>-t<tier>-<nn>`.

    `contract` names one of the site's `contracts` (part-time, say); by default the site's
    `contract` applies.
    """

    tier: int = Field(ge=1, le=3)
    count: int = Field(ge=0, le=MAX_GROUP_AGENTS)
    skills: tuple[str, ...] = Field(min_length=1, max_length=100)
    contract: str | None = None

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for skill in value:
            if not _SKILL.match(skill):
                raise ValueError(f"{skill!r} is not a skill 'channel/language', e.g. 'chat/en'")
        return value


class Availability(Spec):
    """A window an agent can work in: shifts start and end inside it on these weekdays.

    An `end` at or before `start` runs past midnight (22:00 to 06:00).
    """

    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _not_empty(self) -> Availability:
        _has_length(
            ("start", self.start),
            ("end", self.end),
            "leave `availability` out for an agent available at any time",
        )
        return self


class Preferences(Spec):
    """Soft wishes the roster honours where coverage allows (each unmet one costs points).

    `days_off`: weekdays ('sat') or dates the agent would rather not work; `shifts`:
    template ids the agent would rather work (any other shift is an unmet wish);
    `weight`: how much this agent's wishes count against others' (1 = normal).
    """

    days_off: tuple[Weekday | date, ...] = ()
    shifts: tuple[str, ...] = ()
    weight: float = Field(default=1.0, ge=0, le=10)


class Agent(AgentGroup):
    """One named agent (overrides the group form when listed explicitly).

    Time off and availability are hard (no shift is offered outside them); preferences
    are soft.
    """

    id: str
    count: int = Field(default=1, ge=0, le=1)
    time_off: tuple[date, ...] = Field(default=(), max_length=MAX_ITEMS)
    availability: tuple[Availability, ...] = Field(default=(), max_length=100)
    preferences: Preferences = Preferences()

    _id = field_validator("id")(_ident)


class Site(Spec):
    """An office: zone, country for holidays, contract, agents and costs."""

    id: str
    name: str
    timezone: str
    country: str = Field(min_length=2, max_length=2)
    subdivision: str | None = None
    hourly_cost: Decimal = Field(gt=0, le=100_000, description="loaded cost per paid hour")
    premiums: Premiums = Premiums()
    contract: Contract
    contracts: dict[str, Contract] = Field(
        default_factory=dict, description="other contracts agents may name (part-time, ...)"
    )
    headcount: tuple[AgentGroup, ...] = Field(default=(), max_length=MAX_ITEMS)
    agents: tuple[Agent, ...] = Field(default=(), max_length=MAX_AGENTS)
    opens: date | None = Field(default=None, description="first working day, for expansions")

    _id = field_validator("id")(_ident)
    _tz = field_validator("timezone")(_zone)

    @model_validator(mode="after")
    def _country_known(self) -> Site:
        if not is_known_country(self.country, self.subdivision):
            raise ValueError(
                f"country {self.country!r} subdivision {self.subdivision!r} has no holiday "
                "calendar; expected an ISO 3166-1 alpha-2 code such as 'US', 'TW', 'NL'"
            )
        return self

    @model_validator(mode="after")
    def _agent_contracts(self) -> Site:
        problems = []
        for kind, groups in (("headcount", self.headcount), ("agents", self.agents)):
            for i, group in enumerate(groups):
                if group.contract is not None and group.contract not in self.contracts:
                    problems.append(
                        f"{kind}[{i}].contract: {group.contract!r} is not one of this site's "
                        f"contracts {sorted(self.contracts)}"
                    )
                    continue
                if isinstance(group, Agent):
                    ids = {t.id for t in self.contract_of(group).shift_templates}
                    for shift in group.preferences.shifts:
                        if shift not in ids:
                            problems.append(
                                f"{kind}[{i}].preferences.shifts: {shift!r} is not a shift "
                                f"template of its contract {sorted(ids)}"
                            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def contract_of(self, group: AgentGroup) -> Contract:
        """The contract an agent or group works under."""
        return self.contract if group.contract is None else self.contracts[group.contract]


class ServiceTarget(Spec):
    """A share of contacts answered within a time: 0.8 within 20 s, or 0.9 within 24 h."""

    fraction: Fraction = 0.8
    within_seconds: float = Field(gt=0, le=MAX_SECONDS)


class WeeklyOpen(Spec):
    """Opening hours on given weekdays in a named zone (business or extended hours)."""

    kind: Literal["hours"] = "hours"
    timezone: str
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    open: LocalTime
    close: LocalTime

    _tz = field_validator("timezone")(_zone)

    @model_validator(mode="after")
    def _not_empty(self) -> WeeklyOpen:
        _has_length(
            ("open", self.open), ("close", self.close), "use `kind: 24x7` for round the clock"
        )
        return self


class WeekPointSpec(Spec):
    """A point in the week: weekday and local time in a named zone."""

    day: Weekday
    time: LocalTime
    timezone: str

    _tz = field_validator("timezone")(_zone)


class Span24x5(Spec):
    """Round the clock from a start to an end in the week, e.g. Mon 07:00 Taipei to Fri 22:00 LA.

    `kind: span` is the same policy under a neutral name, for spans that are not a
    working week (a vendor's weekend from Friday night to Monday morning).
    """

    kind: Literal["24x5", "span"] = "24x5"
    start: WeekPointSpec
    end: WeekPointSpec


class Always(Spec):
    """24/7/365."""

    kind: Literal["24x7"] = "24x7"


MAX_STAFFING_UPLIFT = 4.0
"""The largest factor on a queue's requirement: beyond it sizing calls the target unreachable."""

Coverage = Annotated[WeeklyOpen | Span24x5 | Always, Field(discriminator="kind")]


class Queue(Spec):
    """Channel x language x tier, with its service target and staffing factors."""

    channel: Channel
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
    tier: int = Field(ge=1, le=3)
    target: ServiceTarget
    aht_seconds: float = Field(
        gt=0, le=MAX_SECONDS, description="default handle time when history has none"
    )
    concurrency: float = Field(default=1.0, ge=1.0, le=10.0)
    patience_seconds: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    escalation_rate: Fraction = 0.0
    escalates_to: str | None = Field(default=None, description="queue id that takes escalations")
    shrinkage: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.32
    max_occupancy: Annotated[float, Field(gt=0.0, le=1.0)] = 0.85
    priority: int = Field(default=1, ge=1, le=10, description="weight of its understaffing")
    reserved_agents: int = Field(
        default=0, ge=0, le=1000, description="simulation routing: idle agents kept free for it"
    )
    staffing_uplift: float = Field(
        default=1.0,
        ge=1.0,
        le=MAX_STAFFING_UPLIFT,
        description="factor on its required agents, so the roster staffs above Erlang",
    )
    coverage: Coverage

    @property
    def id(self) -> str:
        """The queue's key, e.g. 'chat-en-t1'."""
        return self.key.format()

    @property
    def key(self) -> QueueKey:
        """The queue's channel, language and tier as one key."""
        return QueueKey(self.channel, self.language, self.tier)

    @property
    def skill(self) -> str:
        """The skill an agent needs to serve it, e.g. 'chat/en'."""
        return f"{self.channel}/{self.language}"

    @model_validator(mode="after")
    def _channel_factors(self) -> Queue:
        if self.concurrency > 1 and self.channel != "chat":
            raise ValueError(f"concurrency applies to chat only, not {self.channel}")
        return self


class Region(Spec):
    """Where customers are: their zone, country (holidays), language mix and weekly volume."""

    id: str
    timezone: str
    country: str = Field(min_length=2, max_length=2)
    languages: dict[str, Fraction] = Field(max_length=100)
    weekly_volume: dict[Channel, Annotated[float, Field(ge=0, le=MAX_WEEKLY_VOLUME)]] = Field(
        description="new Tier 1 contacts per week"
    )

    _id = field_validator("id")(_ident)
    _tz = field_validator("timezone")(_zone)

    @field_validator("languages")
    @classmethod
    def _mix(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"language shares must add up to 1, got {total:g}")
        return value


class Event(Spec):
    """A declared event (launch, outage, campaign) multiplying volume over dates."""

    name: str
    start: date
    end: date
    uplift: float = Field(gt=-1.0, le=MAX_UPLIFT, description="0.3 = +30% volume")
    channels: tuple[Channel, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Demand(Spec):
    """Customer regions and the levers on their volume."""

    regions: tuple[Region, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    growth_per_year: float = Field(default=0.0, gt=-1.0, le=10.0)
    deflection: dict[Channel, Fraction] = {}
    events: tuple[Event, ...] = Field(default=(), max_length=MAX_ITEMS)


class PriceModel(Spec):
    """How a BPO bills: per agent hour, per handled ticket, or per FTE month."""

    kind: Literal["per_hour", "per_ticket", "per_fte_month"]
    rate: Decimal = Field(gt=0, le=1_000_000)
    minimum_monthly: Decimal = Field(default=Decimal(0), ge=0, le=1_000_000_000)
    setup_fee: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=1_000_000_000,
        description="one-off set-up fee, amortised over setup_months",
    )
    setup_months: int = Field(default=12, ge=1, le=120)


class SlaCredit(Spec):
    """A refund the vendor owes when its service level misses the contracted target.

    `share` of the period's usage and minimum charges is credited back when the service
    level of the contacts in the vendor's hours (its queues, the intervals it supplied
    heads) falls below `target`.
    """

    target: Annotated[float, Field(gt=0.0, le=1.0)]
    share: Annotated[float, Field(gt=0.0, le=1.0)]


class Vendor(Spec):
    """An outsourcing vendor offering agents for some skills in some hours."""

    id: str
    name: str
    price: PriceModel
    max_agents: int = Field(ge=0, le=MAX_GROUP_AGENTS)
    tier: int = Field(default=1, ge=1, le=3)
    skills: tuple[str, ...] = Field(min_length=1, max_length=100)
    coverage: Coverage
    quality_factor: Annotated[float, Field(gt=0.0, le=1.5)] = 1.0
    aht_factor: float | None = Field(
        default=None,
        gt=0,
        le=5,
        description="vendor handle time / in-house; None: 1 / quality_factor",
    )
    one_touch_rate: Fraction | None = Field(
        default=None, description="share resolved without escalation; None: the queue's own rate"
    )
    sla_credit: SlaCredit | None = Field(
        default=None, description="refund share when the vendor's service level misses target"
    )

    _id = field_validator("id")(_ident)


class Planning(Spec):
    """Planning grain and solver budget."""

    interval_minutes: int = 15
    weeks: int = Field(default=4, ge=1, le=12)
    solver_seconds: float = Field(default=30, gt=0, le=MAX_SOLVER_SECONDS)
    overstaffing_weight: float = Field(default=0.05, ge=0, le=1000)
    fair_night_spread: int = Field(
        default=1, ge=0, le=28, description="most nights apart within a site and tier per 4 weeks"
    )
    fair_weekend_day_spread: int = Field(
        default=1,
        ge=0,
        le=28,
        description="most weekend days apart within a site and tier per 4 weeks",
    )

    @field_validator("interval_minutes")
    @classmethod
    def _grain(cls, value: int) -> int:
        if value not in ALLOWED_INTERVAL_MIN:
            raise ValueError(
                f"{value} is not a planning grain; expected one of {ALLOWED_INTERVAL_MIN}"
            )
        return value


class Scenario(Spec):
    """One organisation and its policies: the input of every pipeline stage."""

    name: str
    description: str = ""
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    planning: Planning = Planning()
    sites: tuple[Site, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    queues: tuple[Queue, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    demand: Demand
    vendors: tuple[Vendor, ...] = Field(default=(), max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems: list[str] = []
        site_ids = [s.id for s in self.sites]
        if len(site_ids) != len(set(site_ids)):
            problems.append(f"site ids must be unique, got {site_ids}")
        names = [s.name.strip().casefold() for s in self.sites]
        twice = sorted(
            {s.name for s, n in zip(self.sites, names, strict=True) if names.count(n) > 1}
        )
        if twice:
            problems.append(
                f"site names must be unique (reports tell sites by name), got {twice} twice"
            )
        agents = sum(g.count for site in self.sites for g in (*site.headcount, *site.agents))
        if agents > MAX_AGENTS:
            problems.append(
                f"{agents:,} agents in all; at most {MAX_AGENTS:,} are rostered in one scenario"
            )
        if agents == 0 and all(v.max_agents == 0 for v in self.vendors):
            problems.append(
                "no agents anywhere: every headcount count and vendor max_agents is 0, so "
                "no queue can be staffed"
            )
        queue_ids = [q.id for q in self.queues]
        if len(queue_ids) != len(set(queue_ids)):
            problems.append(f"queues must be unique by channel, language and tier, got {queue_ids}")
        served = {
            (skill, g.tier)
            for site in self.sites
            for g in (*site.headcount, *site.agents)
            for skill in g.skills
        }
        served |= {(skill, v.tier) for v in self.vendors for skill in v.skills}
        for q in self.queues:
            if (q.skill, q.tier) not in served:
                problems.append(
                    f"queue {q.id}: no agent or vendor has skill {q.skill!r} at tier {q.tier}"
                )
        for q in self.queues:
            if q.escalation_rate > 0 and q.escalates_to is None:
                problems.append(f"queue {q.id}: escalation_rate > 0 needs escalates_to")
            if q.escalates_to is not None:
                target = next((t for t in self.queues if t.id == q.escalates_to), None)
                if target is None:
                    problems.append(f"queue {q.id}: escalates_to {q.escalates_to!r} is not a queue")
                elif target.tier <= q.tier:
                    problems.append(f"queue {q.id}: escalates_to {target.id} must be a higher tier")
        agent_ids = [a.id for site in self.sites for a in site.agents]
        if len(agent_ids) != len(set(agent_ids)):
            problems.append("agent ids must be unique across sites")
        tier1 = {(q.channel, q.language) for q in self.queues if q.tier == 1}
        for region in self.demand.regions:
            for channel in region.weekly_volume:
                for language in region.languages:
                    if (channel, language) not in tier1:
                        problems.append(
                            f"demand region {region.id}: {channel}/{language} has volume but no Tier 1 queue"
                        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def site(self, site_id: str) -> Site:
        """The site with this id."""
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)

    def queue(self, queue_id: str) -> Queue:
        """The queue with this id, e.g. 'chat-en-t1'."""
        for queue in self.queues:
            if queue.id == queue_id:
                return queue
        raise KeyError(queue_id)
