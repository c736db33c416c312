"""Coverage policies (business hours, 24/5, 24/7) to masks over the UTC interval grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.timegrid import (
    DailyHours,
    WeekPoint,
    daily_hours_mask,
    weekday_number,
    weekdays,
    weekly_span_mask,
)
from scenarios.spec import Always, Coverage, Span24x5, WeeklyOpen


def coverage_mask(coverage: Coverage, grid: pd.DatetimeIndex) -> np.ndarray:
    """Boolean mask of the grid intervals in which the policy says the queue is open."""
    if isinstance(coverage, Always):
        return np.ones(len(grid), dtype=bool)
    if isinstance(coverage, WeeklyOpen):
        hours = DailyHours(
            weekdays(coverage.days), coverage.open, coverage.close, coverage.timezone
        )
        return daily_hours_mask(grid, hours)
    if isinstance(coverage, Span24x5):
        start = WeekPoint(
            weekday_number(coverage.start.day), coverage.start.time, coverage.start.timezone
        )
        end = WeekPoint(weekday_number(coverage.end.day), coverage.end.time, coverage.end.timezone)
        return weekly_span_mask(grid, start, end)
    raise TypeError(f"unknown coverage policy {coverage!r}")
