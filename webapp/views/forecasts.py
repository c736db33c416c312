"""Forecast against actuals with its band, and the requirements and shortfall heatmaps of a run."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from followsun.errors import InputError
from followsun.report import forecast_figure, requirements_figure, shortfall_heatmap
from followsun.store.runs import get_run, recent_runs, requirements_frame
from followsun.store.users import Role
from planner.roster.schema import COVERAGE
from webapp.auth import requires
from webapp.charts import figure_json
from webapp.db import store
from webapp.outputs import history_and_forecast, run_frame

bp = Blueprint("forecasts", __name__, url_prefix="/forecast")


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """The chosen run's (default: the newest) forecast, actuals, requirements and shortfall."""
    with store() as db:
        runs = recent_runs(db, "demo", 50)
        run_id = request.args.get("run", type=int) or (runs[0].id if runs else None)
        try:
            run = None if run_id is None else get_run(db, run_id)
            requirements = None if run is None else requirements_frame(db, run.id)
        except InputError:
            abort(404)
    figures: dict[str, str | None] = {}
    if run is not None:
        history, forecast, actuals = history_and_forecast(run)
        coverage = run_frame(run, "coverage.csv", COVERAGE)
        figures = {
            "forecast": None
            if forecast is None or history is None
            else figure_json(forecast_figure(history, forecast, actuals)),
            "requirements": None
            if requirements is None or requirements.empty
            else figure_json(requirements_figure(requirements)),
            "shortfall": None if coverage is None else figure_json(shortfall_heatmap(coverage)),
        }
    return render_template("forecast.html", runs=runs, run=run, figures=figures)
