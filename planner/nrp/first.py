"""One employee's first schedule by dynamic programming: valid by construction, in milliseconds.

CP-SAT may take many seconds to find any schedule for one employee of the largest
instances (a 720-minute window of total minutes over 364 days of 20-30 shift types, see
docs/ROSTER.md). A schedule of one shift type that may follow itself keeps the
forbidden successions and the type's maximum trivially, and its total minutes are the
count of working days times one length; what is left (days off, runs of work and of
rest, weekends, the count of working days) is a path through days, solved exactly by a
dynamic program over (day, run state, weekends worked, days worked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from planner.nrp.model import NrpIndex
from planner.nrp.parser import SATURDAY, NrpInstance

# Shift types tried per employee (most cover wanted first); the best path is kept.
CANDIDATES = 1

_NONE = -np.inf


def _offer(
    old: np.ndarray, new: np.ndarray, choice: np.ndarray, source: int, move: int, gain: float
) -> None:
    """Improve `new` (weekends x days worked) from `old` in place, recording `source`.

    `move` is 0 for a day off, 1 for a working day, 2 for one that opens a weekend.
    """
    cand = np.full(old.shape, _NONE)
    if move == 0:
        cand[:] = old
    elif move == 1:
        cand[:, 1:] = old[:, :-1] + gain
    else:
        cand[1:, 1:] = old[:-1, :-1] + gain
    better = cand > new
    new[better] = cand[better]
    choice[better] = source


def best_path(
    can_work: Sequence[bool],
    reward: Sequence[float],
    counts: tuple[int, int],
    rules: tuple[int, int, int],
    weekend: Sequence[int],
    most_weekends: int,
) -> list[bool] | None:
    """The working days of highest total reward with a count in `counts` (inclusive).

    `rules` is (longest run of work, shortest inner run of work, shortest inner run of
    rest): runs touching either end of the horizon are exempt from the two minimums.
    `weekend[d]` is 1 on Saturdays, 2 on Sundays, else 0: at most `most_weekends`
    weekends may have a working day. None when no path keeps every rule.
    """
    most_run, least_run, least_off = rules
    days = len(can_work)
    least_run, least_off = max(1, least_run), max(1, least_off)
    lo, hi = max(0, counts[0]), min(days, counts[1])
    if lo > hi or most_run < 1:
        return None
    # States: 0..most_run-1 an inner work run of length k+1; most_run..2*most_run-1 the
    # first run (exempt from the minimum); then rest runs of length 1..least_off (the
    # last means 'at least'); the last state is the first rest run (exempt). Axes of the
    # score: state, weekends worked, days worked.
    m = most_run
    first_work = m
    rest = 2 * m
    first_rest = 2 * m + least_off
    states = first_rest + 1
    weekends = max(0, most_weekends) + 1
    width = hi + 1
    score = np.full((states, weekends, width), _NONE)
    back = np.zeros((days, states, weekends, width), dtype=np.int8)
    if can_work[0] and hi >= 1 and not (weekend[0] and weekends == 1):
        score[first_work, 1 if weekend[0] else 0, 1] = reward[0]
    score[first_rest, 0, 0] = 0.0
    moves = [(k, k - 1, True) for k in range(1, m)]
    moves += [(first_work + k, first_work + k - 1, True) for k in range(1, m)]
    moves += [(0, rest + least_off - 1, True), (0, first_rest, True)]
    moves += [(rest, k, False) for k in range(m) if k + 1 >= least_run]
    moves += [(rest, first_work + k, False) for k in range(m)]
    moves += [(rest + j, rest + j - 1, False) for j in range(1, least_off)]
    moves += [(rest + least_off - 1, rest + least_off - 1, False), (first_rest, first_rest, False)]
    for d in range(1, days):
        new = np.full((states, weekends, width), _NONE)
        for target, source, works in moves:
            if works and not can_work[d]:
                continue
            opens = weekend[d] == 1 or (weekend[d] == 2 and source >= rest)
            kind = 0 if not works else 2 if opens else 1
            _offer(score[source], new[target], back[d, target], source, kind, reward[d])
        score = new
    window = score[:, :, lo : hi + 1]
    if not np.isfinite(window).any():
        return None
    state, used, col = np.unravel_index(int(np.argmax(window)), window.shape)
    count, s, w = lo + int(col), int(state), int(used)
    worked = [False] * days
    for d in range(days - 1, -1, -1):
        on = s < rest
        worked[d] = on
        if d > 0:
            s_prev = int(back[d, s, w, count])
            if on and (weekend[d] == 1 or (weekend[d] == 2 and s_prev >= rest)):
                w -= 1
            count -= int(on)
            s = s_prev
    return worked


def first_schedule(
    inst: NrpInstance, index: NrpIndex, e: int, gain: Callable[[int, int], float]
) -> dict[int, int] | None:
    """A schedule of employee `e` (day -> shift position) keeping every hard rule, or None.

    `gain(day, shift)` is what working that shift that day is worth (the cover points it
    saves, say); each candidate type's days are chosen to maximise it. None when no shift
    type that may follow itself fits the minutes window within its maximum count.
    """
    emp = inst.employees[e]
    can = [(e, d) not in index.day_off for d in range(inst.days)]
    weekend = [0] * inst.days
    for week in range(inst.weekends):
        for d in inst.weekend_days(week):
            weekend[d] = 1 if d % 7 == SATURDAY else 2
    most_weekends = min(emp.max_weekends, inst.weekends)
    forbidden = set(index.forbidden)
    types = []
    for s in index.allowed[e]:
        length = index.length_min[s]
        most = emp.max_of(inst.shifts[s].shift_id)
        lo = -(-emp.min_total_min // length)
        hi = min(emp.max_total_min // length, most)
        if (s, s) in forbidden or lo > hi or length <= 0:
            continue
        wanted = sum(max(0.0, gain(d, s)) for d in range(inst.days) if can[d])
        types.append((wanted, s, lo, hi))
    types.sort(key=lambda t: (-t[0], t[1]))
    best: tuple[float, int, list[bool]] | None = None
    for _wanted, s, lo, hi in types[:CANDIDATES]:
        reward = [gain(d, s) for d in range(inst.days)]
        path = best_path(
            can,
            reward,
            (lo, hi),
            (emp.max_consecutive_shifts, emp.min_consecutive_shifts, emp.min_consecutive_days_off),
            weekend,
            most_weekends,
        )
        if path is None:
            continue
        value = sum(r for r, on in zip(reward, path, strict=True) if on)
        if best is None or value > best[0]:
            best = (value, s, path)
    if best is None:
        return None
    _value, s, path = best
    return {d: s for d, on in enumerate(path) if on}
