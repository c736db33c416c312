"""The night window of a contract: one rule for the roster's night shifts and the night premium.

The window is [start, end) in the site's local time; when `end` is not after `start` it
runs past midnight (22:00-06:00), and start == end makes the whole day night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pandas as pd

from forecasting.timegrid import local_to_utc


@dataclass(frozen=True)
class NightWindow:
    """Local night hours, e.g. NightWindow(time(22), time(6))."""

    start: time
    end: time

    @property
    def overnight(self) -> bool:
        """Whether the window runs past local midnight."""
        return self.end <= self.start

    def contains(self, clock: time) -> bool:
        """Whether a local wall-clock time lies inside the window."""
        if self.overnight:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def minutes_within(
        self, start_utc: pd.Timestamp, end_utc: pd.Timestamp, day: date, tz: str
    ) -> int:
        """Minutes of [start_utc, end_utc) inside the windows opening around local `day`.

        Each window is placed on the UTC line with the zone's rules for its own date, so
        a DST change moves its UTC span; a shift is at most a day long, so the windows
        opening the day before, on and after `day` hold all of its night.
        """
        total = 0.0
        for offset in (-1, 0, 1):
            d = day + timedelta(days=offset)
            lo = local_to_utc(d, self.start, tz)
            hi = local_to_utc(d + timedelta(days=1) if self.overnight else d, self.end, tz)
            overlap = (min(end_utc, hi) - max(start_utc, lo)).total_seconds() / 60
            total += max(0.0, overlap)
        return round(total)
