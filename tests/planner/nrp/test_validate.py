from __future__ import annotations

import pandas as pd

from planner.nrp.parser import parse_instance
from planner.nrp.validate import check_solution
from tests.planner.nrp.conftest import TINY, TINY_OBJECTIVE


def frame(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee", "day", "shift"])


def test_best_pattern_is_valid_with_the_hand_objective():
    inst = parse_instance(TINY, "tiny")
    check = check_solution(inst, frame([("A", d, "E") for d in (0, 1, 2, 5, 6)]))
    assert check.violations == ()
    # days 3 and 4 uncovered (2 x 100), on-request day 3 missed (5), off-request day 0 (3)
    assert (check.cover_under, check.requests, check.cover_over) == (200, 8, 0)
    assert check.objective == TINY_OBJECTIVE


def test_each_hard_rule_is_reported():
    inst = parse_instance(TINY, "tiny")
    # L on day 0 then E on day 1 (forbidden), 4 days in a row, one inner day off,
    # 6 shifts = 2880 min > 2400.
    rows = [("A", 0, "L"), ("A", 1, "E"), ("A", 2, "E"), ("A", 3, "E"), ("A", 5, "E")]
    rows.append(("A", 6, "E"))
    rules = {v.rule for v in check_solution(inst, frame(rows)).violations}
    assert rules == {
        "forbidden_succession",
        "max_consecutive_shifts",
        "min_consecutive_days_off",
        "total_minutes",
    }


def test_short_inner_work_run_and_weekends():
    two_weeks = TINY.replace("SECTION_HORIZON\n7", "SECTION_HORIZON\n14")
    inst = parse_instance(two_weeks, "t")
    rows = [("A", d, "E") for d in (0, 1, 5, 12, 13)]  # day 5 alone: inner run of 1
    violations = check_solution(inst, frame(rows)).violations
    assert {v.rule for v in violations} == {"min_consecutive_shifts", "max_weekends"}


def test_runs_touching_the_horizon_are_exempt():
    inst = parse_instance(TINY, "tiny")
    # day 0 alone (touches the start), day 6 alone (touches the end): both exempt
    check = check_solution(inst, frame([("A", 0, "E"), ("A", 6, "E")]))
    assert check.violations == ()


def test_over_cover_and_two_shifts_a_day():
    inst = parse_instance(TINY, "tiny")
    rows = [("A", 0, "E"), ("A", 0, "L"), ("A", 1, "E")]
    check = check_solution(inst, frame(rows))
    assert "one_shift_per_day" in {v.rule for v in check.violations}
