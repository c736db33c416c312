"""A seeded generator of realistic helpdesk tickets (the model is in docs/SYNTHETIC.md).

Demand comes from customer regions: each has a time zone, a country (public holidays), a
language mix and a weekly Tier 1 volume per channel. Arrivals follow intraday curves in
the customers' LOCAL time, a day-of-week profile, growth, holidays, declared events,
deflection, day-level and interval-level (negative-binomial) noise and occasional spikes.
Each Tier 1 ticket gets a lognormal handle time around its queue's AHT, a first reply, a
solve time and maybe a CSAT rating; a share escalates and produces a Tier 2 ticket.

The generator is pure: the caller passes the random Generator, the span and the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from forecasting.calendars import public_holidays
from forecasting.errors import InputError
from forecasting.schema import TICKETS
from forecasting.timegrid import as_utc, is_iana_zone

NS_PER_S = 1_000_000_000
DAY_NS = 86_400 * NS_PER_S
YEAR_DAYS = 365.25

# Relative arrivals per LOCAL hour 00..23 (customers' wall clock), per channel.
_BUSINESS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 15, 17, 18, 17, 14, 10, 7, 6, 5, 4, 3, 2)
_CHAT = (2, 1, 1, 1, 1, 2, 4, 7, 12, 16, 17, 16, 14, 15, 16, 15, 13, 11, 9, 8, 7, 6, 4, 3)
_TICKET = (3, 2, 2, 2, 2, 3, 5, 8, 11, 13, 13, 12, 11, 12, 12, 12, 11, 10, 9, 8, 7, 6, 5, 4)
_SOCIAL = (3, 2, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 9, 9, 9, 10, 11, 12, 13, 12, 10, 7, 5)
DEFAULT_WEEKDAY_WEIGHTS = (1.0, 1.02, 0.98, 0.95, 0.88, 0.35, 0.3)


@dataclass(frozen=True)
class ChannelProfile:
    """How one channel behaves: its local intraday curve and its timing distributions.

    Attributes:
        channel: e.g. 'chat'.
        hourly_weights: 24 relative arrival weights by local hour (00..23).
        aht_sigma: sigma of the lognormal handle time (its mean is the queue's AHT).
        first_reply_mean_s: mean (exponential) wait until the first reply, seconds.
        resolution_mean_s: mean (exponential) time from first reply + handling to solved.
    """

    channel: str
    hourly_weights: tuple[float, ...]
    aht_sigma: float
    first_reply_mean_s: float
    resolution_mean_s: float

    def __post_init__(self) -> None:
        if (
            len(self.hourly_weights) != 24
            or min(self.hourly_weights) < 0
            or sum(self.hourly_weights) <= 0
        ):
            raise InputError(
                f"channel {self.channel}: hourly_weights must be 24 non-negative weights"
            )
        if self.aht_sigma < 0 or self.first_reply_mean_s < 0 or self.resolution_mean_s < 0:
            raise InputError(f"channel {self.channel}: sigma and mean times must be non-negative")


DEFAULT_PROFILES = (
    ChannelProfile("phone", tuple(float(w) for w in _BUSINESS), 0.45, 40.0, 600.0),
    ChannelProfile("chat", tuple(float(w) for w in _CHAT), 0.5, 30.0, 900.0),
    ChannelProfile("email", tuple(float(w) for w in _TICKET), 0.6, 4 * 3600.0, 8 * 3600.0),
    ChannelProfile("web", tuple(float(w) for w in _TICKET), 0.6, 3 * 3600.0, 6 * 3600.0),
    ChannelProfile("social", tuple(float(w) for w in _SOCIAL), 0.5, 1800.0, 4 * 3600.0),
)


@dataclass(frozen=True)
class RegionDemand:
    """A customer region: zone, country for holidays, language mix and Tier 1 volume.

    Attributes:
        id: region id, written to the tickets' `region` column.
        timezone: IANA zone of the customers' wall clock.
        country: ISO 3166-1 alpha-2 code for public holidays.
        language_shares: (language, share) pairs adding up to 1.
        weekly_volume: (channel, new Tier 1 contacts per week at the anchor date) pairs.
    """

    id: str
    timezone: str
    country: str
    language_shares: tuple[tuple[str, float], ...]
    weekly_volume: tuple[tuple[str, float], ...]

    def __post_init__(self) -> None:
        if not is_iana_zone(self.timezone):
            raise InputError(f"region {self.id}: {self.timezone!r} is not an IANA time zone")
        shares = [s for _, s in self.language_shares]
        if not shares or min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-6:
            raise InputError(f"region {self.id}: language shares must be >= 0 and add up to 1")
        if any(v < 0 for _, v in self.weekly_volume):
            raise InputError(f"region {self.id}: weekly volumes must be >= 0")


@dataclass(frozen=True)
class QueueModel:
    """A queue's handle time and escalation rate (Tier 1 to Tier 2), as the generator needs.

    `escalates_to` names the (channel, language, tier) queue taking its escalations; None
    picks a Tier 2 queue by the rule of `_tier2_targets`.
    """

    channel: str
    language: str
    tier: int
    aht_s: float
    escalation_rate: float = 0.0
    escalates_to: tuple[str, str, int] | None = None

    def __post_init__(self) -> None:
        if self.aht_s <= 0:
            raise InputError(
                f"queue {self.channel}/{self.language}/t{self.tier}: aht_s must be > 0"
            )
        if not 0.0 <= self.escalation_rate <= 1.0:
            raise InputError(
                f"queue {self.channel}/{self.language}: escalation_rate must be in [0, 1]"
            )


@dataclass(frozen=True)
class DemandEvent:
    """A declared event (launch, outage, campaign): volume x (1 + uplift) on local dates."""

    name: str
    start: date
    end: date
    uplift: float
    channels: tuple[str, ...] = ()  # empty: every channel


@dataclass(frozen=True)
class GeneratorInputs:
    """Everything the ticket generator draws from (see docs/SYNTHETIC.md).

    Attributes:
        regions: customer regions.
        queues: every queue; each region's (channel, language) needs a Tier 1 queue.
        growth_per_year: volume growth, 0.2 = +20% a year (compounded continuously per day).
        volume_anchor: UTC date at which `weekly_volume` holds; None = the span's start.
        weekday_weights: relative volume Monday..Sunday (customers' local days).
        channel_profiles: intraday curves and timing per channel.
        holiday_factor: volume multiplier on a region's public holidays.
        dispersion: negative-binomial shape k per interval (variance mu + mu^2 / k).
        day_noise_cv: coefficient of variation of a gamma day-level multiplier.
        spikes_per_year: mean count of spikes per region (Poisson).
        spike_uplift: (low, high) of the uniform extra multiplier of a spike (1.0 = +100%).
        spike_hours: (low, high) whole hours a spike lasts.
        deflection: (channel, share taken by self-service) pairs.
        events: declared events.
        tier2_delay_mean_s: mean (exponential) delay from Tier 1 handling to the Tier 2 ticket.
        csat_response_rate: share of solved tickets with a rating.
        csat_satisfied: probability a rating is positive for a one-touch ticket.
        csat_escalation_penalty: probability drop for an escalated ticket.
        step_min: grain at which arrival intensity is computed (within it, uniform).
    """

    regions: tuple[RegionDemand, ...]
    queues: tuple[QueueModel, ...]
    growth_per_year: float = 0.0
    volume_anchor: date | None = None
    weekday_weights: tuple[float, ...] = DEFAULT_WEEKDAY_WEIGHTS
    channel_profiles: tuple[ChannelProfile, ...] = DEFAULT_PROFILES
    holiday_factor: float = 0.35
    dispersion: float = 30.0
    day_noise_cv: float = 0.06
    spikes_per_year: float = 4.0
    spike_uplift: tuple[float, float] = (0.5, 2.0)
    spike_hours: tuple[int, int] = (1, 6)
    deflection: tuple[tuple[str, float], ...] = ()
    events: tuple[DemandEvent, ...] = ()
    tier2_delay_mean_s: float = 1800.0
    csat_response_rate: float = 0.3
    csat_satisfied: float = 0.95
    csat_escalation_penalty: float = 0.1
    step_min: int = 15
    _profiles: dict[str, ChannelProfile] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.regions:
            problems.append("at least one region is required")
        if (
            len(self.weekday_weights) != 7
            or min(self.weekday_weights) < 0
            or sum(self.weekday_weights) <= 0
        ):
            problems.append("weekday_weights must be 7 non-negative weights, Monday first")
        if self.growth_per_year <= -1:
            problems.append("growth_per_year must be > -1")
        if self.dispersion <= 0 or self.day_noise_cv < 0 or self.spikes_per_year < 0:
            problems.append("dispersion must be > 0; day_noise_cv and spikes_per_year >= 0")
        if not self.holiday_factor >= 0:
            problems.append("holiday_factor must be >= 0")
        if self.spike_hours[0] < 1 or self.spike_hours[1] < self.spike_hours[0]:
            problems.append("spike_hours must be (low >= 1, high >= low)")
        if self.step_min not in (1, 5, 15, 30, 60):
            problems.append("step_min must be one of 1, 5, 15, 30, 60")
        profiles = {p.channel: p for p in self.channel_profiles}
        tier1 = {(q.channel, q.language) for q in self.queues if q.tier == 1}
        for region in self.regions:
            for channel, _ in region.weekly_volume:
                if channel not in profiles:
                    problems.append(f"region {region.id}: no channel profile for {channel!r}")
                for language, _ in region.language_shares:
                    if (channel, language) not in tier1:
                        problems.append(
                            f"region {region.id}: no Tier 1 queue for {channel}/{language}"
                        )
        keys = [(q.channel, q.language, q.tier) for q in self.queues]
        if len(keys) != len(set(keys)):
            problems.append("queues must be unique by channel, language and tier")
        for q in self.queues:
            if q.escalates_to is not None and q.escalates_to not in keys:
                problems.append(
                    f"queue {q.channel}/{q.language}/t{q.tier}: escalates_to {q.escalates_to} is not a queue"
                )
        if problems:
            raise InputError("invalid generator inputs", problems)
        object.__setattr__(self, "_profiles", profiles)

    def profile(self, channel: str) -> ChannelProfile:
        """The behaviour of `channel`."""
        return self._profiles[channel]


def intraday_shares(
    weights: tuple[float, ...], minute_of_day: np.ndarray, step_min: int
) -> np.ndarray:
    """Share of a regular day's volume arriving in the step starting at each local minute.

    The hourly weights are read as a piecewise-linear curve through the hour midpoints
    (cyclic over midnight), so the profile has no steps at the full hours.
    """
    hours = np.arange(24) + 0.5
    w = np.asarray(weights, dtype=float)
    xp = np.concatenate([[hours[-1] - 24], hours, [hours[0] + 24]])
    fp = np.concatenate([[w[-1]], w, [w[0]]])
    day_points = (np.arange(0, 1440, step_min) + step_min / 2) / 60
    total = np.interp(day_points, xp, fp).sum()
    at = (np.asarray(minute_of_day, dtype=float) + step_min / 2) / 60
    return np.interp(at, xp, fp) / total


def _tier2_targets(queues: tuple[QueueModel, ...]) -> dict[tuple[str, str], QueueModel]:
    """The queue each Tier 1 (channel, language) escalates to.

    Its `escalates_to` when given; else the Tier 2 queue of the same channel and language,
    else the same language on any channel, else the first Tier 2 queue; none when there is
    no Tier 2 at all.
    """
    by_key = {(q.channel, q.language, q.tier): q for q in queues}
    tier2 = [q for q in queues if q.tier == 2]
    out: dict[tuple[str, str], QueueModel] = {}
    for q in queues:
        if q.tier != 1:
            continue
        if q.escalates_to is not None:
            out[(q.channel, q.language)] = by_key[q.escalates_to]
            continue
        if not tier2:
            continue
        same = [t for t in tier2 if (t.channel, t.language) == (q.channel, q.language)]
        lang = [t for t in tier2 if t.language == q.language]
        out[(q.channel, q.language)] = (same or lang or tier2)[0]
    return out


@dataclass(frozen=True)
class _Arrivals:
    """Tier 1 arrivals: creation instants and codes into the T1 queue and region lists."""

    created_ns: np.ndarray
    queue: np.ndarray  # index into the list of Tier 1 queues
    region: np.ndarray  # index into inputs.regions


def _region_counts(
    inputs: GeneratorInputs,
    region: RegionDemand,
    grid: pd.DatetimeIndex,
    anchor_ns: int,
    rng: np.random.Generator,
) -> list[tuple[str, str, np.ndarray]]:
    """(channel, language, counts per grid step) for one region."""
    local = grid.tz_convert(region.timezone)
    minute = np.asarray(local.hour * 60 + local.minute)
    weekday = np.asarray(local.weekday)
    day_ordinal = np.asarray(local.normalize().tz_localize(None).asi8 // DAY_NS)
    days, day_idx = np.unique(day_ordinal, return_inverse=True)
    day_dates = pd.to_datetime(days * DAY_NS).date
    years = sorted({d.year for d in day_dates})
    holidays = set(public_holidays(region.country, years))
    day_factor = np.where([d in holidays for d in day_dates], inputs.holiday_factor, 1.0)
    wd_weights = np.asarray(inputs.weekday_weights, dtype=float)
    daily_share = wd_weights[weekday] / wd_weights.sum()
    elapsed_years = (grid.asi8 - anchor_ns) / (DAY_NS * YEAR_DAYS)
    growth = np.exp(np.log1p(inputs.growth_per_year) * elapsed_years)

    # Spikes (outages, incidents): a few hours at a multiple of the usual volume.
    spike = np.ones(len(grid))
    span_years = len(grid) * inputs.step_min / (1440 * YEAR_DAYS)
    steps_per_hour = 60 // inputs.step_min
    for _ in range(int(rng.poisson(inputs.spikes_per_year * span_years))):
        start = int(rng.integers(0, len(grid)))
        hours = int(rng.integers(inputs.spike_hours[0], inputs.spike_hours[1] + 1))
        spike[start : start + hours * steps_per_hour] *= 1 + rng.uniform(*inputs.spike_uplift)

    deflection = dict(inputs.deflection)
    out: list[tuple[str, str, np.ndarray]] = []
    for channel, weekly in region.weekly_volume:
        profile = inputs.profile(channel)
        event = np.ones(len(days))
        for ev in inputs.events:
            if ev.channels and channel not in ev.channels:
                continue
            inside = np.array([ev.start <= d <= ev.end for d in day_dates])
            event = np.where(inside, event * (1 + ev.uplift), event)
        if inputs.day_noise_cv > 0:
            shape = 1 / inputs.day_noise_cv**2
            day_noise = rng.gamma(shape, 1 / shape, size=len(days))
        else:
            day_noise = np.ones(len(days))
        mu = (
            weekly
            * daily_share
            * intraday_shares(profile.hourly_weights, minute, inputs.step_min)
            * growth
            * (day_factor * event * day_noise)[day_idx]
            * spike
            * (1 - deflection.get(channel, 0.0))
        )
        k = inputs.dispersion
        lam = rng.gamma(k, np.maximum(mu, 0) / k)
        counts = rng.poisson(lam)
        languages = [lang for lang, _ in region.language_shares]
        shares = np.array([s for _, s in region.language_shares], dtype=float)
        split = rng.multinomial(counts, shares / shares.sum())
        for j, language in enumerate(languages):
            out.append((channel, language, split[:, j]))
    return out


def _arrivals(
    inputs: GeneratorInputs,
    grid: pd.DatetimeIndex,
    anchor_ns: int,
    rng: np.random.Generator,
    tier1: list[QueueModel],
) -> _Arrivals:
    step_ns = inputs.step_min * 60 * NS_PER_S
    index = {(q.channel, q.language): i for i, q in enumerate(tier1)}
    created, queues, regions = [], [], []
    for r, region in enumerate(inputs.regions):
        for channel, language, counts in _region_counts(inputs, region, grid, anchor_ns, rng):
            starts = np.repeat(grid.asi8, counts)
            created.append(starts + rng.integers(0, step_ns, size=len(starts)))
            queues.append(np.full(len(starts), index[(channel, language)], dtype=np.int64))
            regions.append(np.full(len(starts), r, dtype=np.int64))
    if not created:
        empty = np.zeros(0, dtype=np.int64)
        return _Arrivals(empty, empty, empty)
    return _Arrivals(np.concatenate(created), np.concatenate(queues), np.concatenate(regions))


def _exp(rng: np.random.Generator, mean_s: np.ndarray) -> np.ndarray:
    return rng.exponential(1.0, size=len(mean_s)) * mean_s


def synthetic_tickets(
    inputs: GeneratorInputs,
    start_utc: datetime | pd.Timestamp,
    end_utc: datetime | pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Generate canonical tickets created in [start_utc, end_utc).

    `end_utc` is the export time: tickets not solved by then are `open` with an empty
    `solved_at`, and Tier 2 tickets that would be created after it do not exist yet.

    Args:
        inputs: what to draw from.
        start_utc: first instant, tz-aware, aligned to `inputs.step_min`.
        end_utc: end of the span (export time), tz-aware, aligned likewise.
        rng: the random source; the same seed gives the same tickets.

    Returns:
        Canonical tickets (forecasting.schema.TICKETS columns), sorted by `created_at`;
        `csat` is 1.0 for a positive rating, 0.0 for a negative one, NaN for none.
    """
    start = as_utc(start_utc)
    end = as_utc(end_utc)
    if end <= start:
        raise InputError(f"end_utc {end} must be after start_utc {start}")
    freq = f"{inputs.step_min}min"
    if start != start.floor(freq) or end != end.floor(freq):
        raise InputError(f"start_utc and end_utc must be aligned to {inputs.step_min} minutes")
    grid = pd.date_range(start, end, freq=freq, inclusive="left")
    anchor = pd.Timestamp(inputs.volume_anchor, tz="UTC") if inputs.volume_anchor else start
    queues = list(inputs.queues)
    tier1 = [q for q in queues if q.tier == 1]
    t1 = _arrivals(inputs, grid, anchor.value, rng, tier1)
    n1 = len(t1.created_ns)

    # Per-ticket queue codes index `queues`; arrays per queue are looked up by code.
    t1_code = np.array([queues.index(q) for q in tier1], dtype=np.int64)[t1.queue]
    targets = _tier2_targets(inputs.queues)
    # A queue with nowhere to escalate to (no Tier 2 at all) keeps every ticket.
    escalation = np.array(
        [q.escalation_rate if (q.channel, q.language) in targets else 0.0 for q in queues]
    )
    escalated = rng.random(n1) < escalation[t1_code]
    target_code = np.array(
        [
            queues.index(targets[(q.channel, q.language)])
            if q.tier == 1 and (q.channel, q.language) in targets
            else -1
            for q in queues
        ],
        dtype=np.int64,
    )
    t1_times = _timings(inputs, rng, t1.created_ns, t1_code, queues)
    # Tier 2 tickets: created after the Tier 1 agent has replied and handled the ticket.
    n_esc = int(escalated.sum())
    t2_created = (
        t1.created_ns[escalated]
        + t1_times.reply_ns[escalated]
        + t1_times.handle_ns[escalated]
        + (rng.exponential(inputs.tier2_delay_mean_s, size=n_esc) * NS_PER_S).astype(np.int64)
    )
    t2_code = target_code[t1_code[escalated]]
    t2_times = _timings(inputs, rng, t2_created, t2_code, queues)
    # The customer's problem is solved when Tier 2 solves it.
    t1_solved = t1_times.solved_ns.copy()
    t1_solved[escalated] = np.maximum(t1_solved[escalated], t2_times.solved_ns)
    keep2 = t2_created < end.value

    created = np.concatenate([t1.created_ns, t2_created[keep2]])
    reply = np.concatenate(
        [t1.created_ns + t1_times.reply_ns, t2_created[keep2] + t2_times.reply_ns[keep2]]
    )
    solved = np.concatenate([t1_solved, t2_times.solved_ns[keep2]])
    handle_s = np.concatenate([t1_times.handle_ns, t2_times.handle_ns[keep2]]) / NS_PER_S
    esc = np.concatenate([escalated, np.zeros(int(keep2.sum()), dtype=bool)])
    code = np.concatenate([t1_code, t2_code[keep2]])
    region = np.concatenate([t1.region, t1.region[escalated][keep2]])
    n = len(created)
    end_ns = end.value
    is_solved = solved < end_ns
    replied = reply < end_ns
    updated = np.where(is_solved, solved, np.where(replied, reply, created))
    p_good = inputs.csat_satisfied - inputs.csat_escalation_penalty * esc
    rated = is_solved & (rng.random(n) < inputs.csat_response_rate)
    csat = np.where(rated, (rng.random(n) < p_good).astype(float), np.nan)

    order = np.argsort(created, kind="stable")

    def stamps(ns: np.ndarray, mask: np.ndarray | None = None) -> pd.Series:
        series = pd.Series(pd.DatetimeIndex(ns[order].astype("datetime64[ns]")).tz_localize("UTC"))
        return series.where(mask[order]) if mask is not None else series

    def labels(codes: np.ndarray, names: list[str]) -> pd.Series:
        return pd.Series(np.asarray(names, dtype=object)[codes[order]], dtype="string")

    channels = sorted({q.channel for q in queues})
    languages = sorted({q.language for q in queues})
    channel_code = np.array([channels.index(q.channel) for q in queues], dtype=np.int64)
    language_code = np.array([languages.index(q.language) for q in queues], dtype=np.int64)
    ids = pd.Series(np.arange(1, n + 1)).astype("string").str.zfill(8)
    return pd.DataFrame(
        {
            "source": pd.Series(["synthetic"] * n, dtype="string"),
            "ticket_id": "syn-" + ids,
            "created_at": stamps(created),
            "updated_at": stamps(updated),
            "status": pd.Series(np.where(is_solved[order], "solved", "open"), dtype="string"),
            "channel": labels(channel_code[code], channels),
            "language": labels(language_code[code], languages),
            "tier": np.array([q.tier for q in queues], dtype=np.int64)[code[order]],
            "first_reply_at": stamps(reply, replied),
            "solved_at": stamps(solved, is_solved),
            "handle_seconds": np.round(handle_s[order], 1),
            "escalated": esc[order],
            "csat": csat[order],
            "region": labels(region, [r.id for r in inputs.regions]),
        },
        columns=list(TICKETS.names),
    )


@dataclass(frozen=True)
class _Timings:
    reply_ns: np.ndarray
    handle_ns: np.ndarray
    solved_ns: np.ndarray


def _timings(
    inputs: GeneratorInputs,
    rng: np.random.Generator,
    created_ns: np.ndarray,
    code: np.ndarray,
    queues: list[QueueModel],
) -> _Timings:
    """First reply, handle time (lognormal, mean = AHT) and solve instant per ticket."""
    profiles = [
        inputs.profile(q.channel) if q.channel in inputs._profiles else None for q in queues
    ]
    sigma = np.array([p.aht_sigma if p else 0.0 for p in profiles])[code]
    reply_mean = np.array([p.first_reply_mean_s if p else 0.0 for p in profiles])[code]
    resolve_mean = np.array([p.resolution_mean_s if p else 0.0 for p in profiles])[code]
    aht_s = np.array([q.aht_s for q in queues])[code]
    # Lognormal with mean aht_s: mu = ln(aht) - sigma^2 / 2.
    handle_s = rng.lognormal(np.log(aht_s) - sigma**2 / 2, sigma) if len(code) else np.zeros(0)
    reply_ns = (_exp(rng, reply_mean) * NS_PER_S).astype(np.int64)
    handle_ns = (handle_s * NS_PER_S).astype(np.int64)
    solved_ns = (
        created_ns + reply_ns + handle_ns + (_exp(rng, resolve_mean) * NS_PER_S).astype(np.int64)
    )
    return _Timings(reply_ns, handle_ns, solved_ns)
