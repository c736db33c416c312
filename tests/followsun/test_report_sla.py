"""The report's simulated SLA: headline per channel with intervals, per queue and week, and
the analytic estimate only where it differs by more than 2 points."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from evaluation.simulated import SimulationResult
from followsun.report import render_report, summary_json, summary_rows
from followsun.report_sla import GAP_POINTS, SlaFigure, queue_figures
from tests.followsun.test_report import GRID, START, report_data


def _simulated() -> SimulationResult:
    queues = pd.DataFrame(
        {
            "channel": ["chat", "phone"],
            "language": ["en", "en"],
            "tier": [1, 1],
            "target": [0.8, 0.8],
            "service_level": [0.95, 0.705],
            "low": [0.94, 0.69],
            "high": [0.96, 0.72],
            "contacts": [192.0, 576.0],
        }
    )
    weeks = queues.assign(week_start=START)
    frame = pd.DataFrame()
    return SimulationResult(
        outcomes=frame,
        sla_by_queue=queues,
        sla_by_channel=queues.drop(columns=["language", "tier"]),
        sla_by_week=weeks,
        first_response=frame,
        occupancy_by_group=frame,
        occupancy_by_agent=frame,
        replications=10,
        seed=0,
        contacts=768.0,
    )


def _analytic() -> pd.DataFrame:
    # Analytic estimates: chat 0.90 (5 points below the simulated 0.95), phone 0.70 (0.5).
    rows = []
    for channel, level in (("chat", 0.9), ("phone", 0.7)):
        rows.append(
            pd.DataFrame(
                {
                    "interval_start": GRID,
                    "channel": channel,
                    "language": "en",
                    "tier": 1,
                    "offered": 2.0,
                    "handled": 2.0,
                    "abandoned": 0.0,
                    "service_level": level,
                    "asa_seconds": 0.0,
                    "backlog": 0.0,
                    "occupancy": 0.5,
                    "agents_available": 1.0,
                    "open": True,
                    "sl_censored": False,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_the_analytic_estimate_shows_only_beyond_two_points() -> None:
    assert GAP_POINTS == 2.0
    assert SlaFigure("q", 0.8, 0.9, 0.89, 0.91, analytic=0.881).differs is False
    assert SlaFigure("q", 0.8, 0.9, 0.89, 0.91, analytic=0.879).differs is True
    assert SlaFigure("q", 0.8, math.nan, math.nan, math.nan, analytic=0.1).differs is False
    figures = {f.label: f for f in queue_figures(_simulated(), _analytic())}
    assert figures["chat-en-t1"].analytic == pytest.approx(0.9)
    assert figures["chat-en-t1"].differs and not figures["phone-en-t1"].differs
    assert figures["phone-en-t1"].below_target and not figures["chat-en-t1"].below_target


def test_summary_and_json_headline_the_simulated_sla_with_intervals() -> None:
    data = report_data(simulated=_simulated(), analytic_outcomes=_analytic())
    rows = {r.label: r.value for r in summary_rows(data)}
    assert rows["SLA phone (simulated)"] == "70.5% [69.0% to 72.0%] (target 80%)"
    assert rows["SLA chat (simulated)"] == (
        "95.0% [94.0% to 96.0%] (target 80%; analytic estimate 90.0%)"
    )
    record = json.loads(summary_json(data))
    assert record["sla"] == {"chat": 0.95, "phone": 0.705}
    assert record["sla_method"] == "simulated" and record["sla_replications"] == 10
    assert record["sla_seed"] == 0
    chat = record["sla_by_queue"]["chat-en-t1"]
    assert chat == {
        "service_level": 0.95,
        "low": 0.94,
        "high": 0.96,
        "target": 0.8,
        "analytic_estimate": 0.9,
    }
    # Without a simulation the contract's per-channel SLA comes from the outcomes frame.
    plain = json.loads(summary_json(report_data()))
    assert "sla_by_queue" not in plain and set(plain["sla"]) == {"chat", "phone"}


def test_report_tables_per_queue_and_week() -> None:
    page = render_report(report_data(simulated=_simulated(), analytic_outcomes=_analytic()))
    assert "Service level per queue (simulated)" in page
    assert "Service level per queue and week (simulated)" in page
    assert f"week of {START:%Y-%m-%d}" in page
    chat_row = page[page.index("<th>chat-en-t1</th>") :].split("</tr>")[0]
    phone_row = page[page.index("<th>phone-en-t1</th>") :].split("</tr>")[0]
    assert "90.0%" in chat_row  # the analytic estimate, 5 points off
    assert "70.0%" not in phone_row  # half a point off: not repeated
    assert "<strong>70.5%</strong>" in phone_row  # below target
