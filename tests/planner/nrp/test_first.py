from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.budget import Budget
from planner.nrp import build_index, check_solution, parse_instance
from planner.nrp.construct import construct
from planner.nrp.first import best_path, first_schedule
from planner.nrp.parser import NrpInstance
from tests.planner.nrp.conftest import instance_text


def frame(inst: NrpInstance, e: int, own: dict[int, int]) -> pd.DataFrame:
    name = inst.employees[e].employee_id
    return pd.DataFrame(
        {
            "employee": [name] * len(own),
            "day": pd.Series(sorted(own), dtype="int64"),
            "shift": [inst.shifts[own[d]].shift_id for d in sorted(own)],
        }
    )


# Five weeks, one employee. N (720 min) may not follow itself, so it cannot carry the
# schedule alone; E and L may. The minutes window is one value: exactly 20 shifts of 480.
TIGHT = instance_text(
    35,
    ["E,480,", "L,480,E", "N,720,E|L|N"],
    ["A,E=35|L=35|N=10,9600,9600,5,2,2,2"],
    [f"{d},L,1,100,1" for d in range(35)],
    days_off=["A,3,4,17"],
)


def test_tight_minutes_window_gets_a_valid_schedule():
    inst = parse_instance(TIGHT, "tight")
    index = build_index(inst)
    need = {(c.day, index.shift_pos[c.shift_id]) for c in inst.cover}
    own = first_schedule(inst, index, 0, lambda d, s: 100.0 if (d, s) in need else -1.0)
    assert own is not None
    check = check_solution(inst, frame(inst, 0, own))
    assert check.violations == ()
    assert sum(inst.shifts[s].length_min for s in own.values()) == 9600
    # L is the type the cover wants: every shift is L, none on a hard day off.
    assert set(own.values()) == {index.shift_pos["L"]}
    assert not {3, 4, 17} & set(own)


def test_no_type_fits_the_window():
    # 9700 minutes is no multiple of 480, and N may not follow itself.
    text = TIGHT.replace("9600,9600", "9700,9700")
    inst = parse_instance(text, "none")
    assert first_schedule(inst, build_index(inst), 0, lambda d, s: 0.0) is None


def valid(pattern, can, rules, weekend, most_weekends):
    """The benchmark's run and weekend rules on one pattern, written out plainly."""
    most_run, least_run, least_off = rules
    days = len(pattern)
    if any(on and not ok for on, ok in zip(pattern, can, strict=True)):
        return False
    runs = [(k, len(list(g))) for k, g in itertools.groupby(pattern)]
    first = 0
    for on, length in runs:
        inner = first > 0 and first + length < days
        if on and length > most_run:
            return False
        if inner and on and length < least_run:
            return False
        if inner and not on and length < least_off:
            return False
        first += length
    worked_weekends = {d // 7 for d in range(days) if pattern[d] and weekend[d]}
    return len(worked_weekends) <= most_weekends


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(1, 11),
    rules=st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)),
    most_weekends=st.integers(0, 2),
    data=st.data(),
)
def test_best_path_is_the_brute_force_optimum(days, rules, most_weekends, data):
    can = data.draw(st.lists(st.booleans(), min_size=days, max_size=days))
    reward = data.draw(st.lists(st.integers(-3, 5), min_size=days, max_size=days))
    lo = data.draw(st.integers(0, days))
    hi = data.draw(st.integers(lo, days))
    weekend = [1 if d % 7 == 5 else 2 if d % 7 == 6 else 0 for d in range(days)]
    best = None
    for pattern in itertools.product([False, True], repeat=days):
        if lo <= sum(pattern) <= hi and valid(pattern, can, rules, weekend, most_weekends):
            value = sum(r for r, on in zip(reward, pattern, strict=True) if on)
            best = value if best is None else max(best, value)
    path = best_path(can, reward, (lo, hi), rules, weekend, most_weekends)
    if best is None:
        assert path is None
    else:
        assert path is not None
        assert valid(path, can, rules, weekend, most_weekends)
        assert lo <= sum(path) <= hi
        assert sum(r for r, on in zip(reward, path, strict=True) if on) == best


@settings(max_examples=40, deadline=None)
@given(
    weeks=st.integers(1, 4),
    lengths=st.lists(st.sampled_from([240, 480, 600, 720]), min_size=1, max_size=3),
    forbid=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=4),
    rules=st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.integers(0, 4)),
    window=st.tuples(st.floats(0.0, 1.0), st.integers(0, 240), st.integers(0, 1_440)),
    data=st.data(),
)
def test_first_schedule_passes_the_checker(weeks, lengths, forbid, rules, window, data):
    days = 7 * weeks
    ids = [f"S{k}" for k in range(len(lengths))]
    after = {
        k: sorted({ids[t] for s, t in forbid if s == k and t < len(ids)}) for k in range(len(ids))
    }
    shifts = [f"{ids[k]},{lengths[k]},{'|'.join(after[k])}" for k in range(len(ids))]
    most = [data.draw(st.integers(0, days)) for _ in ids]
    caps = "|".join(f"{i}={m}" for i, m in zip(ids, most, strict=True))
    # Minutes around a share of the days worked on the first type, often feasible.
    share, slack, width = window
    least = max(0, round(share * days) * lengths[0] - slack)
    most_run, least_run, least_off, weekends = rules
    staff = [f"A,{caps},{least + width},{least},{most_run},{least_run},{least_off},{weekends}"]
    off = data.draw(st.lists(st.integers(0, days - 1), max_size=4, unique=True))
    inst = parse_instance(
        instance_text(
            days,
            shifts,
            staff,
            [f"{d},{ids[0]},1,100,1" for d in range(days)],
            days_off=[f"A,{','.join(map(str, off))}"] if off else [],
        ),
        "random",
    )
    gain = data.draw(st.lists(st.integers(-5, 5), min_size=days, max_size=days))
    own = first_schedule(inst, build_index(inst), 0, lambda d, s: gain[d] + s)
    if own is not None:
        assert check_solution(inst, frame(inst, 0, own)).violations == ()


def test_construct_keeps_every_hard_rule_on_tight_windows():
    # Three employees, each with a one-value minutes window; the full first schedules
    # come from the dynamic program and the employee-by-employee start keeps them valid.
    staff = [
        "A,E=35|L=35|N=10,9600,9600,5,2,2,2",
        "B,E=35|L=0|N=10,7680,7680,4,2,2,3",
        "C,E=0|L=35|N=35,10080,10080,5,2,2,5",
    ]
    text = instance_text(
        35,
        ["E,480,", "L,480,E", "N,720,E|L|N"],
        staff,
        [f"{d},{s},1,100,1" for d in range(35) for s in "ELN"],
        days_off=["A,3,4,17", "C,0,1,2"],
    )
    inst = parse_instance(text, "tight3")
    shifts = construct(inst, build_index(inst), Budget.start(10.0, None), 0, lambda: False)
    rows = sorted((e, d, s) for (e, d), s in shifts.items())
    result = pd.DataFrame(
        {
            "employee": [inst.employees[e].employee_id for e, _d, _s in rows],
            "day": pd.Series([d for _e, d, _s in rows], dtype="int64"),
            "shift": [inst.shifts[s].shift_id for _e, _d, s in rows],
        }
    )
    assert check_solution(inst, result).violations == ()
    minutes = result.assign(m=result["shift"].map({"E": 480, "L": 480, "N": 720}))
    assert minutes.groupby("employee")["m"].sum().to_dict() == {"A": 9600, "B": 7680, "C": 10080}
