"""Erlang A: against a brute-force birth-death chain, the Erlang C limit, and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from forecasting.errors import InputError
from planner.staffing import erlang_a, erlang_c
from planner.staffing.status import Binding, Status
from tests.planner.staffing import exact

CASES = [
    # agents, volume per 15 min, aht_s, patience_s, target_s
    (5, 40.0, 300.0, 120.0, 20.0),
    (3, 20.0, 180.0, 60.0, 0.0),
    (8, 100.0, 120.0, 300.0, 30.0),
    (2, 5.0, 600.0, 900.0, 60.0),
    (6, 30.0, 240.0, 45.0, 10.0),
]


@pytest.mark.parametrize(("n", "volume", "aht", "patience", "target"), CASES)
def test_matches_brute_force_birth_death(
    n: int, volume: float, aht: float, patience: float, target: float
) -> None:
    ref = exact.erlang_a(n, volume / 900.0, aht, patience, target)
    got = erlang_a.figures(n, volume, aht, 900.0, patience, target)
    assert float(got.p_wait) == pytest.approx(ref.p_wait, rel=1e-9)
    assert float(got.abandon_rate) == pytest.approx(ref.abandon_rate, rel=1e-9)
    assert float(got.service_level) == pytest.approx(ref.service_level, abs=1e-9)
    assert float(got.asa_seconds) == pytest.approx(ref.asa_served, rel=1e-7)


def test_overloaded_long_patience_stays_finite() -> None:
    # 400 contacts per 15 min at 300 s is 133 Erlangs on 3 agents, patience 1 h: the tail
    # sum is e^1600-ish, far beyond float range.
    got = erlang_a.figures(3, 400.0, 300.0, 900.0, 3600.0, 20.0)
    ref = exact.erlang_a(3, 400.0 / 900.0, 300.0, 3600.0, 20.0, queue_max=3000, tagged=False)
    assert float(got.p_wait) == pytest.approx(ref.p_wait, abs=1e-12)
    assert float(got.abandon_rate) == pytest.approx(ref.abandon_rate, rel=1e-9)
    assert np.isfinite(got.asa_seconds)


@pytest.mark.parametrize("n", [50, 55, 70])
def test_tends_to_erlang_c_as_patience_grows(n: int) -> None:
    c = erlang_c.figures(n, 48.0, 240.0, 15.0)
    gaps = []
    # Beyond ~1e7 s of patience log S loses digits (its terms reach lambda x patience).
    for patience in (1e3, 1e4, 1e5, 1e6, 1e7):
        a = erlang_a.figures(n, 360.0, 240.0, 1800.0, patience, 15.0)
        gaps.append(abs(float(a.service_level - c.service_level)) + abs(float(a.p_wait - c.p_wait)))
        assert float(a.abandon_rate) < 1000.0 / patience
    assert gaps == sorted(gaps, reverse=True)
    # The gap shrinks like 1 / patience (slowest near saturation: n = 50 at 48 Erlangs).
    assert gaps[-1] < gaps[0] / 1000
    assert gaps[-1] < 2e-4
    far = erlang_a.figures(n, 360.0, 240.0, 1800.0, 1e7, 15.0)
    assert float(far.asa_seconds) == pytest.approx(float(c.asa_seconds), rel=1e-3)


def test_no_agents_means_everyone_abandons() -> None:
    got = erlang_a.figures(0, 10.0, 300.0, 900.0, 60.0, 20.0)
    assert (float(got.p_wait), float(got.abandon_rate), float(got.service_level)) == (1.0, 1.0, 0.0)
    assert np.isnan(got.asa_seconds)  # no contact is answered: no answer time to report


@settings(max_examples=40, deadline=None)
@given(
    volume=st.floats(1.0, 2000.0),
    aht=st.floats(30.0, 1200.0),
    patience=st.floats(10.0, 3600.0),
    target=st.floats(0.0, 120.0),
)
def test_service_level_rises_and_abandonment_falls_with_agents(
    volume: float, aht: float, patience: float, target: float
) -> None:
    a = volume * aht / 1800.0
    n = np.arange(0, int(a + 6 * np.sqrt(a) + 10))
    got = erlang_a.figures(n, volume, aht, 1800.0, patience, target, with_asa=False)
    assert ((got.service_level >= 0) & (got.service_level <= 1)).all()
    assert (np.diff(got.service_level) >= -1e-9).all()
    assert (np.diff(got.abandon_rate) <= 1e-9).all()
    assert ((got.abandon_rate >= 0) & (got.abandon_rate <= 1)).all()


def test_required_agents_is_minimal() -> None:
    rng = np.random.default_rng(3)
    vol, aht, pat = rng.uniform(0, 800, 300), rng.uniform(60, 900, 300), rng.uniform(30, 600, 300)
    need = erlang_a.required_agents(
        vol, aht, 1800.0, pat, sl_target=0.8, target_s=20.0, max_abandon=0.05
    )
    assert (need.status == Status.OK).all()
    at = erlang_a.figures(need.agents, vol, aht, 1800.0, pat, 20.0, with_asa=False)
    below = erlang_a.figures(
        np.maximum(need.agents - 1, 0), vol, aht, 1800.0, pat, 20.0, with_asa=False
    )
    busy = vol > 0
    assert (at.service_level[busy] >= 0.8).all() and (at.abandon_rate[busy] <= 0.05).all()
    assert ((below.service_level[busy] < 0.8) | (below.abandon_rate[busy] > 0.05)).all()


def test_abandonment_target_binds() -> None:
    need = erlang_a.required_agents(
        360.0, 240.0, 1800.0, 60.0, sl_target=0.5, target_s=60.0, max_abandon=0.001
    )
    assert need.binding == Binding.ABANDONMENT


def test_unreachable_targets_are_flagged() -> None:
    need = erlang_a.required_agents([50.0, 50.0], 300.0, 900.0, 60.0, max_abandon=[0.0, 0.05])
    assert need.status.tolist() == [Status.UNREACHABLE, Status.OK]
    sl = erlang_a.required_agents(50.0, 300.0, 900.0, 60.0, sl_target=1.0, target_s=0.0)
    assert sl.status == Status.UNREACHABLE


def test_bad_patience_is_an_input_error() -> None:
    with pytest.raises(InputError, match="patience_s"):
        erlang_a.figures(3, 10.0, 300.0, 900.0, 0.0, 20.0)


def test_cap_is_flagged() -> None:
    free = int(
        erlang_a.required_agents(360.0, 240.0, 1800.0, 120.0, sl_target=0.8, target_s=20.0).agents
    )
    capped = erlang_a.required_agents(
        360.0, 240.0, 1800.0, 120.0, sl_target=0.8, target_s=20.0, max_agents=free - 1
    )
    assert (int(capped.agents), capped.status) == (free - 1, Status.CAPPED)


def test_thousands_of_agents_use_the_series_branch_and_agree_with_brute_force() -> None:
    # 2,000 Erlangs on 2,300 agents, AHT 60 s, patience 1 h: x = 120,000, y = 138,000; the
    # regularised incomplete gamma P(y, x) underflows, so the direct series is used.
    n, aht, patience = 2300, 60.0, 3600.0
    lam = 2000.0 / aht
    assert special.gammainc(n * patience / aht, lam * patience) < 1e-250
    got = erlang_a.figures(n, lam * 900.0, aht, 900.0, patience, 20.0)
    ref = exact.erlang_a(n, lam, aht, patience, 20.0, queue_max=2000, tagged=False)
    assert float(got.p_wait) == pytest.approx(ref.p_wait, rel=1e-8)
    assert float(got.abandon_rate) == pytest.approx(ref.abandon_rate, rel=1e-7)
    assert 0.0 <= float(got.service_level) <= 1.0
    assert np.isfinite(got.asa_seconds)
