from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from forecasting.kpis import SlaTarget, default_targets, durations, ticket_kpis, volume_by_interval

START = pd.Timestamp("2027-03-01T00:00:00Z")
END = pd.Timestamp("2027-03-08T00:00:00Z")
H = pd.Timedelta(hours=1)
NaT = pd.NaT


def frame(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "ticket_id",
        "created_at",
        "status",
        "channel",
        "first_reply_at",
        "solved_at",
        "escalated",
        "csat",
    ]
    out = pd.DataFrame(rows, columns=columns)
    for name in ("created_at", "first_reply_at", "solved_at"):
        out[name] = pd.to_datetime(out[name], utc=True)
    out["escalated"] = out["escalated"].astype("boolean")
    out["csat"] = out["csat"].astype("float64")
    out["language"] = "en"
    out["tier"] = 1
    out["source"] = "t"
    return out


def sample() -> pd.DataFrame:
    d = START + pd.Timedelta(days=1)
    return frame(
        [
            # created before the period, solved inside it
            ("a", START - 48 * H, "solved", "email", START - 40 * H, START + 2 * H, False, 1.0),
            # created before, still open: backlog
            ("b", START - 24 * H, "open", "email", START - 23 * H, NaT, False, np.nan),
            ("c", d, "solved", "chat", d + pd.Timedelta(seconds=30), d + 2 * H, False, 1.0),
            ("d", d, "solved", "chat", d + pd.Timedelta(seconds=90), d + 4 * H, True, 0.0),
            ("e", d, "open", "chat", NaT, NaT, True, np.nan),  # unanswered for days: a breach
            ("f", d, "pending", "email", d + 3 * H, NaT, False, np.nan),
            ("g", d, "deleted", "chat", NaT, NaT, False, np.nan),  # left out everywhere
            ("h", END + H, "open", "chat", NaT, NaT, False, np.nan),  # after the period
            ("i", d, "closed", "phone", d + pd.Timedelta(minutes=2), NaT, False, np.nan),
        ]
    )


def test_figures_of_a_hand_built_week() -> None:
    k = ticket_kpis(sample(), START, END)
    assert (k.created, k.solved) == (5, 3)  # c d e f i created; a c d solved in the period
    # open at the end: b, e, f (i says closed without a solved_at: counted as solved)
    assert k.backlog == 3
    assert k.escalation_rate == pytest.approx(2 / 5)
    assert k.one_touch == pytest.approx(2 / 3)  # of a, c, d only d escalated
    assert (k.csat, k.csat_responses) == (pytest.approx(2 / 3), 3)
    # first replies of c d f i: 30 s, 90 s, 3 h, 120 s; numpy's linear percentile
    # equals statistics.quantiles(method='inclusive') (Hyndman & Fan type 7).
    replies = [30.0, 90.0, 10_800.0, 120.0]
    assert k.first_reply.count == 4
    assert k.first_reply.p50_s == pytest.approx(statistics.median(replies))
    assert k.first_reply.p90_s == pytest.approx(
        statistics.quantiles(replies, n=10, method="inclusive")[-1]
    )
    chat = {c.channel: c for c in k.by_channel}["chat"]
    assert (chat.created, chat.solved) == (3, 2)
    assert chat.resolution.mean_s == pytest.approx(3 * 3600)  # 2 h and 4 h


def test_sla_counts_answered_tickets_and_certain_breaches() -> None:
    k = ticket_kpis(sample(), START, END)
    sla = {s.target.channel: s for s in k.sla}
    assert set(sla) == {"chat", "email", "phone"}  # channel defaults for the channels seen
    # chat within 60 s: c met, d late, e unanswered past 60 s -> 1 of 3
    assert (sla["chat"].measured, sla["chat"].met) == (3, 1)
    assert sla["chat"].on_target is False
    assert (sla["email"].measured, sla["email"].met, sla["email"].on_target) == (1, 1, True)
    # as_of one minute after creation: e is not yet past the 60 s threshold... nor late
    early = ticket_kpis(sample(), START, END, as_of=START + pd.Timedelta(days=1, seconds=59))
    assert {s.target.channel: s.measured for s in early.sla}["chat"] == 2


def test_queue_targets_filter_by_language_and_tier() -> None:
    tickets = sample()
    tickets.loc[tickets["ticket_id"] == "d", "language"] = "ja"
    target = SlaTarget("chat", within_s=120.0, fraction=0.5, language="ja", tier=1)
    (sla,) = ticket_kpis(tickets, START, END, targets=[target]).sla
    assert (sla.target.name, sla.measured, sla.met, sla.on_target) == ("chat-ja-t1", 1, 1, True)
    with pytest.raises(InputError):
        SlaTarget("chat", within_s=0.0)


def test_empty_period_and_bad_input() -> None:
    k = ticket_kpis(sample(), END + 10 * H, END + 20 * H)
    assert (k.created, k.solved, k.one_touch, k.csat) == (0, 0, None, None)
    assert k.first_reply.p50_s is None
    with pytest.raises(InputError, match="before"):
        ticket_kpis(sample(), END, START)
    with pytest.raises(InputError, match="missing column"):
        ticket_kpis(sample().drop(columns="solved_at"), START, END)
    assert durations([]).count == 0
    assert [t.channel for t in default_targets(["chat", "fax"])] == ["chat"]


def test_volume_by_interval_counts_each_ticket_once_with_zeros() -> None:
    volume = volume_by_interval(sample(), START, END, 60)
    assert len(volume) == 7 * 24 * 3  # every hour times chat, email, phone
    assert volume["volume"].sum() == 5  # c d e f i (deleted and out-of-period left out)
    at = volume.set_index(["interval_start", "channel"])["volume"]
    assert at[(START + pd.Timedelta(days=1), "chat")] == 3  # c d e


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30 * 24), st.one_of(st.none(), st.integers(0, 30 * 24))),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 29 * 24),
)
def test_backlog_is_conserved(spans: list[tuple[int, int | None]], cut_h: int) -> None:
    # Conservation: open at the end = open at the start + created in the period - solved
    # in it (every ticket's solve follows its creation).
    base = pd.Timestamp("2027-01-01T00:00:00Z")
    rows = []
    for i, (created_h, solve_after_h) in enumerate(spans):
        created = base + created_h * H
        solved = NaT if solve_after_h is None else created + solve_after_h * H
        rows.append(
            (
                str(i),
                created,
                "solved" if solve_after_h is not None else "open",
                "web",
                NaT,
                solved,
                False,
                np.nan,
            )
        )
    tickets = frame(rows)
    mid = base + cut_h * H
    first = ticket_kpis(tickets, base - H, mid)
    second = ticket_kpis(tickets, mid, base + 90 * 24 * H)
    assert second.backlog == first.backlog + second.created - second.solved
