"""The dashboard: the latest plan's service level per queue and day, the store, jobs running."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, send_file

from evaluation.schema import OUTCOMES
from followsun.errors import InputError
from followsun.report import overall_sla
from followsun.store import ticket_count
from followsun.store.jobs import JobState, list_jobs
from followsun.store.runs import get_run, recent_runs
from followsun.store.users import Role
from forecasting.queues import queue_keys
from webapp.auth import requires
from webapp.charts import figure_json, plotly_js
from webapp.db import store
from webapp.outputs import run_folder, run_frame

bp = Blueprint("dashboard", __name__)

DAYS_SHOWN = 7


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """Coverage and SLA risk of the coming days per queue, the latest import, jobs running."""
    with store() as db:
        runs = recent_runs(db, "demo", 1)
        tickets = ticket_count(db)
        running = list_jobs(db, JobState.RUNNING) + list_jobs(db, JobState.QUEUED)
    run = runs[0] if runs else None
    outcomes = None if run is None else run_frame(run, "outcomes.csv", OUTCOMES)
    return render_template(
        "dashboard.html",
        run=run,
        risk=None if outcomes is None else sla_by_queue_day(outcomes),
        tickets=tickets,
        running=running,
    )


def sla_by_queue_day(outcomes: Any) -> dict[str, Any] | None:
    """Service level per queue and UTC day over the first DAYS_SHOWN days, as a heatmap."""
    import pandas as pd
    import plotly.graph_objects as go

    if outcomes.empty:
        return None
    frame = outcomes.copy()
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True, format="ISO8601")
    frame["day"] = frame["interval_start"].dt.strftime("%a %d %b")
    frame["queue"] = queue_keys(frame, "outcomes.csv")
    days = list(dict.fromkeys(frame["day"]))[:DAYS_SHOWN]
    queues = sorted(set(frame["queue"]))
    z = [
        [overall_sla(frame[(frame["queue"] == q) & (frame["day"] == d)]) for d in days]
        for q in queues
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=days,
            y=queues,
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            colorbar={"title": "SL"},
            hovertemplate="%{y} %{x}: service level %{z:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Service level per queue and day (planned)", height=120 + 28 * len(queues)
    )
    return {"figure": figure_json(fig)}


@bp.route("/vendor/plotly.min.js")
@requires(Role.VIEWER)
def plotly() -> Response:
    """plotly.js from the installed plotly package, so charts need no internet."""
    response = Response(plotly_js(), mimetype="application/javascript")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/runs/<int:run_id>/report")
@requires(Role.VIEWER)
def report(run_id: int) -> Any:
    """The run's self-contained report.html (its inline scripts allowed on this page only)."""
    with store() as db:
        try:
            run = get_run(db, run_id)
        except InputError:
            abort(404)
    folder = run_folder(run)
    if folder is None or not (folder / "report.html").is_file():
        abort(404)
    response = send_file(folder / "report.html", mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    )
    return response
