"""A one-queue organisation and its tickets with known answers, for the feedback tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from scenarios.loader import parse_scenario
from scenarios.spec import Scenario

AS_OF = date(2027, 3, 8)  # a Monday
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def tiny_scenario(tier2: bool = False, **queue: Any) -> Scenario:
    """One UTC site, one phone queue open 08:00-16:00 every day, hourly planning.

    With `tier2`, a Tier 2 web queue (and its agents) takes the phone queue's escalations.
    """
    hours = {
        "kind": "hours",
        "timezone": "UTC",
        "days": WEEKDAYS,
        "open": "08:00",
        "close": "16:00",
    }
    queues: list[dict[str, Any]] = [
        {
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "target": {"fraction": 0.8, "within_seconds": 60},
            "aht_seconds": 300,
            "shrinkage": 0.0,
            "coverage": hours,
            **queue,
        }
    ]
    headcount: list[dict[str, Any]] = [{"tier": 1, "count": 6, "skills": ["phone/en"]}]
    if tier2:
        queues.append(
            {
                "channel": "web",
                "language": "en",
                "tier": 2,
                "target": {"fraction": 0.9, "within_seconds": 14400},
                "aht_seconds": 1200,
                "coverage": hours,
            }
        )
        headcount.append({"tier": 2, "count": 2, "skills": ["web/en"]})
    return parse_scenario(
        {
            "name": "tiny",
            "planning": {"interval_minutes": 60, "weeks": 1, "solver_seconds": 5},
            "sites": [
                {
                    "id": "hq",
                    "name": "HQ",
                    "timezone": "UTC",
                    "country": "GB",
                    "hourly_cost": "30",
                    "contract": {"shift_templates": [{"id": "day", "start": "08:00", "hours": 8}]},
                    "headcount": headcount,
                }
            ],
            "queues": queues,
            "demand": {
                "regions": [
                    {
                        "id": "uk",
                        "timezone": "UTC",
                        "country": "GB",
                        "languages": {"en": 1.0},
                        "weekly_volume": {"phone": 560},
                    }
                ]
            },
        }
    )


def hourly_tickets(weeks: int, per_hour: int = 10) -> pd.DataFrame:
    """`per_hour` phone tickets in each open hour (08-16 UTC) of the weeks before AS_OF.

    Handle times cycle through 240, 360 and 480 s (mean 360 s); every fifth escalated.
    """
    start = pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(weeks=weeks)
    hours = [start + pd.Timedelta(days=d, hours=h) for d in range(7 * weeks) for h in range(8, 16)]
    created = [h + pd.Timedelta(minutes=5 * k) for h in hours for k in range(per_hour)]
    n = len(created)
    return pd.DataFrame(
        {
            "source": "csv",
            "ticket_id": [str(i) for i in range(n)],
            "created_at": pd.DatetimeIndex(created),
            "updated_at": pd.DatetimeIndex(created) + pd.Timedelta(hours=1),
            "status": "solved",
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "first_reply_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
            "solved_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
            "handle_seconds": np.resize([240.0, 360.0, 480.0], n),
            "escalated": pd.array(np.arange(n) % 5 == 0, dtype="boolean"),
            "csat": np.nan,
            "region": "uk",
        }
    )


def roster_of(heads_by_day: dict[date, int]) -> pd.DataFrame:
    """A hand-made roster: `heads` agents on the 08:00-16:00 shift on each day."""
    rows = []
    for day, heads in heads_by_day.items():
        for k in range(heads):
            start = pd.Timestamp(day, tz="UTC") + pd.Timedelta(hours=8)
            rows.append(
                {
                    "agent_id": f"hq-t1-{k:02d}",
                    "site": "hq",
                    "timezone": "UTC",
                    "date_local": day,
                    "start_local": "08:00",
                    "end_local": "16:00",
                    "start_utc": start,
                    "end_utc": start + pd.Timedelta(hours=8),
                    "shift": "day",
                    "tier": 1,
                    "skills": "phone/en",
                }
            )
    return pd.DataFrame(rows)
