"""Erlang C: published figures, an exact rational second implementation, and properties."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from planner.staffing import erlang_c
from planner.staffing.status import Binding, Status
from tests.planner.staffing import exact

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "staffing" / "erlang_reference.csv"


def reference_rows() -> list[dict[str, str]]:
    lines = [ln for ln in REFERENCE.read_text().splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


@pytest.mark.parametrize(
    "row", reference_rows(), ids=lambda r: f"{r['model']}-{r['quantity']}-{r['agents']}"
)
def test_published_reference_values(row: dict[str, str]) -> None:
    n, a = float(row["agents"]), float(row["traffic_erlangs"])
    if row["model"] == "erlang_b":
        got = float(erlang_c.erlang_b(n, a))
    else:
        figs = erlang_c.figures(n, a, float(row["aht_seconds"]), float(row["target_seconds"]))
        got = float(getattr(figs, row["quantity"]))
    assert got == pytest.approx(float(row["value"]), abs=float(row["tolerance"]))


@pytest.mark.parametrize(
    ("n", "a"),
    [
        (1, Fraction(1, 2)),
        (3, Fraction(5, 2)),
        (14, Fraction(10)),
        (55, Fraction(48)),
        (120, Fraction(1003, 10)),
    ],
)
def test_matches_exact_rational_erlang_c(n: int, a: Fraction) -> None:
    # Second implementation: the textbook sums in exact rational arithmetic.
    assert float(erlang_c.erlang_c(n, float(a))) == pytest.approx(
        float(exact.erlang_c(n, a)), rel=1e-11
    )
    assert float(erlang_c.erlang_b(n, float(a))) == pytest.approx(
        float(exact.erlang_b(n, a)), rel=1e-11
    )
    assert float(erlang_c.asa_seconds(n, float(a), 180.0)) == pytest.approx(
        exact.asa(n, a, 180.0), rel=1e-10
    )


def test_stable_for_thousands_of_agents() -> None:
    # a = 5000 Erlangs: a^n / n! overflows any float; the reference sums in 60-digit decimals.
    for n in (5001, 5100, 5300):
        got = float(erlang_c.erlang_c(n, 5000.0))
        assert np.isfinite(got)
        assert got == pytest.approx(exact.erlang_c_decimal(n, 5000), rel=1e-9)


def test_required_agents_is_the_smallest_meeting_the_target() -> None:
    rng = np.random.default_rng(7)
    traffic = rng.uniform(0.0, 2500.0, 3000)
    aht = rng.uniform(60.0, 1200.0, 3000)
    need = erlang_c.required_agents(traffic, aht, sl_target=0.8, target_s=20.0)
    assert (need.status == Status.OK).all()
    at = erlang_c.service_level(need.agents, traffic, aht, 20.0)
    below = erlang_c.service_level(np.maximum(need.agents - 1, 0), traffic, aht, 20.0)
    busy = traffic > 0
    assert (at[busy] >= 0.8).all()
    assert (below[busy] < 0.8).all()


def test_required_agents_matches_exact_search() -> None:
    # The worked example's load: exact rational SL for every n, first n reaching 80/20.
    a = Fraction(48)
    first = next(n for n in range(49, 80) if exact.service_level(n, a, 240.0, 20.0) >= 0.8)
    need = erlang_c.required_agents(48.0, 240.0, sl_target=0.8, target_s=20.0)
    assert int(need.agents) == first == 54


def test_asa_target() -> None:
    need = erlang_c.required_agents(48.0, 240.0, asa_target_s=10.0)
    n = int(need.agents)
    assert exact.asa(n, Fraction(48), 240.0) <= 10.0 < exact.asa(n - 1, Fraction(48), 240.0)
    assert need.binding == Binding.ASA


def test_occupancy_cap_is_exact_on_float_quotients() -> None:
    # 17 / 0.85 is 20.000000000000004 in floating point; 20 agents are 85% busy exactly.
    need = erlang_c.required_agents(17.0, 300.0, max_occupancy=0.85)
    assert int(need.agents) == 20
    assert need.binding == Binding.OCCUPANCY


def test_zero_traffic_needs_nobody() -> None:
    need = erlang_c.required_agents([0.0, 0.0], 300.0, sl_target=0.9, target_s=10.0)
    assert need.agents.tolist() == [0, 0]
    assert need.binding.tolist() == [Binding.NONE, Binding.NONE]


def test_unreachable_targets_are_flagged_not_looped() -> None:
    need = erlang_c.required_agents(
        [10.0, 10.0, 0.0], 300.0, sl_target=[1.0, 0.8, 1.0], target_s=0.0
    )
    assert need.status.tolist() == [Status.UNREACHABLE, Status.OK, Status.OK]
    asa = erlang_c.required_agents(10.0, 300.0, asa_target_s=0.0)
    assert asa.status == Status.UNREACHABLE


def test_cap_is_flagged() -> None:
    need = erlang_c.required_agents(100.0, 300.0, sl_target=0.9, target_s=20.0, max_agents=80)
    assert int(need.agents) == 80
    assert need.status == Status.CAPPED
    # A cap above stability but below the answer is flagged too.
    free = int(erlang_c.required_agents(100.0, 300.0, sl_target=0.9, target_s=20.0).agents)
    for cap in (101, free - 1):
        need = erlang_c.required_agents(100.0, 300.0, sl_target=0.9, target_s=20.0, max_agents=cap)
        assert (int(need.agents), need.status) == (cap, Status.CAPPED)
    need = erlang_c.required_agents(100.0, 300.0, sl_target=0.9, target_s=20.0, max_agents=free)
    assert (int(need.agents), need.status) == (free, Status.OK)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"traffic": float("nan"), "aht_s": 300.0}, "traffic"),
        ({"traffic": -1.0, "aht_s": 300.0}, "traffic"),
        ({"traffic": 5.0, "aht_s": 0.0}, "aht_s"),
        ({"traffic": 5.0, "aht_s": -3.0}, "aht_s"),
    ],
)
def test_bad_input_is_an_input_error(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        erlang_c.required_agents(**kwargs, sl_target=0.8, target_s=20.0)


def test_traffic_refuses_nan_volume() -> None:
    with pytest.raises(InputError, match="volume"):
        erlang_c.traffic_erlangs([1.0, float("nan")], 300.0, 900.0)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.01, 3000.0),
    aht=st.floats(10.0, 2000.0),
    target=st.floats(0.0, 600.0),
)
def test_service_level_rises_with_agents_and_stays_in_unit_interval(
    a: float, aht: float, target: float
) -> None:
    n = np.arange(0, int(a + 8 * np.sqrt(a) + 20))
    sl = erlang_c.service_level(n, a, aht, target)
    assert ((sl >= 0) & (sl <= 1)).all()
    assert (np.diff(sl) >= -1e-12).all()
    asa = erlang_c.asa_seconds(n, a, aht)
    finite = np.isfinite(asa)
    assert (np.diff(asa[finite]) <= 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.01, 2000.0), sl=st.floats(0.05, 0.99), target=st.floats(0.0, 120.0))
def test_required_agents_property(a: float, sl: float, target: float) -> None:
    need = erlang_c.required_agents(a, 300.0, sl_target=sl, target_s=target)
    n = int(need.agents)
    assert erlang_c.service_level(n, a, 300.0, target) >= sl
    assert erlang_c.service_level(n - 1, a, 300.0, target) < sl


def test_shapes_broadcast_over_intervals_by_queues() -> None:
    traffic = np.linspace(0.0, 300.0, 24).reshape(4, 6)
    aht = np.array([120.0, 180.0, 240.0, 300.0, 600.0, 900.0])
    need = erlang_c.required_agents(traffic, aht, sl_target=0.8, target_s=20.0)
    assert need.agents.shape == (4, 6)
    flat = erlang_c.required_agents(traffic.ravel(), np.tile(aht, 4), sl_target=0.8, target_s=20.0)
    assert need.agents.ravel().tolist() == flat.agents.tolist()
