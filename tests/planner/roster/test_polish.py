"""Polishing by neighbourhood never worsens a roster and keeps every hard rule."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.roster import SolveSettings, build_index, validate_roster
from planner.roster.hint import greedy_roster
from planner.roster.inputs import option_keys
from planner.roster.model import build_model
from planner.roster.polish import WINDOW_DAYS, WINDOW_STEP, neighbourhoods, polish, solve_fixed
from planner.roster.solve import complete_roster, roster_frame
from tests.planner.roster.test_properties import cases


def _greedy_start(inp):  # type: ignore[no-untyped-def]
    """The index, the model and the greedy roster completed (every value, objective)."""
    index = build_index(inp)
    v, _terms = build_model(inp, index)
    start = complete_roster(v, set(greedy_roster(inp, index)), SolveSettings(num_workers=2))
    assert start is not None
    return index, v, start


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_polish_keeps_the_rules_and_never_worsens(inp) -> None:  # type: ignore[no-untyped-def]
    index, v, (values, objective) = _greedy_start(inp)
    improved: list[float] = []
    polished = polish(
        v, inp, index, values, objective, 4, 2, on_better=lambda _worked, at: improved.append(at)
    )
    assert all(b < a for a, b in zip([objective, *improved], improved, strict=False))
    chosen = [o for o, var in v.shift.items() if polished[var.index]]
    found = validate_roster(roster_frame(inp, chosen), inp)
    assert [f for f in found if f.rule != "min_hours_week"] == []
    # The polished values are a solution of the model with the objective last reported.
    again = complete_roster(v, set(chosen), SolveSettings(num_workers=2))
    assert again is not None
    assert again[1] <= (improved[-1] if improved else objective) + 1e-6


class _Offer:
    """A roster offered once from beside polishing; running until taken."""

    def __init__(self, found: tuple[list[int], float]) -> None:
        self.found: tuple[list[int], float] | None = found

    def running(self) -> bool:
        return self.found is not None

    def take(self) -> tuple[list[int], float] | None:
        found, self.found = self.found, None
        return found


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_polish_takes_over_a_better_roster_offered_beside_it(inp) -> None:  # type: ignore[no-untyped-def]
    index, v, (values, objective) = _greedy_start(inp)
    better = solve_fixed(v, values, set(range(len(values))), 3, 2, 0)
    assert better is not None
    heard: list[float] = []
    offer = _Offer(better[:2])
    polished = polish(
        v,
        inp,
        index,
        values,
        objective,
        4,
        2,
        on_better=lambda _worked, at: heard.append(at),
        beside=offer,
    )
    assert offer.found is None  # taken before the first neighbourhood
    chosen = [o for o, var in v.shift.items() if polished[var.index]]
    again = complete_roster(v, set(chosen), SolveSettings(num_workers=2))
    assert again is not None
    assert again[1] <= min(objective, better[1]) + 1e-6
    if better[1] < objective - 1e-9:
        assert heard[0] == better[1]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_neighbourhoods_cover_each_shift_by_class_and_by_window(inp, class_windows) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    v, _terms = build_model(inp, index)
    shift_index = {o: var.index for o, var in v.shift.items()}
    hoods = neighbourhoods(inp, index, shift_index, class_windows)
    option_of = {i: o for o, i in shift_index.items()}
    class_of = [key[0] for key in option_keys(inp, index)]
    classes = {class_of[o] for o in shift_index}

    def one_class(hood: set[int]) -> bool:
        return len({class_of[option_of[i]] for i in hood}) == 1

    def within_a_window(hood: set[int]) -> bool:
        days = [inp.day_of(inp.options[option_of[i]].date_local) for i in hood]
        return max(days) - min(days) < WINDOW_DAYS

    if class_windows:
        # One per class and window with a shift in it, each within both.
        pairs = {
            (first, class_of[o])
            for o in shift_index
            for first in range(0, inp.days, WINDOW_STEP)
            if first <= inp.day_of(inp.options[o].date_local) < first + WINDOW_DAYS
        }
        assert len(hoods) == len(pairs)
        assert all(one_class(h) and within_a_window(h) for h in hoods)
        windows = hoods
    else:
        by_class, windows = hoods[: len(classes)], hoods[len(classes) :]
        # Each class's shifts form one neighbourhood, and the classes partition the shifts.
        assert all(one_class(h) for h in by_class)
        assert sorted(i for h in by_class for i in h) == sorted(shift_index.values())
        assert all(within_a_window(h) for h in windows)
    # The windows together reach every shift.
    assert set().union(*windows) == set(shift_index.values())
