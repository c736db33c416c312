"""Progress reports and cancellation points of the services."""

from __future__ import annotations

import pandas as pd
import pytest

from followsun.services.pipeline import STAGES, PlanSettings, plan_scenario
from followsun.services.progress import Progress, Stages, within
from forecasting.aggregate import history_before
from planner import cancellation
from planner.roster import SolveSettings
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, tiny_scenario

Report = tuple[float | None, str]


def recorder() -> tuple[list[Report], Progress]:
    seen: list[Report] = []

    def progress(fraction: float | None, message: str) -> None:
        seen.append((fraction, message))

    return seen, progress


def test_within_maps_a_part_onto_its_share() -> None:
    seen, progress = recorder()
    part = within(progress, 0.2, 0.6)
    part(0.0, "a")
    part(0.5, "b")
    part(1.0, "c")
    part(None, "d")
    assert seen == [(0.2, "a"), (pytest.approx(0.4), "b"), (pytest.approx(0.6), "c"), (None, "d")]


def test_stages_report_in_order_then_done() -> None:
    seen, progress = recorder()
    stages = Stages(progress, ("a", "b", "c", "d"))
    for name in ("a", "b", "c", "d"):
        stages.start(name)
    stages.done()
    assert seen == [(0.0, "a"), (0.25, "b"), (0.5, "c"), (0.75, "d"), (1.0, "done")]


def test_a_cancelled_job_stops_at_its_next_stage_and_reports_nothing_more() -> None:
    seen, progress = recorder()
    stages = Stages(progress, {"read": 0.0, "solve": 0.1})
    token = cancellation.CancelToken()
    with cancellation.using(token):
        stages.start("read")
        token.cancel()
        with pytest.raises(cancellation.Cancelled):
            stages.start("solve")
    assert seen == [(0.0, "read")]


def test_cancelling_one_job_leaves_another_running() -> None:
    seen, progress = recorder()
    stages = Stages(progress, ("a", "b"))
    other = cancellation.CancelToken()
    with cancellation.using(cancellation.CancelToken()):
        other.cancel()
        stages.start("a")
        stages.start("b")
    assert [message for _, message in seen] == ["a", "b"]


def _history() -> pd.DataFrame:
    end = pd.Timestamp(AS_OF, tz="UTC")
    return history_before(hourly_tickets(weeks=4), end, 60, by_region=True)


def test_a_cancelled_plan_stops_before_its_first_stage() -> None:
    seen, progress = recorder()
    token = cancellation.CancelToken()
    token.cancel()
    settings = PlanSettings(start=AS_OF, weeks=1, model="seasonal_naive")
    with cancellation.using(token), pytest.raises(cancellation.Cancelled):
        plan_scenario(tiny_scenario(), _history(), settings, progress=progress)
    assert seen == []


@pytest.mark.slow
def test_a_plan_reports_each_stage_once_with_growing_fractions() -> None:
    seen, progress = recorder()
    settings = PlanSettings(
        start=AS_OF,
        weeks=1,
        model="seasonal_naive",
        solver=SolveSettings(time_limit_s=5, num_workers=1, seed=1),
    )
    plan = plan_scenario(tiny_scenario(), _history(), settings, progress=progress)
    assert [message for _, message in seen] == [*STAGES, "done"]
    fractions = [fraction for fraction, _ in seen if fraction is not None]
    assert len(fractions) == len(seen) and fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert plan.cost.total > 0
