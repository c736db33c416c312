"""A BPO contract's calendar terms, shared by the roster (hours prepaid) and the cost model.

A monthly minimum is prorated to the days of each calendar month (UTC) a period covers;
under a per-hour or per-FTE-month price it buys agent-hours that are paid whether used or
not, so the roster treats them as free and the cost model bills only the unused rest.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from scenarios.spec import PriceModel

FTE_HOURS_PER_MONTH = Decimal(40 * 52) / Decimal(12)
"""Hours in one full-time month for per-FTE-month BPO pricing: 40 h a week, 52 weeks / 12."""


def month_shares(
    period_start: pd.Timestamp, period_end: pd.Timestamp
) -> list[tuple[date, Decimal]]:
    """Per calendar month (UTC) the period touches: its last day inside, and the share covered."""
    first = period_start.date()
    last = (period_end - pd.Timedelta(microseconds=1)).date()
    out: list[tuple[date, Decimal]] = []
    day = first
    while day <= last:
        month_days = calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, month_days)
        stop = min(month_end, last)
        covered = (stop - day).days + 1
        out.append((stop, Decimal(covered) / Decimal(month_days)))
        day = stop + timedelta(days=1)
    return out


def hourly_price(price: PriceModel) -> Decimal | None:
    """What one vendor agent-hour costs, or None when the price is per ticket."""
    if price.kind == "per_hour":
        return price.rate
    if price.kind == "per_fte_month":
        return price.rate / FTE_HOURS_PER_MONTH
    return None


def prepaid_hours(price: PriceModel, period_start: pd.Timestamp, period_end: pd.Timestamp) -> float:
    """Agent-hours the prorated monthly minimum already pays for over the period.

    Zero without a minimum, and under a per-ticket price (a minimum of tickets buys no
    hours: the vendor's hours are then priced as before).
    """
    rate = hourly_price(price)
    if rate is None or price.minimum_monthly <= 0:
        return 0.0
    paid = sum(
        (price.minimum_monthly * share for _, share in month_shares(period_start, period_end)),
        Decimal(0),
    )
    return float(paid / rate)
