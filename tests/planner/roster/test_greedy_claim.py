"""The greedy start's vectorised claim hands out a head's units as the unit-by-unit loop does."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from planner.roster.hint import claim_units


def _loop(residual, priority, queues, covered, units):  # type: ignore[no-untyped-def]
    """The reference: one interval and one unit at a time, as the greedy start used to."""
    got = []
    for t in covered:
        for _unit in range(units):
            open_queues = [q for q in queues if residual[q, t] > 0]
            if not open_queues:
                break
            q = max(open_queues, key=lambda q: (priority[q], residual[q, t]))
            residual[q, t] -= 1
            got.append((q, t))
    return got


@given(
    st.integers(1, 4),
    st.integers(1, 8),
    st.data(),
)
def test_claim_matches_the_unit_by_unit_loop(n_q, n_t, data) -> None:  # type: ignore[no-untyped-def]
    residual = np.array(
        data.draw(
            st.lists(
                st.lists(st.integers(0, 6), min_size=n_t, max_size=n_t), min_size=n_q, max_size=n_q
            )
        ),
        dtype=np.int64,
    )
    priority = np.array(
        data.draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n_q, max_size=n_q))
    )
    queues = data.draw(st.lists(st.integers(0, n_q - 1), min_size=1, max_size=n_q, unique=True))
    covered = tuple(data.draw(st.lists(st.integers(0, n_t - 1), max_size=n_t, unique=True)))
    units = data.draw(st.integers(1, 4))
    expected_residual = residual.copy()
    expected = _loop(expected_residual, priority, queues, covered, units)
    before = residual.copy()
    got = claim_units(residual, priority, np.asarray(queues), covered, units)
    assert np.array_equal(residual, expected_residual)
    pairs = sorted((int(q), int(t)) for qs, ts in got for q, t in zip(qs, ts, strict=True))
    assert pairs == sorted(expected)
    # Releasing what was claimed restores the residual exactly (conservation).
    for qs, ts in got:
        residual[qs, ts] += 1
    assert np.array_equal(residual, before)
