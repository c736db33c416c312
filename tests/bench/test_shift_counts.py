"""The pyworkforce conversion keeps the requirement and places shifts where they work.

Pure conversion only: pyworkforce itself is in the `bench` extra and is not imported here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.roster import contract_floor, counts_coverage, sample_inputs, shift_count_problems
from planner.roster import RosterInputs
from planner.roster.inputs import serves


@pytest.fixture(scope="module")
def inputs() -> RosterInputs:
    return sample_inputs()


def test_required_agent_intervals_per_day_are_preserved(inputs: RosterInputs) -> None:
    problems = shift_count_problems(inputs)
    demanded = [q for q in range(len(inputs.queues)) if inputs.required[q].any()]
    assert [p.queue_id for p in problems] == [inputs.queues[q].queue_id for q in demanded]
    days = pd.DatetimeIndex(inputs.grid).normalize()
    first_day = days[0]
    for problem, q in zip(problems, demanded, strict=True):
        heads = pd.Series(inputs.required[q] / inputs.units_per_head, index=days)
        per_day = heads.groupby(level=0).sum()
        assert len(problem.required) == problem.num_days
        assert all(len(row) == problem.periods == 96 for row in problem.required)
        converted = [sum(row) for row in problem.required]
        for day, total in zip(per_day.index, per_day.to_numpy(), strict=True):
            assert converted[(pd.Timestamp(day) - first_day).days] == total
        assert sum(converted) == per_day.sum()


def test_shift_arrays_are_the_spans_wrapped_into_one_day(inputs: RosterInputs) -> None:
    for problem in shift_count_problems(inputs):
        assert problem.shifts_coverage
        for name, row in problem.shifts_coverage.items():
            assert len(row) == problem.periods
            assert sum(row) == len(problem.spans[name]) == 32  # 9 h less a 1 h break
            assert {p % problem.periods for p in problem.spans[name]} == {
                i for i, x in enumerate(row) if x
            }


def test_a_counted_shift_covers_what_the_agent_option_covers(inputs: RosterInputs) -> None:
    problem = shift_count_problems(inputs)[0]
    queue = next(q for q in inputs.queues if q.queue_id == problem.queue_id)
    agents = {a.agent_id: a for a in inputs.agents}
    day0 = inputs.grid[0].normalize()
    checked = 0
    for opt in inputs.options:
        agent = agents[opt.agent_id]
        if not serves(agent, queue):
            continue
        name = f"{agent.site}-{opt.template}@{opt.start_utc:%H:%M}Z"
        start_day = (opt.start_utc.normalize() - day0).days
        # The shift is anchored on its start's UTC day or, when most of it runs after
        # midnight, on the next one.
        matches = [
            d
            for d in (start_day, start_day + 1)
            if np.array_equal(
                np.flatnonzero(counts_coverage(problem, {(d, name): 1}, len(inputs.grid))),
                np.array(opt.covered),
            )
        ]
        assert len(matches) == 1, (name, opt.date_local)
        checked += 1
        if checked > 200:
            break
    assert checked > 0


def test_contract_floor_is_every_weekly_minimum_in_intervals(inputs: RosterInputs) -> None:
    # 27 agents x 4 weeks x 32 h x 4 quarter-hours.
    assert contract_floor(inputs) == 27 * 4 * 32 * 4
