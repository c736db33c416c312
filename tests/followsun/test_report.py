"""The report page and the terminal summary, from frames built by hand."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from rich.console import Console

from evaluation.cost import CategoryCost, CostReport, SiteCost
from followsun.report import (
    SECTION_IDS,
    VENDOR_LABEL,
    ComparisonSection,
    ReportData,
    SolverFigures,
    cost_sla_figure,
    coverage_figure,
    forecast_figure,
    overall_sla,
    render_report,
    roster_figure,
    shortfall_heatmap,
    sla_by_channel,
    summary_json,
    summary_rows,
    summary_table,
    write_report,
)

START = pd.Timestamp("2027-06-07T00:00Z")  # a Monday
GRID = pd.date_range(START, periods=2 * 96, freq="15min")  # two days at 15 minutes


def _queues(grid: pd.DatetimeIndex, **columns: object) -> pd.DataFrame:
    frames = []
    for channel in ("chat", "phone"):
        frames.append(
            pd.DataFrame(
                {"interval_start": grid, "channel": channel, "language": "en", "tier": 1, **columns}
            )
        )
    return pd.concat(frames, ignore_index=True)


def cost_report() -> CostReport:
    daily = pd.DataFrame(
        {
            "date": [date(2027, 6, 7), date(2027, 6, 7)],
            "payer_kind": ["site", "site"],
            "payer": ["ams", "ams"],
            "category": ["base", "night"],
            "amount": [Decimal("900.00"), Decimal("100.00")],
        }
    ).astype({"amount": object})
    return CostReport(
        scenario="demo-test",
        currency="USD",
        period_start=START,
        period_end=START + pd.Timedelta(days=2),
        total=Decimal("1000.00"),
        handled=400.0,
        per_ticket=Decimal("2.50"),
        by_category=CategoryCost(
            base=Decimal("900.00"),
            night=Decimal("100.00"),
            weekend=Decimal(0),
            holiday=Decimal(0),
            bpo=Decimal(0),
        ),
        by_site=(
            SiteCost(
                site="ams",
                agents=2,
                paid_hours=16.0,
                fte=0.4,
                base=Decimal("900.00"),
                night=Decimal("100.00"),
                weekend=Decimal(0),
                holiday=Decimal(0),
            ),
        ),
        by_vendor=(),
        daily=daily,
    )


def report_data(**overrides: object) -> ReportData:
    history_grid = pd.date_range(
        START - pd.Timedelta(days=14), START, freq="15min", inclusive="left"
    )
    roster = pd.DataFrame(
        {
            "agent_id": ["ams-1-1", "ams-1-2"],
            "site": ["ams", "ams"],
            "timezone": ["Europe/Amsterdam", "Europe/Amsterdam"],
            # 07:00Z is 09:00 in Amsterdam in June (UTC+2, summer time).
            "start_utc": pd.to_datetime(["2027-06-07T07:00Z", "2027-06-07T20:00Z"], utc=True),
            "end_utc": pd.to_datetime(["2027-06-07T15:00Z", "2027-06-08T04:00Z"], utc=True),
            "shift": ["day", "night"],
        }
    )
    outcomes = pd.concat(
        [
            pd.DataFrame(
                {"interval_start": GRID, "channel": "chat", "offered": 1.0, "service_level": 0.9}
            ),
            pd.DataFrame(
                {"interval_start": GRID, "channel": "phone", "offered": 3.0, "service_level": 0.7}
            ),
        ],
        ignore_index=True,
    )
    coverage = pd.DataFrame(
        {
            "interval_start": np.tile(GRID, 2),
            "group": ["chat-en-t1"] * len(GRID) + ["phone-en-t1"] * len(GRID),
            "required": 2.0,
            "scheduled": 1.0,
            "shortfall": 1.0,
        }
    )
    values: dict[str, object] = {
        "scenario": "demo-test",
        "description": "Two offices <b>24/5</b> & a test",
        "methods": (
            ("forecast", "seasonal naive forecast (same interval one week earlier)"),
            ("staffing", "Erlang C with shrinkage"),
        ),
        "history": _queues(history_grid, volume=4.0),
        "forecast": _queues(GRID, volume=4.0, volume_p10=2.0, volume_p90=6.0),
        "requirements": _queues(GRID, agents_required=3),
        "coverage": coverage,
        "roster": roster,
        "outcomes": outcomes,
        "cost": cost_report(),
        "solver": SolverFigures(
            status="feasible", objective=120.5, bound=100.0, gap=0.17, seconds=3.2
        ),
        "sla_targets": (("chat", 0.8), ("phone", 0.8)),
    }
    values.update(overrides)
    return ReportData(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_report(tmp_path_factory.mktemp("report") / "out" / "report.html", report_data())
    return Path(path).read_text(encoding="utf-8")


def test_report_has_every_section(html: str) -> None:
    for sid in SECTION_IDS:
        assert f'<section id="{sid}">' in html


def test_report_names_the_methods_and_solver_status(html: str) -> None:
    assert "seasonal naive forecast (same interval one week earlier)" in html
    assert "Erlang C with shrinkage" in html
    assert 'class="status-feasible">feasible<' in html
    assert "17.00%" in html  # the gap


def test_report_is_self_contained_with_plotlyjs_once(html: str) -> None:
    # plotly.js starts with its licence banner; embedded once, no CDN or other fetch.
    assert html.count("* plotly.js v") == 1
    # plotly.js itself mentions its CDN once (a default for geo maps, unused here).
    assert html.count("cdn.plot.ly") == get_plotlyjs().count("cdn.plot.ly")
    assert not re.search(r"<script[^>]+src=", html)
    # Nine figures: forecast, requirements, coverage, heatmap, roster, outcomes, 3 cost.
    assert html.count("Plotly.newPlot(") == 9
    assert len(html.encode()) < 6_000_000


def test_report_escapes_scenario_text(html: str) -> None:
    assert "Two offices &lt;b&gt;24/5&lt;/b&gt; &amp; a test" in html


def test_report_shows_summary_money(html: str) -> None:
    assert "USD 1,000.00" in html
    assert "USD 2.50" in html


def test_empty_frames_give_notes_not_errors(tmp_path: Path) -> None:
    empty = pd.DataFrame()
    data = report_data(
        history=empty, forecast=empty, requirements=empty, coverage=empty, roster=empty
    )
    text = render_report(data)
    assert "No forecast in this run." in text
    assert "The roster is empty." in text
    assert text.count("Plotly.newPlot(") == 4  # outcomes and the three cost figures


def test_forecast_is_downsampled_to_hours() -> None:
    data = report_data()
    fig = forecast_figure(data.history, data.forecast)
    assert fig is not None
    forecast_traces = [t for t in fig.data if t.name == "forecast"]
    assert len(forecast_traces) == 2  # one per channel
    # Two days of 15-minute intervals: 48 hourly points, each the sum of four intervals.
    assert len(forecast_traces[0].x) == 48
    assert np.allclose(np.asarray(forecast_traces[0].y), 16.0)
    history = [t for t in fig.data if t.name == "history"]
    assert len(history[0].x) == 14 * 24


def test_roster_bars_are_in_local_time() -> None:
    fig, left_out = roster_figure(report_data().roster)
    assert fig is not None and left_out == 0
    day = next(t for t in fig.data if t.name == "day")
    # 07:00Z in June is 09:00 Amsterdam summer time; the 8-hour shift in milliseconds.
    assert pd.Timestamp(day.base[0]) == pd.Timestamp("2027-06-07 09:00")
    assert day.x[0] == 8 * 3600 * 1000


def test_shortfall_heatmap_is_weekday_by_time_of_day() -> None:
    fig = shortfall_heatmap(report_data().coverage)
    assert fig is not None
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (7, 96)
    # Monday and Tuesday have data (two groups one short each: 2.0); other days are empty.
    assert np.allclose(z[:2], 2.0)
    assert np.isnan(z[2:]).all()


def test_sla_by_channel_is_offered_weighted() -> None:
    outcomes = pd.DataFrame(
        {
            "channel": ["chat", "chat", "phone", "email"],
            "offered": [10.0, 30.0, 5.0, 0.0],
            "service_level": [1.0, 0.5, 0.8, 0.0],
        }
    )
    per = {c.channel: c for c in sla_by_channel(outcomes)}
    # chat: (10 x 1.0 + 30 x 0.5) / 40 = 0.625; email offered nothing and is left out.
    assert per["chat"].attainment == pytest.approx(0.625)
    assert per["phone"].attainment == pytest.approx(0.8)
    assert "email" not in per
    # Overall: (25 + 4) / 45.
    assert overall_sla(outcomes) == pytest.approx(29 / 45)


def test_summary_table_lists_sites_sla_cost_and_status() -> None:
    console = Console(record=True, width=100)
    console.print(summary_table(report_data()))
    text = console.export_text()
    assert "2 agents, 0.4 FTE" in text
    # chat 0.9 and phone 0.7 in every interval.
    assert "90.0% (target 80%)" in text
    assert "70.0% (target 80%)" in text
    assert "USD 1,000.00" in text
    assert "feasible" in text


def test_summary_json_follows_the_contract() -> None:
    record = json.loads(summary_json(report_data()))
    assert set(record) == {"scenario", "sites", "sla", "cost", "solver"}
    assert record["sites"] == [{"site": "ams", "agents": 2, "fte": 0.4}]
    assert record["sla"] == {"chat": 0.9, "phone": 0.7}
    assert record["cost"] == {"total": "1000.00", "per_ticket": "2.50", "currency": "USD"}
    assert record["solver"] == {
        "status": "feasible",
        "objective": 120.5,
        "bound": 100.0,
        "gap": 0.17,
        "seconds": 3.2,
    }


def test_cost_against_sla_plots_no_made_up_point_without_contacts() -> None:
    data = report_data(outcomes=report_data().outcomes.assign(offered=0.0))
    fig = cost_sla_figure(data)
    assert len(fig.data[0].x) == 0
    assert "SLA undefined" in fig.layout.title.text


def test_report_shows_fairness_per_site_and_tier_and_wishes_granted(tmp_path: Path) -> None:
    fairness = pd.DataFrame(
        [
            {
                "site": "sjc",
                "tier": 1,
                "agents": 13,
                "nights_min": 2,
                "nights_max": 3,
                "weekend_days_min": 4,
                "weekend_days_max": 5,
                "holidays_min": 0,
                "holidays_max": 1,
                "lates_min": 6,
                "lates_max": 7,
            }
        ]
    )
    page = render_report(report_data(fairness=fairness, wishes=(17, 20)))
    assert "Fairness within each site and tier" in page
    assert "2 to 3" in page and "6 to 7" in page
    assert "Wishes granted: 17 of 20" in page
    assert "Fairness within" not in render_report(report_data())


def test_bpo_heads_appear_in_the_coverage_chart_and_the_shortfall_heatmap() -> None:
    # Chat has 1.5 BPO heads on Monday, none on Tuesday; phone none: hourly means 1.5 / 0.
    coverage = report_data().coverage
    monday = pd.to_datetime(coverage["interval_start"], utc=True).dt.weekday == 0
    chat = coverage["group"] == "chat-en-t1"
    with_vendor = coverage.assign(vendor=np.where(monday & chat, 1.5, 0.0))
    fig = coverage_figure(with_vendor)
    assert fig is not None
    bpo = [t for t in fig.data if t.name == VENDOR_LABEL]
    assert len(bpo) == 2  # one per group panel
    assert max(np.asarray(bpo[0].y)) == pytest.approx(1.5)
    assert max(np.asarray(bpo[1].y)) == pytest.approx(0.0)
    heat = shortfall_heatmap(with_vendor)
    assert heat is not None
    bought = np.asarray(heat.data[0].customdata, dtype=float)
    assert np.allclose(bought[0], 1.5) and np.allclose(bought[1], 0.0)
    assert VENDOR_LABEL in heat.data[0].hovertemplate
    # Without vendors the charts stay as they were: no BPO trace.
    plain = coverage_figure(coverage)
    assert plain is not None and all(t.name != VENDOR_LABEL for t in plain.data)


def test_the_summary_names_a_vendors_bill_and_its_sla_credit() -> None:
    from dataclasses import replace

    from evaluation.cost import VendorCost

    vendor = VendorCost(
        vendor="nightowl",
        price_kind="per_hour",
        agent_hours=40.0,
        handled=120.0,
        usage=Decimal("1040.00"),
        minimum_topup=Decimal("460.00"),
        sla_credit=Decimal("-150.00"),
        sla=0.7,
    )
    data = report_data(cost=replace(cost_report(), by_vendor=(vendor,)))
    rows = {row.label: row.value for row in summary_rows(data)}
    bill = rows["vendor nightowl bill"]
    assert "usage USD 1,040.00" in bill and "minimum top-up USD 460.00" in bill
    assert "its SLA 70.0%" in bill and "SLA credit USD -150.00" in bill


def test_the_comparison_section_shows_every_variant_and_the_verdict() -> None:
    table = pd.DataFrame(
        {
            "scenario": ["ref", "bpo"],
            "total_cost": [100.0, 104.0],
            "total_cost_delta": [0.0, 4.0],
            "sla_overall": [0.87, 0.88],
            "sla_weekend": [0.64, 0.77],
            "targets_met": [False, True],
            "roster_gap": [0.1, float("nan")],
        }
    )
    section = ComparisonSection(table, ("ref", "bpo"), ("bpo: +4% cost.",), "one week.")
    page = render_report(report_data(comparison=section))
    start = page.index('<section id="comparison">')
    part = page[start : page.index("</section>", start)]
    assert "<li>bpo: +4% cost.</li>" in part and "one week." in part
    assert "<td>bpo</td>" in part and "77.0%" in part and "<td>yes</td>" in part
    assert "Cost against SLA" in part  # the figure with every variant
    empty = render_report(report_data())
    assert "No comparison in this run" in empty
