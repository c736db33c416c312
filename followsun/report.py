"""The demo's report: one self-contained report.html, and a terminal summary table.

The HTML embeds plotly.js once (the machine may be offline, so no CDN) and every figure
after it, so the file opens from disk without a server. Long frames are downsampled to
hourly points before plotting to keep the file small; the CSV files beside the report
keep the full 15-minute detail.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots
from rich.table import Table

from evaluation.analytic import sla_weights
from evaluation.cost import CATEGORIES, CostReport
from evaluation.simulated import SimulationResult
from followsun.atomic import replacing_file
from followsun.report_sla import GAP_POINTS, SlaFigure, channel_figures, queue_figures, week_table
from forecasting.queues import queue_keys

HISTORY_WEEKS_SHOWN = 4
"""Weeks of history drawn before the forecast: enough to see the weekly pattern."""
MAX_ROSTER_AGENTS = 120
"""Agents drawn in the roster timeline; beyond this the chart says how many were left out."""
MAX_GROUP_PANELS = 12
"""Coverage groups drawn one panel each; the rest are named in a note."""

SECTION_IDS: tuple[str, ...] = (
    "summary",
    "methods",
    "forecast",
    "requirements",
    "coverage",
    "roster",
    "outcomes",
    "cost",
    "comparison",
    "solver",
)

_CATEGORY_COLOURS = {
    "base": "#4c78a8",
    "night": "#54a24b",
    "weekend": "#f58518",
    "holiday": "#e45756",
    "bpo": "#b279a2",
}


@dataclass(frozen=True)
class SolverFigures:
    """How the roster solve ended, as the solver reported it (never hidden).

    Attributes:
        status: 'optimal', 'feasible', 'infeasible' or 'unknown'.
        objective: objective in points; None when no roster was found.
        bound: best proven lower bound in points; None when the solver gave none.
        gap: (objective - bound) / objective as a fraction; None without a roster.
        seconds: wall-clock seconds the solve took.
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float


@dataclass(frozen=True)
class VariantPoint:
    """One scenario variant on the cost-against-SLA chart.

    Attributes:
        name: the variant's scenario name.
        total_cost: its total cost over the planning period.
        sla_attainment: its offered-weighted share of contacts answered within target.
    """

    name: str
    total_cost: Decimal
    sla_attainment: float


@dataclass(frozen=True)
class ChannelSla:
    """Service level attained by one channel over the period.

    Attributes:
        channel: 'phone', 'chat', 'email', 'web' or 'social'.
        offered: contacts offered.
        attainment: offered-weighted mean of the per-interval service level, in [0, 1].
    """

    channel: str
    offered: float
    attainment: float


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything the report shows; the frames are the pipeline's outputs as they are.

    Attributes:
        scenario: scenario name.
        description: one-paragraph scenario description.
        methods: (stage, method) pairs naming honestly how each stage was computed, e.g.
            ('forecast', 'seasonal naive forecast (same interval last week)').
        history: `interval_start` (UTC), `channel`, `language`, `tier`, `volume`.
        forecast: `interval_start` (UTC), `channel`, `language`, `tier`, `volume`,
            `volume_p10`, `volume_p90`.
        requirements: `interval_start` (UTC), `channel`, `language`, `tier`,
            `agents_required`.
        coverage: `interval_start` (UTC), `group`, `required`, `scheduled`, `shortfall`.
        roster: `agent_id`, `site`, `timezone`, `start_utc`, `end_utc` (UTC), `shift`.
        outcomes: `interval_start` (UTC), `channel`, `offered`, `service_level`.
        cost: the priced scenario.
        solver: how the roster solve ended.
        sla_targets: (channel, target fraction) pairs drawn as reference lines.
        accuracy: forecast against actuals per queue (`forecasting.backtest.
            forecast_accuracy` columns), when actuals are known.
        simulated: the roster simulated against the contacts (`outcomes` is then its
            outcomes frame): SLA per queue, channel and week with 95% intervals.
        analytic_outcomes: the analytic per-interval estimate of the same plan, shown
            beside the simulated figures where they differ by more than 2 points.
        fairness: nights, weekend days, holidays and late shifts per site and tier
            (`scenarios.fairness.fairness_spread`), when known.
        wishes: agents' wishes (granted, wished) over the roster, when known.
    """

    scenario: str
    description: str
    methods: tuple[tuple[str, str], ...]
    history: pd.DataFrame
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    coverage: pd.DataFrame
    roster: pd.DataFrame
    outcomes: pd.DataFrame
    cost: CostReport
    solver: SolverFigures
    sla_targets: tuple[tuple[str, float], ...] = field(default=())
    accuracy: pd.DataFrame | None = None
    simulated: SimulationResult | None = None
    analytic_outcomes: pd.DataFrame | None = None
    fairness: pd.DataFrame | None = None
    wishes: tuple[int, int] | None = None
    comparison: ComparisonSection | None = None


@dataclass(frozen=True)
class ComparisonSection:
    """Variants compared beside the plan (the demo's bundled variants), for the report.

    Attributes:
        table: comparison.csv (`followsun.services.compare.comparison_table`).
        frontier: the variants on the cost-SLA frontier.
        verdict: the verdict in words, a sentence an item.
        how: how it was computed (horizon, replications, budget) or which stored run it is.
    """

    table: pd.DataFrame
    frontier: tuple[str, ...]
    verdict: tuple[str, ...]
    how: str


# --- figures of merit --------------------------------------------------------------------


def sla_by_channel(outcomes: pd.DataFrame) -> tuple[ChannelSla, ...]:
    """Service level attained per channel, weighted as `evaluation.analytic.sla_weights`.

    Args:
        outcomes: columns `channel`, `offered`, `service_level` (fraction in [0, 1]), and
            optionally `open` and `sl_censored`.

    Returns:
        One entry per channel with contacts that count, sorted by channel; `offered` is
        the contacts that count (those offered while open).
    """
    weight = sla_weights(outcomes)
    level = pd.to_numeric(outcomes["service_level"], errors="coerce").fillna(0.0)
    frame = pd.DataFrame(
        {"channel": outcomes["channel"].astype(str), "offered": weight, "met": weight * level}
    )
    sums = frame.groupby("channel", sort=True)[["offered", "met"]].sum()
    return tuple(
        ChannelSla(str(ch), float(row.offered), float(row.met / row.offered))
        for ch, row in sums.iterrows()
        if row.offered > 0
    )


def overall_sla(outcomes: pd.DataFrame) -> float | None:
    """Offered-weighted service level over every channel; None when nothing was offered."""
    per = sla_by_channel(outcomes)
    offered = sum(c.offered for c in per)
    if offered <= 0:
        return None
    return sum(c.attainment * c.offered for c in per) / offered


# --- frame helpers ------------------------------------------------------------------------


def _naive_utc(values: pd.Series) -> pd.Series:
    """UTC timestamps without zone, for plotting on an axis labelled UTC."""
    stamps = pd.to_datetime(values, utc=True, format="ISO8601")
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None)


def _queue(frame: pd.DataFrame) -> pd.Series:
    return queue_keys(frame, "report")


def _hourly(
    frame: pd.DataFrame, keys: Sequence[str], values: Sequence[str], how: str
) -> pd.DataFrame:
    """Aggregate `values` per UTC hour and `keys` (sum or mean), hour in column `hour`."""
    out = frame.assign(hour=_naive_utc(frame["interval_start"]).dt.floor("h"))
    cols = {v: pd.to_numeric(out[v], errors="coerce") for v in values}
    out = out.assign(**cols)
    grouped = out.groupby([*keys, "hour"], sort=True)[list(values)]
    result = grouped.sum() if how == "sum" else grouped.mean()
    return result.reset_index()


def _money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "n/a (no tickets handled)"
    return f"{currency} {value:,.2f}"


def _fmt(value: float | None, spec: str = ".4g") -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else format(value, spec)
    )


def _fig_html(fig: go.Figure) -> str:
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))


# --- figures ------------------------------------------------------------------------------


def forecast_figure(
    history: pd.DataFrame, forecast: pd.DataFrame, actuals: pd.DataFrame | None = None
) -> go.Figure | None:
    """Hourly volume per channel: recent history, the forecast and its p10-p90 band, the actuals.

    The band is the sum of the per-queue p10 and p90 over the hour, which is wider than
    the band of the sum: shown as a conservative envelope.
    """
    if forecast.empty:
        return None
    fc = _hourly(forecast, ["channel"], ["volume", "volume_p10", "volume_p90"], "sum")
    start = fc["hour"].min()
    hist = history.iloc[0:0]
    if not history.empty:
        hist = _hourly(history, ["channel"], ["volume"], "sum")
        hist = hist[
            (hist["hour"] < start)
            & (hist["hour"] >= start - pd.Timedelta(weeks=HISTORY_WEEKS_SHOWN))
        ]
    actual = (
        None
        if actuals is None or actuals.empty
        else _hourly(actuals, ["channel"], ["volume"], "sum")
    )
    channels = sorted(set(fc["channel"]))
    fig = make_subplots(
        rows=len(channels),
        cols=1,
        shared_xaxes=True,
        subplot_titles=channels,
        vertical_spacing=0.06,
    )
    for row, channel in enumerate(channels, start=1):
        f = fc[fc["channel"] == channel]
        first = row == 1
        fig.add_trace(
            go.Scatter(
                x=f["hour"],
                y=f["volume_p90"],
                line={"width": 0},
                name="p90",
                showlegend=False,
                hoverinfo="skip",
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=f["hour"],
                y=f["volume_p10"],
                fill="tonexty",
                fillcolor="rgba(76,120,168,0.25)",
                line={"width": 0},
                name="p10-p90",
                legendgroup="band",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=f["hour"],
                y=f["volume"],
                name="forecast",
                line={"color": "#4c78a8"},
                legendgroup="fc",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        for observed, name, colour in ((hist, "history", "#888"), (actual, "actual", "#e45756")):
            if observed is None or observed.empty:
                continue
            h = observed[observed["channel"] == channel]
            fig.add_trace(
                go.Scatter(
                    x=h["hour"],
                    y=h["volume"],
                    name=name,
                    line={"color": colour},
                    legendgroup=name,
                    showlegend=first,
                ),
                row=row,
                col=1,
            )
    fig.update_layout(title="Contacts per hour (UTC)", height=260 * len(channels) + 80)
    return fig


def requirements_figure(requirements: pd.DataFrame) -> go.Figure | None:
    """Agents required per queue, hourly mean of the intervals (UTC)."""
    if requirements.empty:
        return None
    req = requirements.assign(queue=_queue(requirements))
    hourly = _hourly(req, ["queue"], ["agents_required"], "mean")
    fig = go.Figure()
    for queue, rows in hourly.groupby("queue", sort=True):
        fig.add_trace(
            go.Scatter(x=rows["hour"], y=rows["agents_required"], name=str(queue), mode="lines")
        )
    fig.update_layout(
        title="Agents required per queue (hourly mean, UTC)", yaxis_title="agents", height=420
    )
    return fig


VENDOR_LABEL = "BPO heads"
"""How charts name the heads bought from a vendor."""
VENDOR_COLOUR = "#b279a2"


def coverage_figure(coverage: pd.DataFrame) -> go.Figure | None:
    """Required against scheduled agents per group over time (hourly mean, UTC).

    Where the roster bought BPO heads (a `vendor` column), they are drawn beside the
    in-house agents, so a vendor's share of the coverage is visible.
    """
    if coverage.empty:
        return None
    vendor = "vendor" in coverage.columns
    values = ["required", "scheduled", "shortfall", *(["vendor"] if vendor else [])]
    hourly = _hourly(coverage, ["group"], values, "mean")
    groups = sorted(set(hourly["group"]))[:MAX_GROUP_PANELS]
    fig = make_subplots(
        rows=len(groups), cols=1, shared_xaxes=True, subplot_titles=groups, vertical_spacing=0.04
    )
    for row, group in enumerate(groups, start=1):
        g = hourly[hourly["group"] == group]
        first = row == 1
        fig.add_trace(
            go.Scatter(
                x=g["hour"],
                y=g["required"],
                name="required",
                line={"color": "#e45756", "dash": "dot"},
                legendgroup="r",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=g["hour"],
                y=g["scheduled"],
                name="scheduled",
                line={"color": "#4c78a8"},
                legendgroup="s",
                showlegend=first,
            ),
            row=row,
            col=1,
        )
        if vendor:
            fig.add_trace(
                go.Scatter(
                    x=g["hour"],
                    y=g["vendor"],
                    name=VENDOR_LABEL,
                    line={"color": VENDOR_COLOUR},
                    fill="tozeroy",
                    legendgroup="v",
                    showlegend=first,
                ),
                row=row,
                col=1,
            )
    title = "Required against scheduled agents" + (" and BPO heads" if vendor else "")
    fig.update_layout(title=f"{title} (hourly mean, UTC)", height=200 * len(groups) + 100)
    return fig


def shortfall_heatmap(coverage: pd.DataFrame) -> go.Figure | None:
    """Mean shortfall (agents, summed over groups) by UTC weekday and time of day.

    With BPO heads in the coverage (`vendor` column), each cell also says how many
    vendor heads covered it (hover) and the cells they covered are outlined by a contour.
    """
    if coverage.empty:
        return None
    stamps = _naive_utc(coverage["interval_start"])
    vendor = "vendor" in coverage.columns
    frame = pd.DataFrame(
        {
            "stamp": stamps,
            "shortfall": pd.to_numeric(coverage["shortfall"], errors="coerce").fillna(0.0),
            "vendor": pd.to_numeric(coverage["vendor"], errors="coerce").fillna(0.0)
            if vendor
            else 0.0,
        }
    )
    per_interval = frame.groupby("stamp", sort=True)[["shortfall", "vendor"]].sum().reset_index()
    per_interval["weekday"] = per_interval["stamp"].dt.weekday
    per_interval["clock"] = per_interval["stamp"].dt.strftime("%H:%M")

    def grid_of(values: str) -> pd.DataFrame:
        table = per_interval.pivot_table(
            index="weekday", columns="clock", values=values, aggfunc="mean"
        )
        return table.reindex(range(7))

    table = grid_of("shortfall")
    bought = grid_of("vendor").reindex(columns=table.columns)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=list(table.columns),
            y=names,
            customdata=bought.to_numpy(),
            colorscale="Reds",
            colorbar={"title": "agents short"},
            hovertemplate="%{y} %{x} UTC: %{z:.2f} agents short"
            + (f", %{{customdata:.2f}} {VENDOR_LABEL}" if vendor else "")
            + "<extra></extra>",
        )
    )
    if vendor and float(np.nansum(bought.to_numpy())) > 0:
        fig.add_trace(
            go.Contour(
                z=bought.to_numpy(),
                x=list(bought.columns),
                y=names,
                contours={"coloring": "lines", "start": 0.5, "end": 0.5, "size": 1},
                line={"color": VENDOR_COLOUR, "width": 2},
                showscale=False,
                name=f"{VENDOR_LABEL} (outlined)",
                showlegend=True,
                hoverinfo="skip",
            )
        )
    title = "Mean shortfall by weekday and time of day (UTC)"
    fig.update_layout(
        title=title + (f"; {VENDOR_LABEL} outlined" if vendor else ""),
        height=340,
        yaxis={"autorange": "reversed"},
    )
    return fig


def _wall_clock(instants: pd.Series, zones: pd.Series) -> pd.Series:
    """UTC instants as naive wall-clock times in each row's zone (one conversion per zone)."""
    out = pd.Series(pd.NaT, index=instants.index, dtype="datetime64[ns]")
    for zone, index in instants.groupby(zones).groups.items():
        out.loc[index] = instants.loc[index].dt.tz_convert(str(zone)).dt.tz_localize(None)
    return out


def roster_figure(
    roster: pd.DataFrame, in_utc: bool = False, max_agents: int = MAX_ROSTER_AGENTS
) -> tuple[go.Figure | None, int]:
    """Gantt-style roster: one row per agent, shifts in the agent's local time (or UTC), by shift.

    Local times come from each shift's UTC instants in the agent's zone, so they are
    right across a DST change.

    Returns:
        The figure (None for an empty roster) and the number of agents left out.
    """
    if roster.empty:
        return None, 0
    starts = pd.to_datetime(roster["start_utc"], utc=True, format="ISO8601")
    ends = pd.to_datetime(roster["end_utc"], utc=True, format="ISO8601")
    zones = pd.Series("UTC", index=roster.index) if in_utc else roster["timezone"].astype(str)
    shift = (
        roster["shift"].astype(str)
        if "shift" in roster.columns
        else pd.Series(["shift"] * len(roster), index=roster.index)
    )
    frame = pd.DataFrame(
        {
            "agent": roster["site"].astype(str) + " · " + roster["agent_id"].astype(str),
            "start": _wall_clock(starts, zones),
            "end": _wall_clock(ends, zones),
            "shift": shift,
        }
    )
    agents = sorted(set(frame["agent"]))
    shown = agents[:max_agents]
    frame = frame[frame["agent"].isin(shown)]
    # Numeric rows with the names as tick labels, and numeric hover data: plotly copies
    # every array it is given, and arrays of strings cost far more to copy than numbers.
    position = {agent: len(shown) - 1 - i for i, agent in enumerate(shown)}
    fig = go.Figure()
    for shift_name, rows in frame.groupby("shift", sort=True):
        duration = (rows["end"] - rows["start"]).dt.total_seconds()
        fig.add_trace(
            go.Bar(
                base=rows["start"],
                x=(duration * 1000).to_numpy(),
                y=rows["agent"].map(position).to_numpy(),
                orientation="h",
                name=str(shift_name),
                customdata=(duration / 3600).to_numpy(),
                hovertemplate="%{base|%a %d %b %H:%M}, %{customdata:.2g} h<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        title="Roster: each agent's shifts in " + ("UTC" if in_utc else "the agent's local time"),
        barmode="overlay",
        height=max(300, 18 * len(shown) + 120),
        xaxis={"type": "date", "title": "UTC" if in_utc else "local time"},
        yaxis={
            "tickmode": "array",
            "tickvals": [position[agent] for agent in shown],
            "ticktext": shown,
            "range": [-0.5, len(shown) - 0.5],
            "title": None,
        },
    )
    return fig, len(agents) - len(shown)


def outcomes_figure(
    outcomes: pd.DataFrame, targets: Sequence[tuple[str, float]]
) -> go.Figure | None:
    """Daily service level per channel (weighted as `sla_weights`), with the targets."""
    if outcomes.empty:
        return None
    offered = pd.Series(sla_weights(outcomes), index=outcomes.index)
    frame = pd.DataFrame(
        {
            "day": _naive_utc(outcomes["interval_start"]).dt.floor("D"),
            "channel": outcomes["channel"].astype(str),
            "offered": offered,
            "met": offered * pd.to_numeric(outcomes["service_level"], errors="coerce").fillna(0.0),
        }
    )
    daily = frame.groupby(["channel", "day"], sort=True)[["offered", "met"]].sum().reset_index()
    daily = daily[daily["offered"] > 0]
    fig = go.Figure()
    for channel, rows in daily.groupby("channel", sort=True):
        fig.add_trace(
            go.Scatter(
                x=rows["day"],
                y=rows["met"] / rows["offered"],
                name=str(channel),
                mode="lines+markers",
            )
        )
    for channel, target in targets:
        fig.add_hline(
            y=target,
            line={"dash": "dot", "color": "#999"},
            annotation_text=f"{channel} target {target:.0%}",
        )
    fig.update_layout(
        title="Service level per channel per day (UTC days)",
        yaxis={"tickformat": ".0%", "range": [0, 1.05]},
        height=380,
    )
    return fig


def cost_figures(cost: CostReport) -> tuple[go.Figure, go.Figure]:
    """Cost by payer and category (stacked bars), and cost per day by category."""
    payers = [(s.site, s.base, s.night, s.weekend, s.holiday, Decimal(0)) for s in cost.by_site]
    payers += [
        (v.vendor, Decimal(0), Decimal(0), Decimal(0), Decimal(0), v.total) for v in cost.by_vendor
    ]
    breakdown = go.Figure()
    for i, category in enumerate(CATEGORIES, start=1):
        values = [float(p[i]) for p in payers]
        if any(values):
            breakdown.add_trace(
                go.Bar(
                    x=[p[0] for p in payers],
                    y=values,
                    name=category,
                    marker_color=_CATEGORY_COLOURS[category],
                )
            )
    breakdown.update_layout(
        barmode="stack", title=f"Cost by site and vendor ({cost.currency})", height=380
    )

    daily = cost.daily.assign(amount=[float(a) for a in cost.daily["amount"]])
    per_day = daily.groupby(["date", "category"], sort=True)["amount"].sum().reset_index()
    over_time = go.Figure()
    for category in CATEGORIES:
        rows = per_day[per_day["category"] == category]
        if not rows.empty:
            over_time.add_trace(
                go.Bar(
                    x=rows["date"],
                    y=rows["amount"],
                    name=category,
                    marker_color=_CATEGORY_COLOURS[category],
                )
            )
    over_time.update_layout(
        barmode="stack", title=f"Cost per day ({cost.currency}; local dates for sites)", height=360
    )
    return breakdown, over_time


def variants_cost_sla_figure(
    table: pd.DataFrame, frontier: tuple[str, ...], currency: str
) -> go.Figure:
    """Total cost against overall SLA, every variant a point, the frontier a line.

    `table` holds comparison.csv's `scenario`, `total_cost`, `sla_overall`, `targets_met`.
    """
    on = table[table["scenario"].isin(frontier)].sort_values("total_cost")
    met = [str(v).lower() == "true" for v in table["targets_met"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=on["sla_overall"],
            y=on["total_cost"],
            mode="lines",
            name="frontier",
            line={"color": "#9d9d9d", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=table["sla_overall"],
            y=table["total_cost"],
            text=table["scenario"],
            mode="markers+text",
            textposition="top center",
            name="variants",
            marker={"size": 12, "color": ["#54a24b" if m else "#e45756" for m in met]},
            hovertemplate="%{text}<br>SLA %{x:.1%}<br>cost %{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Cost against SLA (green: every target met; dashed: the frontier)",
        xaxis={"title": "contacts answered within target (all queues)", "tickformat": ".0%"},
        yaxis={"title": f"total cost ({currency})"},
        height=420,
    )
    return fig


def cost_sla_figure(data: ReportData) -> go.Figure:
    """Total cost against SLA attainment of this scenario (no point when nothing was offered)."""
    sla = overall_sla(data.outcomes)
    points = [] if sla is None else [VariantPoint(data.scenario, data.cost.total, sla)]
    fig = go.Figure(
        go.Scatter(
            x=[p.sla_attainment for p in points],
            y=[float(p.total_cost) for p in points],
            text=[p.name for p in points],
            mode="markers+text",
            textposition="top center",
            marker={
                "size": 12,
                "color": ["#e45756" if p.name == data.scenario else "#4c78a8" for p in points],
            },
            hovertemplate="%{text}<br>SLA %{x:.1%}<br>cost %{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Cost against SLA attainment"
        + ("" if points else " (no contacts offered: SLA undefined, nothing to plot)"),
        xaxis={"title": "contacts answered within target (all channels)", "tickformat": ".0%"},
        yaxis={"title": f"total cost ({data.cost.currency})"},
        height=380,
    )
    return fig


# --- the page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: a label and its formatted value."""

    label: str
    value: str


def summary_rows(data: ReportData) -> tuple[SummaryRow, ...]:
    """The summary as label/value rows, shared by the HTML page and the terminal table."""
    rows = [
        SummaryRow(f"site {s.site}", f"{s.agents} agents, {s.fte:.1f} FTE")
        for s in data.cost.by_site
    ]
    rows += [
        SummaryRow(f"vendor {v.vendor}", f"{v.agent_hours:,.0f} agent-hours ({v.price_kind})")
        for v in data.cost.by_vendor
    ]
    currency = data.cost.currency
    rows += [
        SummaryRow(
            f"vendor {v.vendor} bill",
            f"usage {_money(v.usage, currency)}, minimum top-up "
            f"{_money(v.minimum_topup, currency)}, set-up {_money(v.setup, currency)}"
            + ("" if v.sla is None else f", its SLA {v.sla:.1%}")
            + (f", SLA credit {_money(v.sla_credit, currency)}" if v.sla_credit else ""),
        )
        for v in data.cost.by_vendor
    ]
    targets = dict(data.sla_targets)
    if data.simulated is not None:
        for fig in channel_figures(data.simulated, data.analytic_outcomes):
            spread = "" if math.isnan(fig.low) else f" [{fig.low:.1%} to {fig.high:.1%}]"
            estimate = f"; analytic estimate {fig.analytic:.1%}" if fig.differs else ""
            rows.append(
                SummaryRow(
                    f"SLA {fig.label} (simulated)",
                    f"{fig.simulated:.1%}{spread} (target {fig.target:.0%}{estimate})",
                )
            )
    else:
        for sla in sla_by_channel(data.outcomes):
            target = f" (target {targets[sla.channel]:.0%})" if sla.channel in targets else ""
            rows.append(SummaryRow(f"SLA {sla.channel}", f"{sla.attainment:.1%}{target}"))
    rows.append(SummaryRow("total cost", _money(data.cost.total, data.cost.currency)))
    rows.append(SummaryRow("cost per ticket", _money(data.cost.per_ticket, data.cost.currency)))
    rows.append(SummaryRow("roster solver", data.solver.status))
    return tuple(rows)


def summary_table(data: ReportData) -> Table:
    """A terminal table of the run: sites, SLA per channel, cost, solver status."""
    table = Table(title=f"followsun: {data.scenario}", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in summary_rows(data):
        table.add_row(row.label, row.value)
    return table


def summary_json(data: ReportData) -> str:
    """summary.json, the demo's file contract: scenario, sites, sla, cost, solver."""
    record = {
        "scenario": data.scenario,
        "sites": [
            {"site": s.site, "agents": s.agents, "fte": round(s.fte, 3)} for s in data.cost.by_site
        ],
        "sla": {s.channel: round(s.attainment, 4) for s in sla_by_channel(data.outcomes)},
        **_simulated_sla(data),
        "cost": {
            "total": str(data.cost.total),
            "per_ticket": None if data.cost.per_ticket is None else str(data.cost.per_ticket),
            "currency": data.cost.currency,
        },
        "solver": {
            "status": data.solver.status,
            "objective": data.solver.objective,
            "bound": data.solver.bound,
            "gap": data.solver.gap,
            "seconds": round(data.solver.seconds, 3),
        },
    }
    return json.dumps(record, indent=2)


def _simulated_sla(data: ReportData) -> dict[str, object]:
    """summary.json's simulated SLA: per channel (the headline) and per queue with intervals."""
    if data.simulated is None:
        return {}

    def figure(fig: SlaFigure) -> dict[str, object]:
        return {
            "service_level": _rounded(fig.simulated),
            "low": _rounded(fig.low),
            "high": _rounded(fig.high),
            "target": fig.target,
            "analytic_estimate": None if fig.analytic is None else _rounded(fig.analytic),
        }

    channels = channel_figures(data.simulated, data.analytic_outcomes)
    return {
        "sla": {f.label: _rounded(f.simulated) for f in channels},
        "sla_method": "simulated",
        "sla_replications": data.simulated.replications,
        "sla_seed": data.simulated.seed,
        "sla_by_channel": {f.label: figure(f) for f in channels},
        "sla_by_queue": {
            f.label: figure(f) for f in queue_figures(data.simulated, data.analytic_outcomes)
        },
    }


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _template() -> jinja2.Template:
    text = (
        resources.files("followsun")
        .joinpath("templates/report.html.j2")
        .read_text(encoding="utf-8")
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text)


def _pct(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "n/a" if not np.isfinite(number) else f"{number:.1%}"


def render_report(data: ReportData) -> str:
    """The report as one HTML string with plotly.js and every figure embedded."""

    def html(fig: go.Figure | None) -> str | None:
        return None if fig is None else _fig_html(fig)

    roster_fig, agents_left_out = roster_figure(data.roster)
    breakdown, over_time = cost_figures(data.cost)
    groups = sorted(set(data.coverage["group"].astype(str))) if not data.coverage.empty else []
    cost = data.cost
    return _template().render(
        data=data,
        section_ids=SECTION_IDS,
        plotlyjs=Markup(get_plotlyjs()),
        summary=summary_rows(data),
        figures={
            name: Markup(value) if value else None
            for name, value in {
                "forecast": html(forecast_figure(data.history, data.forecast)),
                "requirements": html(requirements_figure(data.requirements)),
                "coverage": html(coverage_figure(data.coverage)),
                "heatmap": html(shortfall_heatmap(data.coverage)),
                "roster": html(roster_fig),
                "outcomes": html(outcomes_figure(data.outcomes, data.sla_targets)),
                "cost_breakdown": _fig_html(breakdown),
                "cost_daily": _fig_html(over_time),
                "cost_sla": _fig_html(cost_sla_figure(data)),
                "comparison": None
                if data.comparison is None
                else _fig_html(
                    variants_cost_sla_figure(
                        data.comparison.table, data.comparison.frontier, cost.currency
                    )
                ),
            }.items()
        },
        sla_queues=(
            () if data.simulated is None else queue_figures(data.simulated, data.analytic_outcomes)
        ),
        sla_weeks=((), ()) if data.simulated is None else week_table(data.simulated),
        gap_points=GAP_POINTS,
        history_weeks=HISTORY_WEEKS_SHOWN,
        groups_left_out=groups[MAX_GROUP_PANELS:],
        agents_left_out=agents_left_out,
        categories=[(c, _money(getattr(cost.by_category, c), cost.currency)) for c in CATEGORIES],
        money=lambda v: _money(v, cost.currency),
        fmt=_fmt,
        pct=_pct,
        period=f"{cost.period_start:%Y-%m-%d %H:%M} to {cost.period_end:%Y-%m-%d %H:%M} UTC",
    )


def write_report(path: str | Path, data: ReportData) -> Path:
    """Write the self-contained report.html to `path` atomically (parents created); return the path."""
    out = Path(path)
    text = render_report(data)
    with replacing_file(out) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return out
