"""A roster solved on deterministic time is the same whatever the wall clock says."""

from __future__ import annotations

import itertools
import time
from datetime import time as clock_time

import pandas as pd
import pytest

from planner.roster import SolveSettings
from planner.roster.solve import RosterResult, solve_roster
from tests.planner.roster.helpers import agent, daily_options, demand, grid_for, inputs

DAYS = 14
TEMPLATES = (
    ("early", clock_time(6), 8.0),
    ("day", clock_time(9), 8.0),
    ("late", clock_time(14), 8.0),
)
SETTINGS = SolveSettings(time_limit_s=4, num_workers=1, seed=5, deterministic=True)


def _solve() -> RosterResult:
    grid = grid_for(DAYS)
    agents = [
        agent(f"a{i}", skills=("chat/en", "web/en") if i % 3 else ("chat/en",)) for i in range(10)
    ]
    spans = [(24 * d + 7, 24 * d + 21, 3 + d % 3) for d in range(DAYS)]
    chat = demand(grid, spans)
    web = demand(grid, [(24 * d + 10, 24 * d + 18, 1 + d % 2) for d in range(DAYS)])
    case = inputs(
        agents,
        daily_options(agents, DAYS, grid, TEMPLATES),
        grid,
        DAYS,
        {"chat-en-t1": chat, "web-en-t1": web},
    )
    return solve_roster(case, SETTINGS)


@pytest.mark.slow
def test_a_deterministic_solve_ignores_the_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    calm = _solve()
    # Every read of the wall clock jumps an hour: a budget measured on it would be gone
    # before any stage started.
    hours = itertools.count()
    with monkeypatch.context() as patch:
        patch.setattr(time, "perf_counter", lambda: 3600.0 * next(hours))
        rushed = _solve()
    assert next(hours) > 1  # the solve did read the (patched) wall clock
    assert calm.status == rushed.status and calm.status in ("optimal", "feasible")
    assert calm.objective == rushed.objective
    assert calm.bound == rushed.bound
    pd.testing.assert_frame_equal(calm.roster, rushed.roster)
