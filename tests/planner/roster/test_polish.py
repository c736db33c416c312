"""Polishing class by class never worsens a roster and keeps every hard rule."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from planner.roster import SolveSettings, build_index, validate_roster
from planner.roster.hint import greedy_roster
from planner.roster.model import build_model
from planner.roster.polish import polish_by_class
from planner.roster.solve import complete_roster, roster_frame
from tests.planner.roster.test_properties import cases


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_polish_keeps_the_rules_and_never_worsens(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    v, _terms = build_model(inp, index)
    start = complete_roster(v, set(greedy_roster(inp, index)), SolveSettings(num_workers=2))
    assert start is not None
    values, objective = start
    improved: list[float] = []
    polished = polish_by_class(v, inp, index, values, objective, 4, 2, on_better=improved.append)
    assert all(b < a for a, b in zip([objective, *improved], improved, strict=False))
    chosen = [o for o, var in v.shift.items() if polished[var.index]]
    found = validate_roster(roster_frame(inp, chosen), inp)
    assert [f for f in found if f.rule != "min_hours_week"] == []
    # The polished values are a solution of the model with the objective last reported.
    again = complete_roster(v, set(chosen), SolveSettings(num_workers=2))
    assert again is not None
    assert again[1] <= (improved[-1] if improved else objective) + 1e-6
