"""The cost-service frontier against its definition, checked pair by pair."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from evaluation.frontier import dominates, frontier

figures = st.lists(
    st.tuples(
        st.sampled_from([100.0, 120.0, 150.0, 200.0, math.nan]),
        st.sampled_from([0.5, 0.7, 0.8, 0.9, math.nan]),
    ),
    max_size=12,
)


@given(figures)
def test_the_frontier_is_exactly_the_undominated_comparable_points(
    points: list[tuple[float, float]],
) -> None:
    chosen = frontier([c for c, _ in points], [s for _, s in points])
    comparable = [i for i, (c, s) in enumerate(points) if not (math.isnan(c) or math.isnan(s))]
    for i in comparable:
        beaten = any(dominates(points[j], points[i]) for j in comparable if j != i)
        assert (i in chosen) == (not beaten)
    assert set(chosen) <= set(comparable)
    assert [points[i][0] for i in chosen] == sorted(points[i][0] for i in chosen)


@given(figures)
def test_along_the_frontier_more_money_buys_more_service(
    points: list[tuple[float, float]],
) -> None:
    chosen = frontier([c for c, _ in points], [s for _, s in points])
    for a, b in zip(chosen, chosen[1:], strict=False):
        if points[a][0] < points[b][0]:
            assert points[b][1] > points[a][1]
        else:
            assert points[b][1] == points[a][1]


def test_a_cheaper_better_variant_takes_the_place_of_a_dearer_worse_one() -> None:
    assert frontier([200.0, 100.0, 150.0], [0.8, 0.85, 0.9]) == [1, 2]
