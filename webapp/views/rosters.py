"""Rosters: each scenario's versions, the timeline per agent (local time or UTC), publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.report import roster_figure
from followsun.services.people import overlapping
from followsun.store.people import list_absences
from followsun.store.rosters import (
    RosterVersion,
    get_roster,
    publish_roster,
    roster_frame,
    roster_scenario_names,
    roster_versions,
)
from followsun.store.users import Role
from scenarios.people import Absence
from webapp.absence_chart import draw_absences
from webapp.auth import requires
from webapp.cache import app_cache
from webapp.charts import figure_json
from webapp.db import store

bp = Blueprint("rosters", __name__, url_prefix="/rosters")

# Agents drawn on one page; the filters narrow a larger roster down.
MAX_AGENTS_SHOWN = 500


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """Every scenario with a roster, and its versions."""
    with store() as db:
        versions = {name: roster_versions(db, name) for name in roster_scenario_names(db)}
    return render_template("rosters.html", versions=versions)


def find_version(db: Any, roster_id: int) -> RosterVersion:
    """The version with key `roster_id` (404 when there is none)."""
    version = get_roster(db, roster_id)
    if version is None:
        abort(404)
    return version


def filter_roster(roster: pd.DataFrame, site: str, tier: str, skill: str) -> pd.DataFrame:
    """The shifts of agents at `site`, of `tier`, with `skill` (an empty filter keeps all)."""
    keep = pd.Series(True, index=roster.index)
    if site:
        keep &= roster["site"].astype(str) == site
    if tier:
        keep &= roster["tier"].astype(str) == tier
    if skill:
        keep &= roster["skills"].astype(str).str.split(";").apply(lambda skills: skill in skills)
    return roster[keep]


def filter_choices(roster: pd.DataFrame) -> dict[str, list[str]]:
    """The sites, tiers and skills present in a roster (for the filter menus)."""
    skills = sorted({s for joined in roster["skills"].astype(str) for s in joined.split(";") if s})
    return {
        "site": sorted(set(roster["site"].astype(str))),
        "tier": sorted(set(roster["tier"].astype(str))),
        "skill": skills,
    }


def roster_absences(db: Any, roster: pd.DataFrame) -> list[Absence]:
    """The stored absences of the roster's agents inside its dates."""
    if roster.empty:
        return []
    days = roster["date_local"].astype(str).str[:10]
    agents = set(roster["agent_id"].astype(str))
    inside = overlapping(
        list_absences(db), date.fromisoformat(days.min()), date.fromisoformat(days.max())
    )
    return [a for a in inside if a.agent_id in agents]


@dataclass(frozen=True)
class Timeline:
    """What the roster page draws for one version, filter and clock (kept per version)."""

    figure: str | None
    left_out: int
    agents: list[str]
    shifts: int


# Versions whose shifts are kept in memory, and timelines (figure JSON) kept.
ROSTERS_KEPT = 8
TIMELINES_KEPT = 32


def version_key(version: RosterVersion) -> tuple[int, str]:
    """A key that changes if a version id ever names other shifts (its creation time)."""
    return version.id, version.created_at.isoformat()


def cached_roster(version: RosterVersion) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """A version's shifts and filter choices, read from the store once per version."""

    def read() -> tuple[pd.DataFrame, dict[str, list[str]]]:
        with store() as db:
            roster = roster_frame(db, version.id)
        return roster, filter_choices(roster)

    cached: tuple[pd.DataFrame, dict[str, list[str]]] = app_cache("rosters", ROSTERS_KEPT).get(
        version_key(version), read
    )
    return cached


def timeline(
    version: RosterVersion, filters: dict[str, str], in_utc: bool, absences: list[Absence]
) -> Timeline:
    """The drawn timeline of a version under filters and its absences, built once per key."""

    def build() -> Timeline:
        roster, _choices = cached_roster(version)
        shown = filter_roster(roster, **filters)
        fig, left_out = roster_figure(shown, in_utc=in_utc, max_agents=MAX_AGENTS_SHOWN)
        draw_absences(fig, absences, shown, in_utc)
        return Timeline(
            figure=figure_json(fig),
            left_out=left_out,
            agents=sorted(set(shown["agent_id"].astype(str))),
            shifts=len(shown),
        )

    key = (version_key(version), tuple(sorted(filters.items())), in_utc, tuple(absences))
    made: Timeline = app_cache("timelines", TIMELINES_KEPT).get(key, build)
    return made


@bp.route("/<int:roster_id>")
@requires(Role.VIEWER)
def show(roster_id: int) -> str:
    """One version's timeline, filtered by site, tier and skill, in local time or UTC."""
    filters = {name: request.args.get(name, "") for name in ("site", "tier", "skill")}
    in_utc = request.args.get("time") == "utc"
    with store() as db:
        version = find_version(db, roster_id)
        others = roster_versions(db, version.scenario_name)
    # Read outside the session above: on a miss the cache opens its own.
    roster, choices = cached_roster(version)
    with store() as db:
        absences = roster_absences(db, roster)
    drawn = timeline(version, filters, in_utc, absences)
    return render_template(
        "roster.html",
        version=version,
        versions=others,
        figure=drawn.figure,
        left_out=drawn.left_out,
        filters=filters,
        choices=choices,
        in_utc=in_utc,
        agents=drawn.agents,
        shifts=drawn.shifts,
        absences=absences,
    )


@bp.route("/<int:roster_id>/publish", methods=["POST"])
@requires(Role.SCHEDULER)
def publish(roster_id: int) -> Any:
    """Publish this version (the scenario's previously published one is withdrawn)."""
    with store() as db:
        try:
            version = publish_roster(db, roster_id)
        except InputError:
            abort(404)
    flash(f"Published {version.scenario_name} version {version.version}.", "info")
    return redirect(url_for("rosters.show", roster_id=roster_id))
