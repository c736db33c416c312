"""Plans: run a scenario (the sample organisation or a saved variant) as a job; compare runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.services.params import to_params
from followsun.services.plan import DemoOptions, next_monday, plan_job
from followsun.store.comparisons import ComparisonRecord, recent_comparisons
from followsun.store.runs import RunRecord, recent_runs
from followsun.store.users import Role
from webapp.auth import requires
from webapp.charts import figure_json
from webapp.db import database_url, store
from webapp.jobs_submit import new_output_folder, submit_job
from webapp.scenario_files import scenario_choices, scenario_file

bp = Blueprint("plans", __name__, url_prefix="/plans")

MAX_WEEKS = 4
MAX_SOLVER_SECONDS = 600.0


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """The plan form and the runs so far."""
    with store() as db:
        runs = recent_runs(db, "demo", 50)
    return render_template(
        "plans.html",
        runs=runs,
        scenarios=scenario_choices(),
        start=next_monday(datetime.now(UTC).date()),
    )


def _int(form: Any, name: str, low: int, high: int, default: int) -> int:
    try:
        value = int(form.get(name, default))
    except (TypeError, ValueError):
        abort(400, f"{name} must be a whole number")
    if not low <= value <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return value


def plan_options(form: Any, out: Path) -> DemoOptions:
    """The plan request from a submitted form (bounds checked; the scenario from the known list)."""
    path = scenario_file(str(form.get("scenario", "reference")))
    if path is None:
        abort(400, "unknown scenario")
    limit = str(form.get("time_limit_s") or "").strip()
    try:
        seconds = None if not limit else float(limit)
    except ValueError:
        abort(400, "time_limit_s must be a number")
    if seconds is not None and not 1 <= seconds <= MAX_SOLVER_SECONDS:
        abort(400, f"time_limit_s must be between 1 and {MAX_SOLVER_SECONDS:g}")
    return DemoOptions(
        out=out,
        start=next_monday(datetime.now(UTC).date()),
        weeks=_int(form, "weeks", 1, MAX_WEEKS, 1),
        seed=_int(form, "seed", 0, 2**31 - 1, 7),
        time_limit_s=seconds,
        database_url=database_url(),
        scenario_path=path,
        publish=form.get("publish") in ("on", "true", True),
    )


def start_plan(form: Any) -> int:
    """Submit a plan job from the form; returns the job id."""
    return submit_job("plan", plan_job, to_params(plan_options(form, new_output_folder("plan"))))


@bp.route("/", methods=["POST"])
@requires(Role.SCHEDULER)
def start() -> Any:
    """Start planning as a job and follow it on its page."""
    job_id = start_plan(request.form)
    flash(f"Plan started as job {job_id}.", "info")
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.route("/compare")
@requires(Role.VIEWER)
def compare() -> str:
    """Cost against service level for the newest run of every scenario, FTE per site."""
    with store() as db:
        runs = recent_runs(db, "demo", 200)
        comparisons = recent_comparisons(db, STORED_COMPARISONS)
    latest = latest_per_scenario(runs)
    return render_template(
        "compare.html",
        rows=latest,
        figure=figure_json(cost_sla_scatter(latest)) if latest else None,
        verdict=verdict(latest),
        comparisons=[stored_rows(c) for c in comparisons],
    )


STORED_COMPARISONS = 10
"""Stored comparisons (`followsun compare`, the demo's) listed on the compare page."""
SHOWN_FIGURES = ("scenario", "total_cost", "total_cost_delta", "sla_overall", "targets_met")


def stored_rows(record: ComparisonRecord) -> dict[str, Any]:
    """A stored comparison for the page: its run, verdict and the headline figures per variant."""
    table = record.table()
    shown = [c for c in SHOWN_FIGURES if c in table.columns]
    return {
        "run_id": record.run_id,
        "started_at": record.started_at,
        "verdict": record.verdict,
        "columns": shown,
        "rows": [
            {column: _figure(value) for column, value in row.items()}
            for row in table[shown].to_dict(orient="records")
        ],
    }


def _figure(value: object) -> str:
    """A table cell: money to the unit, shares and small figures to three digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def latest_per_scenario(runs: list[RunRecord]) -> list[dict[str, Any]]:
    """The newest succeeded run of each scenario with its summary's cost, SLA and sites."""
    seen: dict[str, dict[str, Any]] = {}
    for run in runs:
        summary = dict(run.summary or {})
        name = summary.get("scenario")
        if not name or name in seen or "cost" not in summary:
            continue
        sla = summary.get("sla", {})
        seen[name] = {
            "run": run,
            "scenario": name,
            "cost": float(summary["cost"]["total"]),
            "currency": summary["cost"].get("currency", ""),
            "sla": sla,
            "worst_sla": min(sla.values()) if sla else None,
            "sites": summary.get("sites", []),
        }
    return sorted(seen.values(), key=lambda row: row["cost"])


def cost_sla_scatter(rows: list[dict[str, Any]]) -> Any:
    """Each variant as a point: total cost against its worst channel's service level."""
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Scatter(
            x=[row["cost"] for row in rows],
            y=[row["worst_sla"] for row in rows],
            text=[row["scenario"] for row in rows],
            mode="markers+text",
            textposition="top center",
        )
    )
    fig.update_layout(
        title="Cost against service level (worst channel)",
        xaxis={"title": "total cost"},
        yaxis={"title": "service level", "tickformat": ".1%"},
        height=420,
    )
    return fig


def verdict(rows: list[dict[str, Any]]) -> str | None:
    """The comparison in words: the cheapest variant, and the best-served one if different."""
    if not rows:
        return None
    cheapest = rows[0]
    scored = [row for row in rows if row["worst_sla"] is not None]
    text = (
        f"{cheapest['scenario']} is the cheapest ({cheapest['cost']:,.0f} {cheapest['currency']})."
    )
    if scored:
        best = max(scored, key=lambda row: row["worst_sla"])
        if best is not cheapest:
            extra = best["cost"] - cheapest["cost"]
            text += (
                f" {best['scenario']} serves best (worst channel {best['worst_sla']:.1%})"
                f" for {extra:,.0f} {best['currency']} more."
            )
        else:
            text += " It also serves best."
    return text
