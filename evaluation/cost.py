"""The cost model: a roster, BPO usage and outcomes priced as a cost report.

Pure: the caller hands over the scenario, the frames and the priced period; nothing is
read from files or the clock. Money is `Decimal` throughout and every line item is
rounded to the currency's minor unit (0.01) once, per payer, day and category; every
total (per site, per vendor, per category, overall) is the sum of those rounded items,
so the parts always add up to the whole.

In-house pay:
    base     = site.hourly_cost x paid hours
    night    = site.hourly_cost x premiums.night   x paid hours inside the contract's
               night window [night_start, night_end) in site local time
    weekend  = site.hourly_cost x premiums.weekend x paid hours on a local Saturday/Sunday
    holiday  = site.hourly_cost x premiums.holiday x paid hours on a public holiday of the
               site's country (and subdivision)
Premiums stack: a night hour on a Sunday that is also a holiday earns all three. A shift is
split exactly at local midnights and at the night window's edges, walking elapsed (UTC)
time, so a night shift across a DST change is priced on the hours actually worked. The
paid hours of a shift (`paid_hours`, unpaid breaks removed) are spread over its pieces in
proportion to their elapsed length, since the roster does not say where breaks fall.

BPO (one price model per vendor, see `scenarios.spec.PriceModel`):
    per_hour      = rate x agent-hours supplied (vendor usage frame)
    per_ticket    = rate x tickets the vendor handled (`handled` column of the usage frame)
    per_fte_month = rate x agent-hours / hours of one FTE-month (40 h x 52 / 12)
    minimum_monthly is prorated to the days of each calendar month (UTC) inside the
    priced period; a shortfall is billed as a top-up on the period's last day in that month.
    setup_fee is amortised evenly over setup_months (of 365.25 / 12 days): the period's
    share is billed on its first day (UTC).
    sla_credit: when the vendor's service level over the period (`vendor_service_level`)
    is below the contracted target, share x (usage + minimum top-up) is credited back, a
    negative item on the period's last day (UTC).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from evaluation.analytic import sla_weights
from evaluation.schema import COST_ITEMS, OUTCOMES, VENDOR_USAGE
from forecasting.calendars import public_holidays
from forecasting.errors import InputError
from planner.roster.schema import ROSTER
from scenarios.bpo import FTE_HOURS_PER_MONTH, month_shares
from scenarios.night import NightWindow
from scenarios.spec import Scenario, Site, Vendor

CATEGORIES: tuple[str, ...] = ("base", "night", "weekend", "holiday", "bpo")
CENT = Decimal("0.01")
DAYS_PER_MONTH = Decimal("365.25") / Decimal(12)
"""Days in an average month, for amortising a BPO's set-up fee."""

# The columns of the roster and outcomes this stage reads.
_ROSTER_READ = ("agent_id", "site", "timezone", "start_utc", "end_utc")
_OUTCOMES_READ = ("interval_start", "channel", "handled")


@dataclass(frozen=True)
class CategoryCost:
    """Total cost by category, in the scenario's currency."""

    base: Decimal
    night: Decimal
    weekend: Decimal
    holiday: Decimal
    bpo: Decimal

    @property
    def total(self) -> Decimal:
        """Sum of the categories."""
        return self.base + self.night + self.weekend + self.holiday + self.bpo


@dataclass(frozen=True)
class SiteCost:
    """What one in-house site costs over the period, with its staffing figures.

    `fte` is paid hours over the period divided by the site's full-time week
    (`contract.max_hours_week`) times the period's length in weeks.
    """

    site: str
    agents: int
    paid_hours: float
    fte: float
    base: Decimal
    night: Decimal
    weekend: Decimal
    holiday: Decimal

    @property
    def total(self) -> Decimal:
        """Base pay plus premiums."""
        return self.base + self.night + self.weekend + self.holiday


@dataclass(frozen=True)
class VendorCost:
    """What one BPO vendor bills over the period.

    `usage` is the charge from the price model; `minimum_topup` what the prorated monthly
    minimum adds on top of it; `setup` the period's share of the set-up fee; `sla_credit`
    the refund for a missed SLA (zero or negative); `sla` the vendor's service level
    (None when it served no contact or carries no SLA credit).
    """

    vendor: str
    price_kind: str
    agent_hours: float
    handled: float
    usage: Decimal
    minimum_topup: Decimal
    setup: Decimal = Decimal(0)
    sla_credit: Decimal = Decimal(0)
    sla: float | None = None

    @property
    def total(self) -> Decimal:
        """Usage charge, minimum top-up and set-up share, less the SLA credit."""
        return self.usage + self.minimum_topup + self.setup + self.sla_credit


@dataclass(frozen=True, eq=False)
class CostReport:
    """The priced scenario.

    Attributes:
        scenario: scenario name.
        currency: ISO 4217 code of every amount.
        period_start: first priced instant (UTC).
        period_end: end of the priced period (UTC, exclusive).
        total: everything, in-house and BPO.
        handled: tickets handled in the outcomes.
        per_ticket: total / handled; None when no ticket was handled (no division by zero).
        by_category: totals by category.
        by_site: one entry per scenario site, in scenario order.
        by_vendor: one entry per scenario vendor, in scenario order.
        daily: long frame for plotting, columns `date` (site-local date for pay, UTC date
            for BPO), `payer_kind` ('site' or 'vendor'), `payer` (id), `category` (one of
            CATEGORIES), `amount` (Decimal, rounded to cents). Its amounts add up to `total`.
    """

    scenario: str
    currency: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    total: Decimal
    handled: float
    per_ticket: Decimal | None
    by_category: CategoryCost
    by_site: tuple[SiteCost, ...]
    by_vendor: tuple[VendorCost, ...]
    daily: pd.DataFrame

    @property
    def in_house(self) -> Decimal:
        """Cost of the sites' own agents (base pay and premiums)."""
        return self.total - self.by_category.bpo


@dataclass(frozen=True)
class DateSeconds:
    """Elapsed seconds of a shift on one local date, by kind (the kinds overlap)."""

    date: date
    seconds: int
    night_s: int
    weekend_s: int
    holiday_s: int


@dataclass(frozen=True)
class ShiftHours:
    """A shift's elapsed time split by local date; night, weekend and holiday parts overlap."""

    by_date: tuple[DateSeconds, ...]

    @property
    def hours(self) -> float:
        """Elapsed hours of the shift."""
        return sum(d.seconds for d in self.by_date) / 3600

    @property
    def night_hours(self) -> float:
        """Hours inside the night window."""
        return sum(d.night_s for d in self.by_date) / 3600

    @property
    def weekend_hours(self) -> float:
        """Hours on a local Saturday or Sunday."""
        return sum(d.weekend_s for d in self.by_date) / 3600

    @property
    def holiday_hours(self) -> float:
        """Hours on a local public holiday."""
        return sum(d.holiday_s for d in self.by_date) / 3600


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _dec(value: float) -> Decimal:
    # Through str so that 7.5 becomes Decimal('7.5'), not its binary expansion.
    return Decimal(repr(float(value)))


def _instants(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the zone's clock reads `wall`.

    Two in a repeated hour, none in a skipped one (the offset change is cut separately).
    """
    utc = ZoneInfo("UTC")
    readings = [wall.replace(tzinfo=zone, fold=fold).astimezone(utc) for fold in (0, 1)]
    return sorted({r for r in readings if r.astimezone(zone).replace(tzinfo=None) == wall})


def _offset_change(cur: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The first instant in (cur, end) at which the zone's UTC offset changes, if any.

    A piece is at most a day long, so it holds at most one change; tz rules change on
    whole seconds, so a search over whole seconds finds it exactly.
    """
    before = cur.astimezone(zone).utcoffset()
    if (end - timedelta(microseconds=1)).astimezone(zone).utcoffset() == before:
        return None
    lo, hi = int(cur.timestamp()), int(end.timestamp())  # offset(lo) = before != offset(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, ZoneInfo("UTC"))


def split_shift(
    start_utc: datetime,
    end_utc: datetime,
    tz: str,
    night_start: time,
    night_end: time,
    holidays: Iterable[date] = (),
) -> ShiftHours:
    """Split a shift's elapsed time at local midnights and night-window edges.

    Args:
        start_utc: shift start, timezone-aware.
        end_utc: shift end, timezone-aware, after the start.
        tz: the site's IANA zone, in which the night window and the weekend are read.
        night_start: local start of the night window.
        night_end: local end of the night window (<= night_start means past midnight).
        holidays: local dates that are public holidays.

    Returns:
        Elapsed seconds of the shift, of its night, weekend and holiday parts, per date.

    Raises:
        ValueError: the shift does not end after it starts.
    """
    zone = ZoneInfo(tz)
    utc = ZoneInfo("UTC")
    cur = pd.Timestamp(start_utc).tz_convert("UTC").to_pydatetime()
    end = pd.Timestamp(end_utc).tz_convert("UTC").to_pydatetime()
    if end <= cur:
        raise ValueError(f"shift ends ({end_utc}) before it starts ({start_utc})")
    holiday_set = frozenset(holidays)
    night = NightWindow(night_start, night_end)
    per_date: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    while cur < end:
        local = cur.astimezone(zone).replace(tzinfo=None)
        day = local.date()
        # Every boundary wall time today and tomorrow, and any offset change: the nearest
        # instant after `cur` wins (walking instants, not wall times, keeps repeated and
        # skipped hours right: after a change the clock may re-enter or skip the window).
        walls = [
            datetime.combine(day + timedelta(days=k), clock)
            for k in (0, 1)
            for clock in (time(0), night_start, night_end)
        ]
        later = [i for w in walls for i in _instants(w, zone) if i > cur]
        piece_end = min([*later, end])
        change = _offset_change(cur, piece_end, zone)
        if change is not None:
            piece_end = change
        seconds = round((piece_end - cur).total_seconds())
        row = per_date[day]
        row[0] += seconds
        row[1] += seconds if night.contains(time(local.hour, local.minute)) else 0
        row[2] += seconds if day.weekday() >= 5 else 0
        row[3] += seconds if day in holiday_set else 0
        cur = piece_end.astimezone(utc)
    by_date = tuple(DateSeconds(d, *v) for d, v in sorted(per_date.items()))
    return ShiftHours(by_date)


def _utc_column(frame: pd.DataFrame, column: str, name: str) -> pd.Series:
    values = frame[column]
    if len(values) == 0:  # no shifts (no roster found): nothing to read a zone from
        return pd.Series(pd.DatetimeIndex([], tz="UTC"), index=values.index, name=column)
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        try:
            values = pd.to_datetime(values, utc=False, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise InputError(f"{name}.{column}: not ISO 8601 timestamps ({exc})") from exc
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"{name}.{column}: timestamps have no time zone; expected UTC like 2027-03-08T14:15:00Z"
        )
    return values.dt.tz_convert("UTC")


def _period_weeks(period_start: pd.Timestamp, period_end: pd.Timestamp) -> float:
    return (period_end - period_start).total_seconds() / (7 * 24 * 3600)


def _paid_hours(roster: pd.DataFrame) -> np.ndarray:
    """Paid hours per shift: `paid_hours`, or the roster solver's `paid_minutes` / 60."""
    if "paid_hours" in roster.columns:
        return pd.to_numeric(roster["paid_hours"], errors="coerce").to_numpy(dtype=float)
    if "paid_minutes" in roster.columns:
        return pd.to_numeric(roster["paid_minutes"], errors="coerce").to_numpy(dtype=float) / 60
    raise InputError("roster frame: needs a 'paid_hours' (or 'paid_minutes') column")


def _price_sites(
    scenario: Scenario, roster: pd.DataFrame
) -> tuple[dict[tuple[date, str, str], Decimal], list[tuple[Site, int, float]]]:
    """Unrounded pay per (local date, site, category), and (site, agents, paid hours)."""
    ROSTER.require(roster, "roster frame", _ROSTER_READ)
    sites = {s.id: s for s in scenario.sites}
    unknown = sorted(set(roster["site"].astype(str)) - set(sites))
    if unknown:
        raise InputError(f"roster: sites {unknown} are not in scenario {scenario.name!r}", [])
    site_ids = [str(v) for v in roster["site"]]
    zones = [str(v) for v in roster["timezone"]]
    starts: list[pd.Timestamp] = list(_utc_column(roster, "start_utc", "roster"))
    ends: list[pd.Timestamp] = list(_utc_column(roster, "end_utc", "roster"))
    paid = _paid_hours(roster)
    problems: list[str] = []
    for i, (site_id, zone, start, end, hours_paid) in enumerate(
        zip(site_ids, zones, starts, ends, paid, strict=True)
    ):
        site = sites[site_id]
        if zone != site.timezone:
            problems.append(
                f"roster row {i}: timezone {zone!r} is not site {site.id}'s {site.timezone!r}"
            )
        if not hours_paid >= 0:  # also catches NaN
            problems.append(f"roster row {i}: paid hours {hours_paid!r} is not a number >= 0")
        if end <= start:
            problems.append(f"roster row {i}: end_utc {end} is not after start_utc {start}")
    if problems:
        raise InputError(f"roster: {len(problems)} bad rows", problems)

    amounts: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
    years = (
        range(min(t.year for t in starts) - 1, max(t.year for t in ends) + 2)
        if starts
        else range(0)
    )
    holidays = {
        s.id: frozenset(public_holidays(s.country, years, s.subdivision)) if starts else frozenset()
        for s in sites.values()
    }
    for site_id, start, end, hours_paid in zip(site_ids, starts, ends, paid, strict=True):
        site = sites[site_id]
        contract = site.contract
        hours = split_shift(
            start, end, site.timezone, contract.night_start, contract.night_end, holidays[site.id]
        )
        # Paid hours spread over the pieces in proportion to elapsed time (breaks unplaced):
        # cost of one elapsed second = hourly cost x paid hours / elapsed seconds.
        elapsed_s = sum(d.seconds for d in hours.by_date)
        per_second = site.hourly_cost * _dec(float(hours_paid)) / Decimal(elapsed_s)
        premiums = site.premiums
        for part in hours.by_date:
            key = (part.date, site.id)
            amounts[(*key, "base")] += per_second * part.seconds
            amounts[(*key, "night")] += per_second * _dec(premiums.night) * part.night_s
            amounts[(*key, "weekend")] += per_second * _dec(premiums.weekend) * part.weekend_s
            amounts[(*key, "holiday")] += per_second * _dec(premiums.holiday) * part.holiday_s
    staffing = []
    for site in scenario.sites:
        mine = [sid == site.id for sid in site_ids]
        agents = len({a for a, m in zip(roster["agent_id"], mine, strict=True) if m})
        paid_hours = float(paid[mine].sum()) if len(paid) else 0.0
        staffing.append((site, agents, paid_hours))
    return amounts, staffing


def vendor_service_level(
    scenario: Scenario, vendor: Vendor, outcomes: pd.DataFrame, usage: pd.DataFrame | None
) -> float | None:
    """The vendor's service level: its queues' contacts within target in its hours, pooled.

    Its hours are the intervals in which it supplied heads; None when it served no contact.

    The outcomes are per queue, not per agent: in the vendor's hours its heads serve
    those queues, alone where in-house agents are off (nights and weekends).
    """
    if usage is None or len(usage) == 0:
        return None
    mine = usage[(usage["vendor_id"].astype(str) == vendor.id)]
    supplied = pd.to_numeric(mine["agents"], errors="coerce").fillna(0.0) > 0
    stamps = set(_utc_column(mine[supplied.to_numpy()], "interval_start", "vendor usage"))
    if not stamps:
        return None
    OUTCOMES.require(outcomes, "outcomes frame", ("tier", "language", "service_level", "offered"))
    skills = {
        (q.channel, q.language, q.tier)
        for q in scenario.queues
        if q.tier == vendor.tier and q.skill in vendor.skills
    }
    keys = zip(
        outcomes["channel"].astype(str),
        outcomes["language"].astype(str),
        pd.to_numeric(outcomes["tier"]).astype(int),
        strict=True,
    )
    served = np.array([k in skills for k in keys], dtype=bool)
    when = _utc_column(outcomes, "interval_start", "outcomes").isin(stamps).to_numpy()
    weight = sla_weights(outcomes) * (served & when)
    if weight.sum() <= 0:
        return None
    levels = pd.to_numeric(outcomes["service_level"], errors="coerce").fillna(0.0)
    return float(np.sum(levels.to_numpy(dtype=float) * weight) / weight.sum())


def _price_vendors(
    scenario: Scenario,
    usage: pd.DataFrame | None,
    outcomes: pd.DataFrame,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
) -> tuple[dict[tuple[date, str, str], Decimal], list[tuple[Vendor, float, float, float | None]]]:
    """Unrounded BPO charges per (UTC date, vendor, kind of charge), and per vendor figures.

    Kinds: 'usage', 'minimum', 'setup', 'credit'; figures: agent-hours, tickets handled
    and service level.
    """
    interval_h = Decimal(scenario.planning.interval_minutes) / Decimal(60)
    amounts: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
    figures: list[tuple[Vendor, float, float, float | None]] = []
    last_day = (period_end - pd.Timedelta(microseconds=1)).date()
    if usage is not None:
        VENDOR_USAGE.require(usage, "vendor usage frame")
        known = {v.id for v in scenario.vendors}
        unknown = sorted(set(usage["vendor_id"].astype(str)) - known)
        if unknown:
            raise InputError(
                f"vendor usage: vendors {unknown} are not in scenario {scenario.name!r}"
            )
        stamps = _utc_column(usage, "interval_start", "vendor usage")
    for vendor in scenario.vendors:
        days: dict[date, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
        if usage is not None:
            mine = (usage["vendor_id"].astype(str) == vendor.id).to_numpy()
            agents = pd.to_numeric(usage.loc[mine, "agents"], errors="coerce")
            if agents.isna().any() or (agents < 0).any():
                raise InputError(f"vendor usage {vendor.id}: agents must be numbers >= 0")
            handled_col = usage.loc[mine, "handled"] if "handled" in usage.columns else None
            if vendor.price.kind == "per_ticket" and handled_col is None and mine.any():
                raise InputError(
                    f"vendor usage {vendor.id}: price kind per_ticket needs a 'handled' column "
                    "(tickets the vendor handled per interval)"
                )
            handled = (
                pd.to_numeric(handled_col, errors="coerce")
                if handled_col is not None
                else agents * 0.0
            )
            for day, n_agents, n_handled in zip(
                (t.date() for t in stamps[mine]),
                agents.to_numpy(dtype=float),
                handled.to_numpy(dtype=float),
                strict=True,
            ):
                hours_sum, handled_sum = days[day]
                days[day] = (hours_sum + _dec(n_agents) * interval_h, handled_sum + _dec(n_handled))
        rate = vendor.price.rate
        for day, (agent_hours, handled_n) in days.items():
            if vendor.price.kind == "per_hour":
                charge = rate * agent_hours
            elif vendor.price.kind == "per_ticket":
                charge = rate * handled_n
            else:
                charge = rate * agent_hours / FTE_HOURS_PER_MONTH
            amounts[(day, vendor.id, "usage")] += charge
        for last_day, share in month_shares(period_start, period_end):
            month_charge = sum(
                (
                    v
                    for (d, vid, _), v in amounts.items()
                    if vid == vendor.id and (d.year, d.month) == (last_day.year, last_day.month)
                ),
                Decimal(0),
            )
            topup = vendor.price.minimum_monthly * share - month_charge
            if topup > 0:
                amounts[(last_day, vendor.id, "minimum")] += topup
        if vendor.price.setup_fee > 0:
            days_in_period = Decimal((period_end - period_start).total_seconds()) / 86_400
            amortised_days = Decimal(vendor.price.setup_months) * DAYS_PER_MONTH
            share = min(Decimal(1), days_in_period / amortised_days)
            amounts[(period_start.date(), vendor.id, "setup")] += vendor.price.setup_fee * share
        sla = None
        if vendor.sla_credit is not None:
            sla = vendor_service_level(scenario, vendor, outcomes, usage)
            if sla is not None and sla < vendor.sla_credit.target:
                billed = sum(
                    (
                        v
                        for (_, vid, part), v in amounts.items()
                        if vid == vendor.id and part in ("usage", "minimum")
                    ),
                    Decimal(0),
                )
                amounts[(last_day, vendor.id, "credit")] -= _dec(vendor.sla_credit.share) * billed
        agent_hours_total = float(sum((a for a, _ in days.values()), Decimal(0)))
        handled_total = float(sum((h for _, h in days.values()), Decimal(0)))
        figures.append((vendor, agent_hours_total, handled_total, sla))
    return amounts, figures


def price_scenario(
    scenario: Scenario,
    roster: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    period_start: datetime,
    period_end: datetime,
    vendor_usage: pd.DataFrame | None = None,
) -> CostReport:
    """Price a roster (and BPO usage) over a period, and relate it to the tickets handled.

    Args:
        scenario: the organisation: sites' hourly cost, premiums and contracts, vendors.
        roster: one row per shift; columns `agent_id`, `site`, `timezone`, `start_utc`,
            `end_utc` (UTC timestamps), `paid_hours` (float, hours paid for the shift;
            or `paid_minutes` as the roster solver writes it);
            the other columns of `planner.roster.schema.ROSTER` may be present and are ignored.
        outcomes: simulated outcomes; columns `interval_start`, `channel`, `handled`
            (tickets handled per interval, vendors' included).
        period_start: start of the priced period (UTC), for FTE and monthly minimums.
        period_end: end of the priced period (UTC, exclusive).
        vendor_usage: BPO agents per interval; columns `vendor_id`, `interval_start`,
            `agents` (agents supplied in the interval), and `handled` (tickets the vendor
            handled, required for per_ticket vendors). None when no vendor is used.

    Returns:
        The cost report; every total is a sum of cent-rounded daily items.

    Raises:
        InputError: missing columns, unknown sites or vendors, bad timestamps or hours.
    """
    start = pd.Timestamp(period_start)
    end = pd.Timestamp(period_end)
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise InputError(
            f"priced period [{period_start}, {period_end}) must be timezone-aware and non-empty"
        )
    start, end = start.tz_convert("UTC"), end.tz_convert("UTC")
    weeks = _period_weeks(start, end)
    OUTCOMES.require(outcomes, "outcomes frame", _OUTCOMES_READ)

    site_amounts, staffing = _price_sites(scenario, roster)
    vendor_amounts, vendor_figures = _price_vendors(scenario, vendor_usage, outcomes, start, end)

    items: dict[tuple[date, str, str, str], Decimal] = defaultdict(Decimal)
    for (day, site_id, category), amount in site_amounts.items():
        items[(day, "site", site_id, category)] += _money(amount)
    vendor_rows: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (day, vendor_id, part), amount in vendor_amounts.items():
        rounded = _money(amount)
        items[(day, "vendor", vendor_id, "bpo")] += rounded
        vendor_rows[(vendor_id, part)] += rounded
    rows = [(*key, amount) for key, amount in sorted(items.items())]
    daily = pd.DataFrame(rows, columns=list(COST_ITEMS.names)).astype({"amount": object})

    def total_of(**match: str) -> Decimal:
        return sum(
            (
                a
                for key, a in items.items()
                if all(
                    dict(zip(COST_ITEMS.key, key, strict=True))[k] == v for k, v in match.items()
                )
            ),
            Decimal(0),
        )

    by_category = CategoryCost(
        base=total_of(category="base"),
        night=total_of(category="night"),
        weekend=total_of(category="weekend"),
        holiday=total_of(category="holiday"),
        bpo=total_of(category="bpo"),
    )
    by_site = []
    for site, agents, paid_hours in staffing:
        fte = paid_hours / (site.contract.max_hours_week * weeks)
        by_site.append(
            SiteCost(
                site=site.id,
                agents=agents,
                paid_hours=paid_hours,
                fte=fte,
                base=total_of(payer_kind="site", payer=site.id, category="base"),
                night=total_of(payer_kind="site", payer=site.id, category="night"),
                weekend=total_of(payer_kind="site", payer=site.id, category="weekend"),
                holiday=total_of(payer_kind="site", payer=site.id, category="holiday"),
            )
        )
    by_vendor = tuple(
        VendorCost(
            vendor=v.id,
            price_kind=v.price.kind,
            agent_hours=agent_hours,
            handled=handled,
            usage=vendor_rows[(v.id, "usage")],
            minimum_topup=vendor_rows[(v.id, "minimum")],
            setup=vendor_rows[(v.id, "setup")],
            sla_credit=vendor_rows[(v.id, "credit")],
            sla=sla,
        )
        for v, agent_hours, handled, sla in vendor_figures
    )
    total = sum(items.values(), Decimal(0))
    handled_total = float(pd.to_numeric(outcomes["handled"], errors="coerce").fillna(0).sum())
    per_ticket = _money(total / _dec(handled_total)) if handled_total > 0 else None
    return CostReport(
        scenario=scenario.name,
        currency=scenario.currency,
        period_start=start,
        period_end=end,
        total=total,
        handled=handled_total,
        per_ticket=per_ticket,
        by_category=by_category,
        by_site=tuple(by_site),
        by_vendor=by_vendor,
        daily=daily,
    )
