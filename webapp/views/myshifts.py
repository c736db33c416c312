"""An agent's own page: their coming shifts in their local time and their calendar URL.

The page is opened by the agent's secret calendar token (a per-agent link), the same
revocable token as the iCalendar feed: no account per agent, nothing else is shown, and
revoking the feed closes the page too. A wrong or revoked token is 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from flask import Blueprint, abort, render_template, url_for

from followsun.services.accounts import feed_for_token
from followsun.services.versions import published_shifts
from webapp.auth import public
from webapp.db import database_url, store

bp = Blueprint("myshifts", __name__, url_prefix="/my")


@bp.route("/<token>")
@public
def show(token: str) -> str:
    """The agent's coming published shifts, in their site's local time, and the feed URL."""
    with store() as db:
        found = feed_for_token(db, token)
    if found is None:
        abort(404)
    version, shifts = published_shifts(
        found.scenario_name, found.agent_id, datetime.now(UTC), database_url()
    )
    rows = []
    for shift in shifts.sort_values("start_utc").to_dict("records"):
        zone = str(shift["timezone"])
        start = pd.Timestamp(shift["start_utc"]).tz_convert(zone)
        end = pd.Timestamp(shift["end_utc"]).tz_convert(zone)
        rows.append(
            {
                "day": start.strftime("%a %Y-%m-%d"),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "zone": f"{zone} ({start.strftime('%Z')})",
                "shift": shift["shift"],
                "breaks": shift.get("breaks") if isinstance(shift.get("breaks"), str) else "",
            }
        )
    return render_template(
        "myshifts.html",
        agent=found.agent_id,
        scenario=found.scenario_name,
        version=version,
        rows=rows,
        feed_url=url_for("calendar.feed", token=token, _external=True),
    )
