from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from forecasting.errors import InputError
from simulation import Agents, Contacts, Queues
from simulation.replications import estimate, replicate, t975


@pytest.mark.parametrize("dof", [1, 2, 5, 29, 30, 31, 40, 100, 1000])
def test_t_quantile_matches_scipy(dof: int) -> None:
    assert t975(dof) == pytest.approx(stats.t.ppf(0.975, dof), abs=2e-4)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50))
def test_estimate_is_the_t_interval(values: list[float]) -> None:
    est = estimate(values)
    v = np.asarray(values)
    assert est.mean == pytest.approx(v.mean(), abs=1e-6)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    assert est.half_width == pytest.approx(half, rel=1e-3, abs=1e-6)
    assert est.low <= est.mean <= est.high


def test_estimate_drops_nan_and_has_no_interval_from_one_value() -> None:
    one = estimate([3.0, float("nan")])
    assert one.mean == 3.0 and np.isnan(one.half_width) and one.count == 1


def _case() -> tuple[Queues, Agents]:
    queues = Queues(mode=["realtime"], target_s=[20])
    agents = Agents(
        skills=np.ones((3, 1), bool),
        period_agent=np.arange(3),
        period_start_s=np.zeros(3),
        period_end_s=np.full(3, 10_000.0),
        shrinkage_frac=np.full(3, 0.2),
    )
    return queues, agents


def _draw(seed: int) -> Contacts:
    rng = np.random.default_rng(seed)
    arrival = np.sort(rng.uniform(0, 9_000, 300))
    return Contacts(
        arrival_s=arrival, queue=np.zeros(300, np.int64), handle_s=rng.exponential(60, 300)
    )


def test_replications_through_an_executor_equal_the_serial_ones() -> None:
    queues, agents = _case()
    serial = replicate(queues, _draw, agents, 10_000, [1, 2, 3])
    with ThreadPoolExecutor(2) as pool:
        parallel = replicate(queues, _draw, agents, 10_000, [1, 2, 3], map_fn=pool.map)
    assert [o.seed for o in parallel] == [1, 2, 3]
    for a, b in zip(serial, parallel, strict=True):
        assert np.array_equal(a.start_s, b.start_s, equal_nan=True)
    # each seed draws its own contacts
    assert serial[0].arrival_s.shape == serial[1].arrival_s.shape
    assert not np.array_equal(serial[0].arrival_s, serial[1].arrival_s)


def test_replicate_needs_a_seed() -> None:
    queues, agents = _case()
    with pytest.raises(InputError, match="seed"):
        replicate(queues, _draw(0), agents, 10_000, [])
