"""comparison.csv and comparison.html: variants side by side, for a finance reader.

The page holds a verdict in words, cost against SLA with every variant and the frontier,
the cost breakdown, FTE per site, where and when each variant misses its targets, and
the table itself; plotly.js is embedded once so the file opens offline.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from followsun.atomic import replacing_folder
from followsun.report import VENDOR_COLOUR, VENDOR_LABEL, _fig_html, variants_cost_sla_figure

if TYPE_CHECKING:
    from followsun.services.compare import Comparison, VariantResult

MISSES_NAMED = 3
"""Misses named per variant in the verdict (worst first); the heatmap shows them all."""
_BREAKDOWN = (
    ("cost_base", "base", "#4c78a8"),
    ("cost_night", "night", "#54a24b"),
    ("cost_weekend", "weekend", "#f58518"),
    ("cost_holiday", "holiday", "#e45756"),
    ("cost_bpo", "BPO", "#b279a2"),
    ("cost_minimum_topup", "BPO minimum top-up", "#9d755d"),
    ("cost_bpo_setup", "BPO set-up (amortised)", "#bab0ac"),
    ("cost_sla_credit", "BPO SLA credit (refund)", "#ff9da6"),
)


def write_comparison(out: Path, comparison: Comparison) -> tuple[Path, Path]:
    """Write comparison.csv and comparison.html into `out`; return their paths."""
    with replacing_folder(out) as staged:
        (staged.path / "comparison.csv").write_text(comparison_csv(comparison), encoding="utf-8")
        page = render_comparison(comparison)
        (staged.path / "comparison.html").write_text(page, encoding="utf-8")
    return out / "comparison.csv", out / "comparison.html"


def comparison_csv(comparison: Comparison) -> str:
    """comparison.csv's text: the table, six significant digits."""
    return str(comparison.table.to_csv(index=False, float_format="%.6g"))


def verdict(comparison: Comparison) -> list[str]:
    """The comparison in a few sentences.

    The cheapest variant meeting every target, each variant's cost and SLA against the
    first and where it misses, the frontier, and what the figures rest on.
    """
    table = comparison.table
    base = comparison.variants[0]
    currency = base.cost.currency
    lines = []
    meeting = table[table["targets_met"]]
    if len(meeting):
        best = meeting.sort_values(["total_cost", "scenario"]).iloc[0]
        lines.append(
            f"The cheapest variant meeting every queue's target is {best['scenario']} at "
            f"{currency} {best['total_cost']:,.0f} ({_pct_change(best['total_cost_delta'], table)} "
            f"against {base.name})."
        )
    else:
        best = table.sort_values(["sla_overall", "scenario"], ascending=[False, True]).iloc[0]
        lines.append(
            f"No variant meets every queue's target; the best served is {best['scenario']} "
            f"({best['sla_overall']:.1%} of contacts within target overall)."
        )
    rows = table.to_dict(orient="records")
    for row, result in zip(rows[1:], comparison.variants[1:], strict=True):
        delta = float(row["total_cost_delta"])
        lines.append(
            f"{result.name}: {_pct_change(delta, table)} cost ({currency} {delta:+,.0f}), "
            f"SLA {float(row['sla_overall_delta']) * 100:+.1f} points overall; "
            f"{_misses_in_words(result)}"
        )
    lines.append(f"{base.name} (the base): {_misses_in_words(base)}")
    lines.append(
        "On the frontier (nothing else is both cheaper and better served): "
        + ", ".join(comparison.frontier)
        + "."
    )
    unrostered = [v.name for v in comparison.variants if not v.rostered]
    if unrostered:
        lines.append(
            "No roster was found within the time limit for "
            + ", ".join(unrostered)
            + ": their figures are not a plan; give the solver more time (--time-limit)."
        )
    unbounded = [v.name for v in comparison.variants if v.no_bound and v.rostered]
    if unbounded:
        lines.append(
            "The roster solver proved no lower bound for "
            + ", ".join(unbounded)
            + " (a 100% gap): a longer solve may find cheaper rosters for them."
        )
    lines.append(
        f"Every variant faced the same contacts and the same {comparison.replications} "
        f"random replication(s) (seed {comparison.seed}); SLA intervals are 95% over them."
    )
    return lines


def _pct_change(delta: float, table: pd.DataFrame) -> str:
    base = float(table["total_cost"].iloc[0])
    return "n/a" if base == 0 else f"{delta / base:+.0%}"


def _misses_in_words(result: VariantResult) -> str:
    """The variant's worst misses by queue and part of the week, at most MISSES_NAMED."""
    seg = result.segments
    missed = seg[seg["service_level"] < seg["target"]]
    if missed.empty:
        return "meets every target on weekdays, nights and weekends."
    worst = missed.assign(margin=missed["service_level"] - missed["target"]).sort_values(
        ["margin", "queue", "segment"]
    )
    parts = [
        f"{r.queue} on {r.segment}s {r.service_level:.0%} (target {r.target:.0%})"
        for r in worst.head(MISSES_NAMED).itertuples()
    ]
    more = len(worst) - MISSES_NAMED
    tail = f", and {more} smaller miss(es)" if more > 0 else ""
    return "misses " + "; ".join(parts) + tail + "."


def cost_sla_figure(comparison: Comparison) -> go.Figure:
    """Total cost against overall SLA, every variant a point, the frontier a line."""
    currency = comparison.variants[0].cost.currency
    return variants_cost_sla_figure(comparison.table, comparison.frontier, currency)


def breakdown_figure(comparison: Comparison) -> go.Figure:
    """Cost per variant, stacked by category."""
    table = comparison.table
    fig = go.Figure()
    for column, label, colour in _BREAKDOWN:
        if table[column].abs().sum() > 0:
            fig.add_trace(
                go.Bar(x=table["scenario"], y=table[column], name=label, marker_color=colour)
            )
    fig.update_layout(barmode="stack", title="Cost by category", height=380)
    return fig


def fte_figure(comparison: Comparison) -> go.Figure:
    """FTE per site (and the BPO's) per variant."""
    table = comparison.table
    sites = [c for c in table.columns if c.startswith("fte_") and not c.endswith("_delta")]
    fig = go.Figure()
    for column in sites:
        fig.add_trace(go.Bar(x=table["scenario"], y=table[column], name=column[4:]))
    if table["vendor_fte"].sum() > 0:
        fig.add_trace(go.Bar(x=table["scenario"], y=table["vendor_fte"], name="BPO"))
    fig.update_layout(
        barmode="stack", title="FTE per site (paid hours / full-time week)", height=380
    )
    return fig


def misses_figure(comparison: Comparison) -> go.Figure:
    """SLA minus target per variant, queue and part of the week: red where a variant misses."""
    frames = [
        v.segments.assign(scenario=v.name, cell=v.segments["queue"] + " " + v.segments["segment"])
        for v in comparison.variants
    ]
    long = pd.concat(frames, ignore_index=True)
    long = long.assign(margin=(long["service_level"] - long["target"]) * 100)
    grid = long.pivot_table(index="scenario", columns="cell", values="margin", sort=False)
    grid = grid.reindex([v.name for v in comparison.variants])
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=list(grid.index),
            colorscale="RdYlGn",
            zmid=0,
            colorbar={"title": "points vs target"},
            hovertemplate="%{y}<br>%{x}<br>%{z:+.1f} points<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Where and when each variant misses (SLA minus target; "
        f"weekday / night 22-06 / weekend in {comparison.segments_timezone})",
        height=140 + 40 * len(grid),
    )
    return fig


def coverage_figure(comparison: Comparison) -> go.Figure | None:
    """Heads per hour of the week for each variant: required, in-house and BPO heads."""
    shown = [v for v in comparison.variants if v.coverage is not None]
    if not shown:
        return None
    fig = make_subplots(
        rows=len(shown),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[v.name for v in shown],
        vertical_spacing=0.25 / len(shown),
    )
    for row, variant in enumerate(shown, start=1):
        profile = variant.coverage
        assert profile is not None
        first = row == 1
        traces = (
            ("in-house heads", profile["in_house"], {"color": "#4c78a8"}, "tozeroy"),
            (
                VENDOR_LABEL,
                profile["in_house"] + profile["bpo"],
                {"color": VENDOR_COLOUR},
                "tonexty",
            ),
            ("required", profile["required"], {"color": "#e45756", "dash": "dot"}, None),
        )
        for name, values, line, fill in traces:
            fig.add_trace(
                go.Scatter(
                    x=profile["hour"],
                    y=values,
                    name=name,
                    line=line,
                    fill=fill,
                    legendgroup=name,
                    showlegend=first,
                ),
                row=row,
                col=1,
            )
    fig.update_layout(
        title=f"Heads per hour of the week (mean, {comparison.segments_timezone}; hour 0 = "
        f"Monday 00:00): in-house, with {VENDOR_LABEL} stacked on top, against required",
        height=160 * len(shown) + 120,
    )
    return fig


def render_comparison(comparison: Comparison) -> str:
    """The whole page."""
    figures = [
        cost_sla_figure(comparison),
        breakdown_figure(comparison),
        fte_figure(comparison),
        coverage_figure(comparison),
        misses_figure(comparison),
    ]
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in verdict(comparison))
    shown = [
        "scenario",
        "total_cost",
        "total_cost_delta",
        "cost_per_ticket",
        "fte",
        "night_shifts",
        "sla_overall",
        "sla_weekday",
        "sla_night",
        "sla_weekend",
        "targets_met",
        "roster_status",
        "roster_gap",
    ]
    table = comparison.table[shown].to_html(
        index=False, float_format=lambda v: "n/a" if math.isnan(v) else f"{v:,.3g}"
    )
    body = "".join(_fig_html(fig) for fig in figures if fig is not None)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Comparison</title>"
        f"<script>{get_plotlyjs()}</script>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border:1px solid #ddd}</style>"
        "</head><body><h1>Variants compared</h1>"
        f"<h2>Verdict</h2><ul>{lines}</ul>{body}"
        f"<h2>Figures</h2>{table}"
        "<p>All figures per variant are in comparison.csv (SLA per queue and channel with "
        "95% intervals, every delta against the first variant).</p></body></html>"
    )
