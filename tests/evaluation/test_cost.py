"""The cost model against amounts computed by hand.

Every expected amount below is worked out in the comment beside it from the clock
(UTC offsets of the zones on that date, from the IANA rules: Europe/Amsterdam is
UTC+1 in winter and UTC+2 in summer, changing on the last Sunday of March and October at
01:00 UTC; America/Los_Angeles changes on the second Sunday of March) and the calendar
(Easter Sunday 2027 is 28 March; King's Day is 27 April).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.cost import (
    CATEGORIES,
    FTE_HOURS_PER_MONTH,
    price_scenario,
    split_shift,
)
from forecasting.errors import InputError
from scenarios.spec import Scenario


def _site(site_id: str, tz: str, country: str, cost: str, **premiums: float) -> dict[str, Any]:
    return {
        "id": site_id,
        "name": site_id.upper(),
        "timezone": tz,
        "country": country,
        "hourly_cost": cost,
        "premiums": premiums,
        "contract": {
            "max_hours_week": 40,
            "shift_templates": [{"id": "day", "start": "09:00", "hours": 8}],
        },
        "headcount": [{"tier": 1, "count": 2, "skills": ["chat/en"]}],
    }


def scenario(vendors: list[dict[str, Any]] | None = None, **extra: Any) -> Scenario:
    data: dict[str, Any] = {
        "name": "test",
        "currency": "EUR",
        "sites": [
            _site("ams", "Europe/Amsterdam", "NL", "30", night=0.2, weekend=0.5, holiday=1.0),
            _site("sj", "America/Los_Angeles", "US", "40", night=0.25),
        ],
        "queues": [
            {
                "channel": "chat",
                "language": "en",
                "tier": 1,
                "target": {"within_seconds": 30},
                "aht_seconds": 600,
                "coverage": {"kind": "24x7"},
            }
        ],
        "demand": {
            "regions": [
                {
                    "id": "us",
                    "timezone": "America/Los_Angeles",
                    "country": "US",
                    "languages": {"en": 1.0},
                    "weekly_volume": {"chat": 1000},
                }
            ]
        },
        "vendors": vendors or [],
        **extra,
    }
    return Scenario.model_validate(data)


def roster(*shifts: tuple[str, str, str, str, float]) -> pd.DataFrame:
    """Shifts as (agent, site, start_utc, end_utc, paid_hours)."""
    zones = {"ams": "Europe/Amsterdam", "sj": "America/Los_Angeles"}
    return pd.DataFrame(
        {
            "agent_id": [s[0] for s in shifts],
            "site": [s[1] for s in shifts],
            "timezone": [zones[s[1]] for s in shifts],
            "start_utc": pd.to_datetime([s[2] for s in shifts], utc=True),
            "end_utc": pd.to_datetime([s[3] for s in shifts], utc=True),
            "paid_hours": [s[4] for s in shifts],
        }
    )


def outcomes(handled: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interval_start": pd.to_datetime(["2027-02-01T00:00Z"], utc=True),
            "channel": ["chat"],
            "handled": [handled],
        }
    )


def price(
    shifts: pd.DataFrame,
    *,
    sc: Scenario | None = None,
    handled: float = 0.0,
    start: str = "2026-01-01T00:00Z",
    end: str = "2028-01-01T00:00Z",
    usage: pd.DataFrame | None = None,
) -> Any:
    return price_scenario(
        sc or scenario(),
        shifts,
        outcomes(handled),
        period_start=pd.Timestamp(start),
        period_end=pd.Timestamp(end),
        vendor_usage=usage,
    )


# --- splitting shifts -------------------------------------------------------------------


def test_evening_shift_has_seven_night_hours_in_a_22_to_06_window() -> None:
    # 2027-03-09 20:00 PST (UTC-8) is 04:00Z on the 10th; 05:00 PST is 13:00Z.
    # Night 22:00-06:00: 22:00 to 05:00 = 7 hours; 2 on the 9th, 5 on the 10th.
    hours = split_shift(
        datetime(2027, 3, 10, 4, tzinfo=UTC),
        datetime(2027, 3, 10, 13, tzinfo=UTC),
        "America/Los_Angeles",
        time(22),
        time(6),
    )
    assert hours.hours == 9.0
    assert hours.night_hours == 7.0
    assert [(d.date, d.seconds / 3600, d.night_s / 3600) for d in hours.by_date] == [
        (date(2027, 3, 9), 4.0, 2.0),
        (date(2027, 3, 10), 5.0, 5.0),
    ]


def test_spring_forward_night_shift_counts_elapsed_hours() -> None:
    # Sat 2026-03-28 22:00 CET = 21:00Z; 8 elapsed hours end 05:00Z = 07:00 CEST (clocks
    # jump 02:00 -> 03:00). Night is 22:00 CET .. 06:00 CEST = 21:00Z .. 04:00Z = 7 hours.
    hours = split_shift(
        datetime(2026, 3, 28, 21, tzinfo=UTC),
        datetime(2026, 3, 29, 5, tzinfo=UTC),
        "Europe/Amsterdam",
        time(22),
        time(6),
    )
    assert hours.hours == 8.0
    assert hours.night_hours == 7.0
    assert hours.weekend_hours == 8.0  # Saturday and Sunday


def test_fall_back_night_shift_is_all_night() -> None:
    # Sat 2026-10-24 22:00 CEST = 20:00Z to 05:00Z = 06:00 CET: 9 elapsed hours (the
    # 02:00-03:00 hour happens twice), every one inside 22:00-06:00 local.
    hours = split_shift(
        datetime(2026, 10, 24, 20, tzinfo=UTC),
        datetime(2026, 10, 25, 5, tzinfo=UTC),
        "Europe/Amsterdam",
        time(22),
        time(6),
    )
    assert hours.hours == 9.0
    assert hours.night_hours == 9.0


def test_night_window_inside_a_day() -> None:
    # A 01:00-05:00 night window (no wrap) against a 00:00-08:00 UTC shift in UTC.
    hours = split_shift(
        datetime(2027, 1, 5, 0, tzinfo=UTC),
        datetime(2027, 1, 5, 8, tzinfo=UTC),
        "UTC",
        time(1),
        time(5),
    )
    assert hours.night_hours == 4.0


@settings(max_examples=60, deadline=None)
@given(
    start_min=st.integers(min_value=0, max_value=2 * 365 * 24 * 4).map(lambda q: q * 15),
    length_min=st.integers(min_value=1, max_value=16 * 4).map(lambda q: q * 15),
    tz=st.sampled_from(["Europe/Amsterdam", "America/Los_Angeles", "Asia/Taipei", "UTC"]),
    night=st.tuples(st.integers(0, 23), st.integers(0, 23)),
)
def test_split_conserves_elapsed_time(
    start_min: int, length_min: int, tz: str, night: tuple[int, int]
) -> None:
    start = pd.Timestamp("2026-01-01T00:00Z") + pd.Timedelta(minutes=start_min)
    end = start + pd.Timedelta(minutes=length_min)
    hours = split_shift(start, end, tz, time(night[0]), time(night[1]))
    # Conservation: the pieces add up to the elapsed time; each part is at most all of it.
    assert sum(d.seconds for d in hours.by_date) == length_min * 60
    for part in hours.by_date:
        assert 0 <= part.night_s <= part.seconds
        assert part.weekend_s in (0, part.seconds)  # a piece never straddles midnight


# --- pricing in-house pay -----------------------------------------------------------------


def test_weekday_day_shift_is_base_pay_only() -> None:
    # Wed 2027-03-10 09:00-17:00 PST = 17:00Z-01:00Z, 8 paid hours x 40 = 320.00.
    report = price(roster(("a", "sj", "2027-03-10T17:00Z", "2027-03-11T01:00Z", 8.0)))
    assert report.total == Decimal("320.00")
    assert report.by_category.base == Decimal("320.00")
    assert report.by_category.night == Decimal(0)
    assert report.currency == "EUR"


def test_evening_shift_night_premium() -> None:
    # 20:00-05:00 PST, 9 paid hours at 40: base 360; night 7 h x 40 x 0.25 = 70.
    report = price(roster(("a", "sj", "2027-03-10T04:00Z", "2027-03-10T13:00Z", 9.0)))
    assert report.by_category.base == Decimal("360.00")
    assert report.by_category.night == Decimal("70.00")
    assert report.total == Decimal("430.00")


def test_dst_night_shift_on_easter_sunday_stacks_premiums() -> None:
    # Sat 2027-03-27 22:00 CET = 21:00Z to 05:00Z = 07:00 CEST (DST starts 28 March, which
    # is also Easter Sunday, a Dutch public holiday). Rate 30, 8 paid hours:
    #   base    8 x 30             = 240.00
    #   night   7 x 30 x 0.2       =  42.00  (22:00 CET .. 06:00 CEST = 7 elapsed hours)
    #   weekend 8 x 30 x 0.5       = 120.00  (Saturday and Sunday)
    #   holiday 6 x 30 x 1.0       = 180.00  (00:00 CET .. 07:00 CEST on the 28th = 6 h)
    report = price(roster(("a", "ams", "2027-03-27T21:00Z", "2027-03-28T05:00Z", 8.0)))
    cat = report.by_category
    assert (cat.base, cat.night, cat.weekend, cat.holiday) == (
        Decimal("240.00"),
        Decimal("42.00"),
        Decimal("120.00"),
        Decimal("180.00"),
    )
    assert report.total == Decimal("582.00")
    by_day = report.daily.groupby("date")["amount"].sum()
    # On the 27th: 2 h base 60 + night 2 x 6 = 12 + weekend 2 x 15 = 30 -> 102.
    assert by_day[date(2027, 3, 27)] == Decimal("102.00")
    assert by_day[date(2027, 3, 28)] == Decimal("480.00")


def test_holiday_day_shift_with_unpaid_break() -> None:
    # King's Day, Tue 2027-04-27, 09:00-17:00 CEST = 07:00Z-15:00Z, 7.5 paid hours at 30:
    # base 225.00 and the 100% holiday premium 225.00.
    report = price(roster(("a", "ams", "2027-04-27T07:00Z", "2027-04-27T15:00Z", 7.5)))
    assert report.by_category.base == Decimal("225.00")
    assert report.by_category.holiday == Decimal("225.00")
    assert report.by_category.weekend == Decimal(0)
    assert report.total == Decimal("450.00")


def test_per_site_staffing_and_fte() -> None:
    # Two agents in Amsterdam each working 5 x 8 h in one week: 80 paid hours over a
    # one-week period at 40 h a week is 2.0 FTE; 80 x 30 = 2400.00 base.
    days = [f"2027-01-{d:02d}" for d in range(4, 9)]  # Mon 4 .. Fri 8 January
    shifts = [
        (agent, "ams", f"{d}T08:00Z", f"{d}T16:00Z", 8.0) for agent in ("a", "b") for d in days
    ]
    report = price(roster(*shifts), start="2027-01-04T00:00Z", end="2027-01-11T00:00Z")
    ams = report.by_site[0]
    assert (ams.site, ams.agents, ams.paid_hours) == ("ams", 2, 80.0)
    assert ams.fte == pytest.approx(2.0)
    assert ams.total == Decimal("2400.00")
    assert report.by_site[1].total == Decimal(0)


def test_per_ticket_is_total_over_handled() -> None:
    report = price(roster(("a", "sj", "2027-03-10T17:00Z", "2027-03-11T01:00Z", 8.0)), handled=64)
    assert report.per_ticket == Decimal("5.00")  # 320 / 64
    assert (
        price(roster(("a", "sj", "2027-03-10T17:00Z", "2027-03-11T01:00Z", 8.0))).per_ticket is None
    )


# --- BPO ----------------------------------------------------------------------------------


def _vendor(vendor_id: str, kind: str, rate: str, minimum: str = "0") -> dict[str, Any]:
    return {
        "id": vendor_id,
        "name": vendor_id,
        "price": {"kind": kind, "rate": rate, "minimum_monthly": minimum},
        "max_agents": 10,
        "skills": ["chat/en"],
        "coverage": {"kind": "24x7"},
    }


def _usage(vendor_id: str, agents: list[float], handled: list[float] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "vendor_id": vendor_id,
            "interval_start": pd.date_range("2027-02-10T00:00Z", periods=len(agents), freq="15min"),
            "agents": agents,
        }
    )
    if handled is not None:
        frame["handled"] = handled
    return frame


FEB = {"start": "2027-02-01T00:00Z", "end": "2027-03-01T00:00Z"}


def test_bpo_per_hour() -> None:
    # 2 + 2 + 3 + 1 agents over four 15-minute intervals = 2 agent-hours, at 25 = 50.00.
    sc = scenario([_vendor("bpo", "per_hour", "25")])
    report = price(roster(), sc=sc, usage=_usage("bpo", [2, 2, 3, 1]), **FEB)
    assert report.total == Decimal("50.00")
    assert report.by_category.bpo == Decimal("50.00")
    (vendor,) = report.by_vendor
    assert vendor.agent_hours == 2.0
    assert vendor.minimum_topup == Decimal(0)


def test_bpo_per_ticket_needs_handled_counts() -> None:
    sc = scenario([_vendor("bpo", "per_ticket", "3")])
    report = price(roster(), sc=sc, usage=_usage("bpo", [1, 1], handled=[15, 25]), **FEB)
    assert report.total == Decimal("120.00")  # 40 tickets x 3
    with pytest.raises(InputError, match="handled"):
        price(roster(), sc=sc, usage=_usage("bpo", [1, 1]), **FEB)


def test_bpo_per_fte_month_with_monthly_minimum() -> None:
    # 40 intervals x 1 agent x 15 min = 10 agent-hours; one FTE-month = 40 x 52 / 12 h.
    # Usage 4000 x 10 / 173.33 = 230.77; the February minimum 3000 tops it up to 3000.00.
    sc = scenario([_vendor("bpo", "per_fte_month", "4000", minimum="3000")])
    report = price(roster(), sc=sc, usage=_usage("bpo", [1.0] * 40), **FEB)
    (vendor,) = report.by_vendor
    assert vendor.usage == (Decimal(4000) * 10 / FTE_HOURS_PER_MONTH).quantize(Decimal("0.01"))
    assert vendor.usage == Decimal("230.77")
    assert vendor.minimum_topup == Decimal("2769.23")
    assert report.total == Decimal("3000.00")


def test_bpo_minimum_is_prorated_to_the_period() -> None:
    # A 14-day period in February (28 days) owes half the 3000 minimum; nothing used.
    sc = scenario([_vendor("bpo", "per_hour", "25", minimum="3000")])
    report = price(roster(), sc=sc, start="2027-02-01T00:00Z", end="2027-02-15T00:00Z")
    assert report.total == Decimal("1500.00")
    # ... billed on the period's last day in that month.
    assert list(report.daily["date"]) == [date(2027, 2, 14)]


def test_a_roster_without_shifts_as_its_solver_writes_it_costs_nothing() -> None:
    # No roster found: the solver's frame has its columns and no rows, hence no dtypes.
    empty = pd.DataFrame(columns=["agent_id", "site", "timezone", "start_utc", "end_utc"])
    report = price(empty.assign(paid_hours=pd.Series(dtype=float)), **FEB)
    assert report.total == Decimal(0)
    assert all(site.agents == 0 for site in report.by_site)


def test_bpo_setup_fee_is_amortised_and_billed_on_the_periods_first_day() -> None:
    # 36,525 over 12 months of 30.4375 days: 100 a day; February's 28 days owe 2,800.
    vendor = _vendor("bpo", "per_hour", "25")
    vendor["price"] |= {"setup_fee": "36525", "setup_months": 12}
    sc = scenario([vendor])
    report = price(roster(), sc=sc, usage=_usage("bpo", [2, 2, 3, 1]), **FEB)
    (billed,) = report.by_vendor
    assert billed.setup == Decimal("2800.00")
    assert billed.usage == Decimal("50.00")
    assert report.total == billed.total == Decimal("2850.00")
    setup_day = report.daily[report.daily["date"] == date(2027, 2, 1)]
    assert sum(setup_day["amount"]) == Decimal("2800.00")


def test_a_setup_fee_is_never_billed_beyond_itself() -> None:
    vendor = _vendor("bpo", "per_hour", "25")
    vendor["price"] |= {"setup_fee": "1000", "setup_months": 1}
    report = price(
        roster(), sc=scenario([vendor]), start="2027-01-01T00:00Z", end="2027-03-01T00:00Z"
    )
    assert report.by_vendor[0].setup == Decimal("1000.00")


def _vendor_outcomes(levels: list[float], offered: list[float]) -> pd.DataFrame:
    """Chat/en outcomes in the vendor's four intervals, and two rows it did not serve."""
    n = len(levels)
    stamps = pd.date_range("2027-02-10T00:00Z", periods=n, freq="15min")
    frame = pd.DataFrame(
        {
            "interval_start": [*stamps, stamps[0] + pd.Timedelta(days=1), stamps[0]],
            "channel": ["chat"] * (n + 1) + ["web"],
            "language": "en",
            "tier": 1,
            "offered": [*offered, 50.0, 50.0],
            "handled": [*offered, 50.0, 50.0],
            "service_level": [*levels, 0.0, 0.0],
        }
    )
    return frame


@pytest.mark.parametrize(("target", "credited"), [(0.8, True), (0.6, False)])
def test_an_sla_credit_refunds_a_share_when_the_vendors_service_misses_its_target(
    target: float, credited: bool
) -> None:
    # The vendor's hours are its four intervals; its queue's contacts there: 10, 10, 30, 10
    # at 90%, 50%, 70%, 70% -> (9 + 5 + 21 + 7) / 60 = 70%. The day it supplied nobody
    # (0%) and the web queue (0%) are not its service. Usage 50.00 plus the minimum's
    # top-up to 1500.00 (14 of 28 February days of 3000) is billed; a 10% credit refunds
    # 150.00 on the period's last day when the target is 80%, nothing at 60%.
    vendor = _vendor("bpo", "per_hour", "25", minimum="3000")
    vendor["sla_credit"] = {"target": target, "share": 0.1}
    sc = scenario([vendor])
    report = price_scenario(
        sc,
        roster(),
        _vendor_outcomes([0.9, 0.5, 0.7, 0.7], [10, 10, 30, 10]),
        period_start=pd.Timestamp("2027-02-01T00:00Z"),
        period_end=pd.Timestamp("2027-02-15T00:00Z"),
        vendor_usage=_usage("bpo", [2, 2, 3, 1]),
    )
    (billed,) = report.by_vendor
    assert billed.sla == pytest.approx(42 / 60)
    assert billed.usage + billed.minimum_topup == Decimal("1500.00")
    assert billed.sla_credit == (Decimal("-150.00") if credited else Decimal(0))
    assert report.total == billed.total == Decimal("1500.00") + billed.sla_credit
    assert report.total == sum(report.daily["amount"], Decimal(0)) == report.by_category.total
    if credited:
        last = report.daily[report.daily["date"] == date(2027, 2, 14)]
        assert sum(last["amount"], Decimal(0)) == Decimal("1500.00") - Decimal("50.00") - 150


def test_an_sla_credit_needs_a_target_and_a_share_in_range() -> None:
    vendor = _vendor("bpo", "per_hour", "25")
    for bad in ({"target": 0.8}, {"target": 1.2, "share": 0.1}, {"target": 0.8, "share": 0}):
        vendor["sla_credit"] = bad
        with pytest.raises(ValueError, match="sla_credit"):
            scenario([vendor])


# --- conservation and comparison ------------------------------------------------------------


shift_strategy = st.tuples(
    st.sampled_from(["ams", "sj"]),
    st.integers(min_value=0, max_value=365 * 24 * 4),  # start, in 15-minute steps into 2027
    st.integers(min_value=4, max_value=12 * 4),  # length in 15-minute steps
    st.integers(min_value=0, max_value=60),  # unpaid minutes
)


@settings(max_examples=40, deadline=None)
@given(
    shifts=st.lists(shift_strategy, min_size=1, max_size=8),
    agents=st.lists(st.floats(0, 5), max_size=20),
)
def test_total_is_the_sum_of_its_parts(
    shifts: list[tuple[str, int, int, int]], agents: list[float]
) -> None:
    base = pd.Timestamp("2027-01-01T00:00Z")
    rows = []
    for i, (site, start_q, length_q, unpaid) in enumerate(shifts):
        start = base + pd.Timedelta(minutes=15 * start_q)
        end = start + pd.Timedelta(minutes=15 * length_q)
        paid = max(length_q * 15 - unpaid, 0) / 60
        rows.append((f"a{i}", site, start.isoformat(), end.isoformat(), paid))
    sc = scenario([_vendor("bpo", "per_hour", "21.5", minimum="100")])
    usage = _usage("bpo", agents) if agents else None
    report = price(
        roster(*rows), sc=sc, start="2027-01-01T00:00Z", end="2028-01-02T00:00Z", usage=usage
    )
    parts_by_category = sum((getattr(report.by_category, c) for c in CATEGORIES), Decimal(0))
    parts_by_payer = sum((s.total for s in report.by_site), Decimal(0)) + sum(
        (v.total for v in report.by_vendor), Decimal(0)
    )
    assert report.total == parts_by_category == parts_by_payer
    assert report.total == sum(report.daily["amount"], Decimal(0))
    # Base pay is the hourly cost times paid hours, up to half a cent per rounded item.
    site_rate = {"ams": Decimal(30), "sj": Decimal(40)}
    expected_base = sum((site_rate[r[1]] * Decimal(repr(r[4])) for r in rows), Decimal(0))
    n_items = int((report.daily["category"] == "base").sum())
    assert abs(report.by_category.base - expected_base) <= Decimal("0.005") * n_items


# --- bad input --------------------------------------------------------------------------------


def test_missing_columns_unknown_site_and_bad_rows_are_input_errors() -> None:
    good = roster(("a", "sj", "2027-03-10T17:00Z", "2027-03-11T01:00Z", 8.0))
    with pytest.raises(InputError, match="paid_hours"):
        price(good.drop(columns="paid_hours"))
    with pytest.raises(InputError, match="not in scenario"):
        price(good.assign(site="nyc"))
    with pytest.raises(InputError, match="timezone") as err:
        price(good.assign(timezone="Europe/Paris", paid_hours=-1.0))
    assert len(err.value.problems) == 2
    with pytest.raises(InputError, match="time zone"):
        price(good.assign(start_utc="2027-03-10T17:00"))
    with pytest.raises(InputError, match="timezone-aware"):
        price_scenario(
            scenario(),
            good,
            outcomes(),
            period_start=datetime(2027, 1, 1),
            period_end=datetime(2027, 2, 1),
        )


def test_roster_solver_paid_minutes_column_is_accepted() -> None:
    # The roster solver writes paid_minutes: 480 minutes = 8 h at 40 = 320.00.
    shifts = roster(("a", "sj", "2027-03-10T17:00Z", "2027-03-11T01:00Z", 8.0))
    shifts = shifts.drop(columns="paid_hours").assign(paid_minutes=480)
    assert price(shifts).total == Decimal("320.00")


def test_night_edge_inside_the_skipped_hour_falls_at_the_jump() -> None:
    # Night 22:00-02:30 on Amsterdam's spring-forward night 2026-03-28/29: 02:30 never
    # shows on the clock (01:00Z reads 03:00 CEST), so night ends at 01:00Z: 21:00Z..01:00Z.
    hours = split_shift(
        datetime(2026, 3, 28, 21, tzinfo=UTC),
        datetime(2026, 3, 29, 5, tzinfo=UTC),
        "Europe/Amsterdam",
        time(22),
        time(2, 30),
    )
    assert hours.night_hours == 4.0


def test_night_edge_inside_the_repeated_hour_counts_both_passes() -> None:
    # Night 22:00-02:30 on the fall-back night 2026-10-24/25. The clock reads 02:00-02:30
    # twice: 00:00Z-00:30Z (CEST) and 01:00Z-01:30Z (CET). Night: 20:00Z..00:30Z (4.5 h)
    # plus 01:00Z..01:30Z (0.5 h) = 5 h of the 9-hour shift.
    hours = split_shift(
        datetime(2026, 10, 24, 20, tzinfo=UTC),
        datetime(2026, 10, 25, 5, tzinfo=UTC),
        "Europe/Amsterdam",
        time(22),
        time(2, 30),
    )
    assert hours.hours == 9.0
    assert hours.night_hours == 5.0


def _minute_by_minute(
    start: pd.Timestamp, minutes: int, tz: str, night: tuple[time, time], holidays: set[date]
) -> tuple[int, int, int, int]:
    """A second implementation: read the local clock at every elapsed minute."""
    lo = night[0].hour * 60 + night[0].minute
    hi = night[1].hour * 60 + night[1].minute
    total = night_m = weekend_m = holiday_m = 0
    for k in range(minutes):
        local = (start + pd.Timedelta(minutes=k)).tz_convert(tz)
        m = local.hour * 60 + local.minute
        total += 1
        night_m += (lo <= m < hi) if lo < hi else (m >= lo or m < hi)
        weekend_m += local.weekday() >= 5
        holiday_m += local.date() in holidays
    return total, night_m, weekend_m, holiday_m


# DST nights of 2026 in both zones, and some ordinary days, to hit the changes often.
DST_STARTS = ["2026-03-08T06:00Z", "2026-11-01T06:00Z", "2026-03-28T18:00Z", "2026-10-24T18:00Z"]


@settings(max_examples=80, deadline=None)
@given(
    anchor=st.sampled_from([*DST_STARTS, "2026-07-03T00:00Z", "2026-12-24T12:00Z"]),
    offset_q=st.integers(min_value=0, max_value=4 * 24),
    length_q=st.integers(min_value=1, max_value=14 * 4),
    tz=st.sampled_from(["Europe/Amsterdam", "America/Los_Angeles", "Asia/Taipei"]),
    night=st.tuples(st.integers(0, 47), st.integers(0, 47)),
)
def test_split_agrees_with_a_minute_by_minute_count(
    anchor: str, offset_q: int, length_q: int, tz: str, night: tuple[int, int]
) -> None:
    start = pd.Timestamp(anchor) + pd.Timedelta(minutes=15 * offset_q)
    window = (time(night[0] // 2, 30 * (night[0] % 2)), time(night[1] // 2, 30 * (night[1] % 2)))
    holidays = {date(2026, 12, 25), date(2026, 3, 29), date(2026, 11, 1)}
    hours = split_shift(start, start + pd.Timedelta(minutes=15 * length_q), tz, *window, holidays)
    expected = _minute_by_minute(start, 15 * length_q, tz, window, holidays)
    got = tuple(
        sum(getattr(d, f) for d in hours.by_date) // 60
        for f in ("seconds", "night_s", "weekend_s", "holiday_s")
    )
    assert got == expected
