"""Erlang A against its implementation before the speed-up (`erlang_a_reference`).

The search now gallops from a guess and the mean-wait series runs compiled, outward from
its largest term: the agents must be the same integers and every figure the same within
1e-9 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.staffing import erlang_a
from tests.planner.staffing import erlang_a_reference as reference

# Volumes are none or at least a thousandth of a contact (subnormal ones overflow n / a).
volumes = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=3000.0)), min_size=1, max_size=40
)
ahts = st.floats(min_value=10.0, max_value=3600.0)
patiences = st.floats(min_value=1.0, max_value=7200.0)
targets = st.floats(min_value=0.0, max_value=600.0)


@settings(max_examples=150, deadline=None)
@given(
    volumes,
    ahts,
    patiences,
    targets,
    st.floats(min_value=0.0, max_value=1.0),
    st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)),
    st.floats(min_value=0.5, max_value=1.0),
)
def test_required_agents_are_unchanged(
    volume: list[float],
    aht: float,
    patience: float,
    target: float,
    sl: float,
    abandon: float | None,
    max_occupancy: float,
) -> None:
    args = (np.array(volume), aht, 900.0, patience)
    kwargs = {
        "sl_target": sl,
        "target_s": target,
        "max_abandon": abandon,
        "max_occupancy": max_occupancy,
    }
    got = erlang_a.required_agents(*args, **kwargs)
    ref = reference.required_agents(*args, **kwargs)
    np.testing.assert_array_equal(got.agents, ref.agents)
    np.testing.assert_array_equal(got.status, ref.status)
    np.testing.assert_array_equal(got.binding, ref.binding)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=40),
    volumes,
    ahts,
    patiences,
    targets,
)
def test_figures_agree(
    agents: list[int], volume: list[float], aht: float, patience: float, target: float
) -> None:
    size = min(len(agents), len(volume))
    n, vol = np.array(agents[:size], float), np.array(volume[:size])
    got = erlang_a.figures(n, vol, aht, 900.0, patience, target)
    ref = reference.figures(n, vol, aht, 900.0, patience, target)
    for name in ("p_wait", "abandon_rate", "service_level", "asa_seconds", "occupancy"):
        np.testing.assert_allclose(
            getattr(got, name), getattr(ref, name), rtol=1e-9, atol=0.0, err_msg=name
        )


@pytest.mark.parametrize("patience", [30.0, 120.0, 3600.0])
def test_a_year_of_a_daily_shape_is_unchanged(patience: float) -> None:
    rng = np.random.default_rng(7)
    volume = rng.gamma(4.0, 2.0, 2000) * (1.0 + np.sin(np.arange(2000) * 2 * np.pi / 96)) * 20
    kwargs = {"sl_target": 0.8, "target_s": 20.0, "max_abandon": 0.05}
    got = erlang_a.required_agents(volume, 420.0, 900.0, patience, **kwargs)
    ref = reference.required_agents(volume, 420.0, 900.0, patience, **kwargs)
    np.testing.assert_array_equal(got.agents, ref.agents)
    np.testing.assert_array_equal(got.binding, ref.binding)
