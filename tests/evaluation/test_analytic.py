"""Outcomes of a staffed plan: textbook queueing values, conservation, and the staffing round trip."""

from __future__ import annotations

from math import exp, factorial
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.analytic import (
    METHOD,
    deferred_outcomes,
    rates_from_actuals,
    realtime_outcomes,
    simulate_outcomes,
    sla_weights,
)
from evaluation.schema import OUTCOMES
from forecasting.errors import InputError
from scenarios.spec import Scenario
from scenarios.staffing import requirements
from tests.planner.staffing import exact

KEYS = ["interval_start", "channel", "language", "tier"]
START = pd.Timestamp("2027-03-01T00:00Z")  # a Monday


def _queue(channel: str, tier: int = 1, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "channel": channel,
        "language": "en",
        "tier": tier,
        "target": {"fraction": 0.8, "within_seconds": 20 if channel in ("phone", "chat") else 3600},
        "aht_seconds": 180 if channel in ("phone", "chat") else 900,
        "shrinkage": 0.0,
        "max_occupancy": 1.0,
        "coverage": {"kind": "24x7"},
    }
    base.update(extra)
    return base


def scenario(*queues: dict[str, Any], vendors: list[dict[str, Any]] | None = None) -> Scenario:
    skills = sorted({f"{q['channel']}/en" for q in queues})
    tiers = sorted({q["tier"] for q in queues})
    channels = sorted({q["channel"] for q in queues if q["tier"] == 1})
    return Scenario.model_validate(
        {
            "name": "sim",
            "sites": [
                {
                    "id": "sj",
                    "name": "San Jose",
                    "timezone": "America/Los_Angeles",
                    "country": "US",
                    "hourly_cost": "40",
                    "contract": {"shift_templates": [{"id": "day", "start": "09:00", "hours": 8}]},
                    "headcount": [{"tier": t, "count": 2, "skills": skills} for t in tiers],
                }
            ],
            "queues": list(queues),
            "demand": {
                "regions": [
                    {
                        "id": "us",
                        "timezone": "America/Los_Angeles",
                        "country": "US",
                        "languages": {"en": 1.0},
                        "weekly_volume": dict.fromkeys(channels, 100.0),
                    }
                ]
            },
            "vendors": vendors or [],
        }
    )


def frame(
    channel: str, volume: list[float], tier: int = 1, minutes: int = 15, **cols: Any
) -> pd.DataFrame:
    grid = pd.date_range(START, periods=len(volume), freq=f"{minutes}min", name="interval_start")
    return pd.DataFrame(
        {
            "interval_start": grid,
            "channel": channel,
            "language": "en",
            "tier": tier,
            "volume": volume,
            **cols,
        }
    )


def staffed_from(arrivals: pd.DataFrame, agents: list[float] | float) -> pd.DataFrame:
    out = arrivals.loc[:, KEYS].copy()
    out["agents"] = agents
    return out


# ------------------------------------------------------------ realtime: textbook values


def _erlang_c_textbook(n: int, a: float) -> float:
    """P(wait) from the sum formula (Erlang 1917; any WFM text): a^n/n! n/(n-a) / (sum + that)."""
    top = a**n / factorial(n) * n / (n - a)
    return top / (sum(a**k / factorial(k) for k in range(n)) + top)


def test_stationary_interval_matches_published_erlang_c_example() -> None:
    # Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example":
    # 100 calls in 30 minutes, AHT 180 s (10 Erlangs), 20 s target; 14 agents give
    # P(wait) 17.4%, service level 88.8%, ASA 7.8 s.
    sc = scenario(_queue("phone"))
    arrivals = frame("phone", [100.0], minutes=30, aht_seconds=180.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 14.0), interval_min=30)
    row = out.iloc[0]
    p_wait = _erlang_c_textbook(14, 10.0)
    assert row["service_level"] == pytest.approx(1 - p_wait * exp(-4 * 20 / 180), rel=1e-9)
    assert row["service_level"] == pytest.approx(0.888, abs=5e-4)
    assert row["asa_seconds"] == pytest.approx(p_wait * 180 / 4, rel=1e-9)
    assert row["asa_seconds"] == pytest.approx(7.8, abs=0.05)
    assert row["occupancy"] == pytest.approx(10 / 14)
    assert (row["offered"], row["handled"], row["abandoned"], row["backlog"]) == (100, 100, 0, 0)


def test_fractional_agents_mix_the_neighbouring_whole_counts() -> None:
    # 13.25 agents: a quarter of the time 14, three quarters 13 (same textbook example).
    sc = scenario(_queue("phone"))
    arrivals = frame("phone", [100.0], minutes=30, aht_seconds=180.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 13.25), interval_min=30)
    sl = [1 - _erlang_c_textbook(n, 10.0) * exp(-(n - 10) * 20 / 180) for n in (13, 14)]
    assert out["service_level"].iloc[0] == pytest.approx(0.75 * sl[0] + 0.25 * sl[1], rel=1e-9)


def test_shrinkage_turns_heads_into_available_agents() -> None:
    # 20 heads at 30% shrinkage are 14 agents: the textbook 88.8% again.
    sc = scenario(_queue("phone", shrinkage=0.3))
    arrivals = frame("phone", [100.0], minutes=30, aht_seconds=180.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 20.0), interval_min=30)
    assert out["agents_available"].iloc[0] == pytest.approx(14.0)
    assert out["service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)


def test_patience_gives_erlang_a_abandonment_from_brute_force_chain() -> None:
    # Second implementation: the truncated birth-death chain of M/M/n+M in tests/planner/staffing/exact.py.
    sc = scenario(_queue("phone", patience_seconds=120))
    arrivals = frame("phone", [60.0], minutes=15, aht_seconds=240.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 14.0), interval_min=15)
    brute = exact.erlang_a(14, 60 / 900, 240.0, 120.0, 20.0)
    assert out["abandoned"].iloc[0] == pytest.approx(60 * brute.abandon_rate, rel=1e-6)
    assert out["service_level"].iloc[0] == pytest.approx(brute.service_level, rel=1e-6)
    assert out["asa_seconds"].iloc[0] == pytest.approx(brute.asa_served, rel=1e-5)


def test_unstable_erlang_c_interval_answers_its_capacity_and_loses_the_rest() -> None:
    # 10 Erlangs on 8 agents: 8 x 1800 s / 180 s = 80 calls answered, 20 lost, SL 0.
    r = realtime_outcomes([100.0], 180.0, [8.0], [True], interval_s=1800.0, target_s=20.0)
    assert (float(r.handled[0]), float(r.abandoned[0]), float(r.service_level[0])) == (80, 20, 0)
    assert float(r.asa_seconds[0]) == 1800.0  # capped at the interval
    assert float(r.occupancy[0]) == 1.0


def test_chat_uses_the_staffing_slot_model() -> None:
    # 7 agents at concurrency 2 are 14 slots: the 14-agent textbook figures.
    sc = scenario(_queue("chat", concurrency=2))
    arrivals = frame("chat", [100.0], minutes=30, aht_seconds=180.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 7.0), interval_min=30)
    assert out["service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)
    assert out["occupancy"].iloc[0] == pytest.approx(10 / 14)


def test_closed_realtime_interval_loses_every_contact_and_quiet_interval_scores_one() -> None:
    # Business hours 09:00-17:00 UTC Mon-Fri: 00:00 is closed.
    q = _queue(
        "chat", coverage={"kind": "hours", "timezone": "UTC", "open": "09:00", "close": "17:00"}
    )
    sc = scenario(q)
    arrivals = frame("chat", [5.0] + [0.0] * 40, aht_seconds=180.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 3.0), interval_min=15)
    assert not bool(out["open"].iloc[0])
    assert (out["abandoned"].iloc[0], out["handled"].iloc[0], out["service_level"].iloc[0]) == (
        5,
        0,
        0,
    )
    assert out["service_level"].iloc[40] == 1.0 and bool(out["open"].iloc[40])
    assert out[list(OUTCOMES.names)].notna().all().all()


# ------------------------------------------------------------ deferred: hand-worked FIFO


def test_deferred_fifo_by_hand() -> None:
    # 10 tickets of 900 s at 00:00, 1 agent in 15-minute intervals: one ticket an interval.
    # Ticket k (0-based) finishes at k x 900 + 450 s on average over its interval's busy
    # time; the 1-hour window holds the first 4 of the 10: SL 0.4.
    d = deferred_outcomes([10.0] + [0.0] * 11, 900.0, 1.0, True, interval_s=900.0, window_s=3600.0)
    assert d.handled.tolist() == [1.0] * 10 + [0.0, 0.0]
    assert d.backlog.tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0]
    assert float(d.service_level[0]) == pytest.approx(0.4)
    assert d.asa_seconds[:10] == pytest.approx([k * 900 + 450 for k in range(10)])
    assert d.occupancy.tolist() == [1.0] * 10 + [0.0, 0.0]
    assert not d.sl_censored.any()


def test_deferred_window_past_the_horizon_is_flagged() -> None:
    d = deferred_outcomes([1.0, 1.0, 1.0], 60.0, 1.0, True, interval_s=900.0, window_s=1800.0)
    # Windows end at 1800, 2700 (the horizon end: known) and 3600 s (past it).
    assert d.sl_censored.tolist() == [False, False, True]


def test_backlog_at_opening_equals_the_nights_arrivals() -> None:
    # Open 09:00-17:00 UTC; plenty of agents by day, nobody at night. Tickets arriving
    # 17:00 Monday to 09:00 Tuesday are all waiting at Tuesday's opening.
    q = _queue(
        "web", coverage={"kind": "hours", "timezone": "UTC", "open": "09:00", "close": "17:00"}
    )
    sc = scenario(q)
    rng = np.random.default_rng(7)
    volume = rng.poisson(3, 36 * 4).astype(float).tolist()  # Monday 00:00 to Tuesday 12:00
    arrivals = frame("web", volume, aht_seconds=300.0)
    hours = arrivals["interval_start"].dt.hour
    agents = np.where((hours >= 9) & (hours < 17), 50.0, 0.0)
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, agents.tolist()), interval_min=15)
    night = (arrivals["interval_start"] >= "2027-03-01T17:00Z") & (
        arrivals["interval_start"] < "2027-03-02T09:00Z"
    )
    before_open = out["interval_start"] == pd.Timestamp("2027-03-02T08:45Z")
    assert out.loc[before_open, "backlog"].item() == pytest.approx(
        sum(np.asarray(volume)[night.to_numpy()])
    )
    assert (
        out.loc[out["interval_start"] == pd.Timestamp("2027-03-01T16:45Z"), "backlog"].item() == 0
    )


# ------------------------------------------------------------ conservation and monotonicity

volumes = st.lists(st.integers(0, 6000).map(lambda k: k / 100), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    volume=volumes,
    agents=st.floats(0, 30),
    open_every=st.integers(1, 4),
    window_s=st.sampled_from([900.0, 3600.0, 14_400.0]),
    occ=st.floats(0.5, 1.0),
)
def test_deferred_every_ticket_arrives_once_and_leaves_once(
    volume: list[float], agents: float, open_every: int, window_s: float, occ: float
) -> None:
    is_open = np.arange(len(volume)) % open_every == 0
    d = deferred_outcomes(
        volume, 400.0, agents, is_open, interval_s=900.0, window_s=window_s, max_occupancy=occ
    )
    assert sum(volume) == pytest.approx(d.handled.sum() + d.backlog[-1], abs=1e-6)
    assert np.all(d.handled >= -1e-9) and np.all((d.service_level >= 0) & (d.service_level <= 1))
    # the backlog recursion holds interval by interval
    before = np.concatenate(([0.0], d.backlog[:-1]))
    assert d.backlog == pytest.approx(before + np.asarray(volume) - d.handled, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    volume=volumes,
    agents=st.lists(st.floats(0, 20), min_size=40, max_size=40),
    patience=st.one_of(st.none(), st.floats(30, 600)),
    concurrency=st.sampled_from([1.0, 2.0, 2.5]),
)
def test_realtime_every_contact_is_handled_or_abandoned(
    volume: list[float], agents: list[float], patience: float | None, concurrency: float
) -> None:
    n = len(volume)
    r = realtime_outcomes(
        volume,
        300.0,
        agents[:n],
        np.arange(n) % 3 != 0,
        interval_s=900.0,
        target_s=30.0,
        patience_s=patience,
        concurrency=concurrency,
    )
    assert r.handled + r.abandoned == pytest.approx(volume)
    assert np.all(r.handled >= 0) and np.all(r.abandoned >= -1e-9)
    assert np.all(np.isfinite(r.asa_seconds)) and np.all((r.occupancy >= 0) & (r.occupancy <= 1))


@settings(max_examples=40, deadline=None)
@given(
    volume=st.floats(0.5, 300),
    agents=st.floats(0, 40),
    extra=st.floats(0.01, 5),
    patience=st.one_of(st.none(), st.floats(30, 600)),
)
def test_more_agents_never_lower_realtime_service_level(
    volume: float, agents: float, extra: float, patience: float | None
) -> None:
    def sl(n: float) -> float:
        r = realtime_outcomes(
            [volume], 240.0, [n], [True], interval_s=900.0, target_s=20.0, patience_s=patience
        )
        return float(r.service_level[0])

    assert sl(agents + extra) >= sl(agents) - 1e-12


@settings(max_examples=40, deadline=None)
@given(volume=volumes, agents=st.floats(0, 10), extra=st.floats(0.01, 5))
def test_more_agents_never_lower_deferred_service_level(
    volume: list[float], agents: float, extra: float
) -> None:
    def sl(n: float) -> np.ndarray:
        return deferred_outcomes(
            volume, 600.0, n, True, interval_s=900.0, window_s=3600.0
        ).service_level

    assert np.all(sl(agents + extra) >= sl(agents) - 1e-9)


@settings(max_examples=20, deadline=None)
@given(
    t1=st.lists(st.integers(0, 4000).map(lambda k: k / 100), min_size=8, max_size=8),
    agents=st.floats(0, 10),
)
def test_conservation_through_the_scenario_with_escalations(t1: list[float], agents: float) -> None:
    # Tier 2 is not in the arrivals: it receives 20% of what Tier 1 handles.
    sc = scenario(
        _queue("chat", patience_seconds=120, escalation_rate=0.2, escalates_to="web-en-t2"),
        _queue("web", tier=2),
    )
    arrivals = frame("chat", t1, aht_seconds=np.nan)
    staffed = pd.concat(
        [staffed_from(arrivals, agents), staffed_from(frame("web", t1, tier=2), agents)]
    )
    out = simulate_outcomes(sc, arrivals, staffed, interval_min=15)
    chat, web = (out[out["channel"] == c] for c in ("chat", "web"))
    assert web["offered"].to_numpy() == pytest.approx(0.2 * chat["handled"].to_numpy())
    for q in (chat, web):
        lost = q["abandoned"].sum() + q["backlog"].iloc[-1]
        assert q["offered"].sum() == pytest.approx(q["handled"].sum() + lost, abs=1e-6)


# ------------------------------------------------------------ staffing round trip


def _reference_forecast(sc: Scenario, days: int = 2) -> pd.DataFrame:
    grid = pd.date_range(START, periods=days * 96, freq="15min", name="interval_start")
    hour = grid.hour.to_numpy()
    shape = 1.0 + np.sin((hour - 6) / 24 * 2 * np.pi)  # a daily curve, 0 to 2
    rows = []
    for q in sc.queues:
        if q.tier == 1:
            vol = np.round(shape * (40 if q.channel != "web" else 12), 1)
            rows.append(
                pd.DataFrame(
                    {
                        "interval_start": grid,
                        "channel": q.channel,
                        "language": q.language,
                        "tier": 1,
                    }
                ).assign(volume=vol, volume_p10=vol, volume_p90=vol, aht_seconds=np.nan)
            )
    return pd.concat(rows, ignore_index=True)


ROUND_TRIP = (
    _queue("phone", patience_seconds=120, shrinkage=0.3, max_occupancy=0.9),
    _queue("chat", concurrency=2.5, target={"fraction": 0.8, "within_seconds": 30}, shrinkage=0.35),
    _queue("web", target={"fraction": 0.9, "within_seconds": 14_400}, max_occupancy=0.85),
)


def test_staffing_at_the_requirement_meets_the_target() -> None:
    sc = scenario(*ROUND_TRIP)
    forecast = _reference_forecast(sc)
    req = requirements(sc, forecast)
    staffed = req.loc[:, KEYS].assign(agents=req["scheduled_required"].astype(float))
    arrivals = forecast.loc[:, [*KEYS, "volume", "aht_seconds"]]
    out = simulate_outcomes(sc, arrivals, staffed, interval_min=15)
    both = req.merge(out, on=KEYS, suffixes=("_req", ""))
    realtime = both[both["channel"].isin(["phone", "chat"]) & (both["status"] == "ok")]
    assert len(realtime) == 2 * 2 * 96
    assert (realtime["service_level"] >= 0.8).all()
    # Whole heads after shrinkage are at least the required agents: never worse than predicted.
    assert (realtime["service_level"] >= realtime["service_level_req"] - 1e-12).all()
    web = both[both["channel"] == "web"]
    assert (web["service_level"] >= web["service_level_req"] - 1e-12).all()
    assert web.loc[~web["sl_censored"], "service_level"].min() >= 0.9 - 1e-9


def test_outcomes_equal_staffing_predictions_without_shrinkage() -> None:
    queues = tuple({**q, "shrinkage": 0.0} for q in ROUND_TRIP)
    sc = scenario(*queues)
    forecast = _reference_forecast(sc)
    req = requirements(sc, forecast)
    staffed = req.loc[:, KEYS].assign(agents=req["agents_required"].astype(float))
    out = simulate_outcomes(
        sc, forecast.loc[:, [*KEYS, "volume", "aht_seconds"]], staffed, interval_min=15
    )
    both = req.merge(out, on=KEYS, suffixes=("_req", ""))
    assert both["service_level"].to_numpy() == pytest.approx(
        both["service_level_req"].to_numpy(), abs=1e-9
    )
    web = both[both["channel"] == "web"]
    assert web["backlog"].to_numpy() == pytest.approx(web["backlog_req"].to_numpy(), abs=1e-9)


# ------------------------------------------------------------ inputs, vendors, summary


def test_vendor_rows_count_at_their_quality_factor() -> None:
    vendor = {
        "id": "bpo",
        "name": "BPO",
        "price": {"kind": "per_hour", "rate": "20"},
        "max_agents": 10,
        "skills": ["phone/en"],
        "coverage": {"kind": "24x7"},
        "quality_factor": 0.5,
    }
    sc = scenario(_queue("phone"), vendors=[vendor])
    arrivals = frame("phone", [100.0], minutes=30, aht_seconds=180.0)
    staffed = pd.concat(
        [
            staffed_from(arrivals, 10.0).assign(source="sj"),
            staffed_from(arrivals, 8.0).assign(source="bpo"),
        ]
    )
    out = simulate_outcomes(sc, arrivals, staffed, interval_min=30)
    assert out["agents_available"].iloc[0] == 14.0


def test_missing_handle_time_is_the_queues_and_missing_rows_are_quiet() -> None:
    sc = scenario(_queue("phone"), _queue("web"))
    arrivals = frame("phone", [100.0, 50.0], minutes=30, aht_seconds=[np.nan, 180.0])
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals, 14.0), interval_min=30)
    assert out["service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)  # 180 s from the queue
    web = out[out["channel"] == "web"]
    assert len(web) == 2 and web["offered"].sum() == 0 and (web["service_level"] == 1).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(channel="email"), "not in the scenario"),
        (lambda f: f.assign(interval_start=f["interval_start"].dt.tz_localize(None)), "UTC"),
        (lambda f: pd.concat([f, f]), "second row"),
        (lambda f: f.assign(volume=-1.0), "volume"),
        (lambda f: f.assign(aht_seconds=0.0), "aht_seconds"),
        (
            lambda f: (
                f.assign(interval_start=f["interval_start"] + pd.Timedelta(minutes=7))
                .iloc[[0]]
                .pipe(lambda g: pd.concat([f.iloc[[0]], g]))
            ),
            "grid",
        ),
        (lambda f: f.drop(columns="volume"), r"arrivals: missing column\(s\) volume"),
    ],
)
def test_bad_arrivals_are_named(change: Any, message: str) -> None:
    sc = scenario(_queue("phone"))
    arrivals = frame("phone", [10.0], aht_seconds=180.0)
    with pytest.raises(InputError, match=message):
        simulate_outcomes(sc, change(arrivals), staffed_from(arrivals, 1.0), interval_min=15)


def test_summary_weights_service_level_by_offered() -> None:
    out = pd.DataFrame(
        {
            "interval_start": pd.date_range(START, periods=3, freq="15min"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "offered": [0.0, 10.0, 30.0],
            "handled": [0.0, 10.0, 30.0],
            "abandoned": 0.0,
            "service_level": [1.0, 0.5, 0.9],
            "asa_seconds": [0.0, 40.0, 0.0],
            "backlog": 0.0,
            "occupancy": 0.5,
            "agents_available": 3.0,
            "open": True,
            "sl_censored": False,
        }
    )
    weight = sla_weights(out)
    # (10 x 0.5 + 30 x 0.9) / 40 = 0.8; the quiet interval weighs nothing.
    assert weight.tolist() == [0.0, 10.0, 30.0]
    assert np.dot(weight, out["service_level"]) / weight.sum() == pytest.approx(0.8)


def test_method_is_named_honestly() -> None:
    assert "analytic" in METHOD and "not a discrete-event simulation" in METHOD


def test_regions_of_one_queue_and_interval_add_up() -> None:
    # 1 chat of 100 s and 3 of 300 s: 4 contacts of (100 + 900) / 4 = 250 s on average.
    # Erlang C is stable on 10 agents, so all 4 are answered: occupancy 4 x 250 / 900 / 10.
    sc = scenario(_queue("phone"))
    arrivals = pd.concat(
        [
            frame("phone", [1.0], aht_seconds=100.0, region="us"),
            frame("phone", [3.0], aht_seconds=300.0, region="eu"),
        ]
    )
    out = simulate_outcomes(sc, arrivals, staffed_from(arrivals.iloc[[0]], 10.0), interval_min=15)
    assert out["offered"].item() == 4.0
    assert out["occupancy"].item() == pytest.approx(4 * 250 / 900 / 10)
    with pytest.raises(InputError, match="same interval and queue and region"):
        simulate_outcomes(
            sc, pd.concat([arrivals, arrivals]), staffed_from(arrivals, 1.0), interval_min=15
        )


def test_bad_staffing_rows_are_named() -> None:
    sc = scenario(_queue("phone"))
    arrivals = frame("phone", [10.0, 10.0], aht_seconds=180.0)
    with pytest.raises(InputError, match="not in the scenario"):
        simulate_outcomes(sc, arrivals, staffed_from(arrivals, 1.0).assign(tier=2), interval_min=15)
    with pytest.raises(InputError, match="agents"):
        simulate_outcomes(sc, arrivals, staffed_from(arrivals, float("nan")), interval_min=15)
    shifted = staffed_from(arrivals, 1.0).assign(
        interval_start=arrivals["interval_start"] + pd.Timedelta(minutes=5)
    )
    with pytest.raises(InputError, match="grid"):
        simulate_outcomes(sc, arrivals, shifted, interval_min=15)
    # Staffing rows beyond the arrivals' grid (a longer roster) are ignored.
    later = staffed_from(arrivals, 1.0).assign(
        interval_start=arrivals["interval_start"] + pd.Timedelta(days=1)
    )
    out = simulate_outcomes(sc, arrivals, later, interval_min=15)
    assert (out["agents_available"] == 0).all() and (out["abandoned"] == 10).all()


def test_ticket_window_counts_open_time_only() -> None:
    # Ten tickets arrive in the last open interval before a closed night of 3 intervals.
    # The window is 2 intervals of open time: due by the end of the first interval after
    # opening. One agent clears 15 minutes of work an interval (aht 90 s: 10 tickets).
    open_mask = [True, False, False, False, True, True]
    d = deferred_outcomes(
        [10.0, 0, 0, 0, 0, 0],
        90.0,
        [0.0, 0, 0, 0, 1.0, 1.0],
        open_mask,
        interval_s=900.0,
        window_s=1800.0,
    )
    assert d.service_level[0] == pytest.approx(1.0)  # on a wall clock it would be 0
    assert d.backlog.tolist() == pytest.approx([10, 10, 10, 10, 0, 0])
    assert not d.sl_censored[0]


def test_contacts_while_closed_are_reported_apart_not_as_misses() -> None:
    frame = pd.DataFrame(
        {
            "interval_start": pd.date_range("2027-01-04", periods=3, freq="15min", tz="UTC"),
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "offered": [10.0, 4.0, 6.0],
            "handled": [8.0, 0.0, 6.0],
            "abandoned": [2.0, 4.0, 0.0],
            "service_level": [0.5, 0.0, 1.0],
            "asa_seconds": [20.0, 0.0, 5.0],
            "backlog": 0.0,
            "occupancy": 0.5,
            "agents_available": 1.0,
            "open": [True, False, True],
            "sl_censored": [False, False, False],
        }
    )
    assert sla_weights(frame).tolist() == [10.0, 0.0, 6.0]
    weight = sla_weights(frame)
    assert np.dot(weight, frame["service_level"]) / weight.sum() == pytest.approx(
        (10 * 0.5 + 6 * 1.0) / 16
    )


def test_rates_keep_the_forecast_shape_at_each_days_actual_level() -> None:
    starts = pd.date_range("2027-01-04", periods=2 * 96, freq="15min", tz="UTC")
    shape = np.tile(np.r_[np.zeros(48), np.ones(48)], 2)  # busy afternoons
    forecast = pd.DataFrame(
        {
            "interval_start": starts,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "volume": np.r_[shape[:96] * 2.0, np.zeros(96)],
            "aht_seconds": 600.0,
        }
    )
    actual_counts = np.zeros(2 * 96)
    actual_counts[[10, 60, 61]] = [1.0, 3.0, 2.0]  # day 1: 6 contacts, one in the quiet morning
    actual_counts[[100, 150]] = [4.0, 4.0]  # day 2: 8 contacts, the forecast said none
    actuals = forecast.assign(volume=actual_counts, region="americas")
    rates = rates_from_actuals(forecast, actuals)
    day1, day2 = rates["volume"].to_numpy()[:96], rates["volume"].to_numpy()[96:]
    assert day1.sum() == pytest.approx(6.0) and day2.sum() == pytest.approx(8.0)
    assert (day1[:48] == 0).all() and np.allclose(day1[48:], 6.0 / 48)  # the forecast's shape
    assert np.allclose(day2, 8.0 / 96)  # nothing forecast: spread evenly
