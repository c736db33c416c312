"""Improve a complete roster one agent class, then one window of days, at a time.

A large neighbourhood search. Agents of a class interact with the rest of the roster only
through coverage, so freezing every other class's shifts and re-solving one class exactly
is the natural neighbourhood: it trades one class's days, shifts and breaks against the
coverage the others leave, which CP-SAT's generic neighbourhoods (random variables) rarely
do. A window of days with every agent free then trades shifts between classes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Protocol

from ortools.sat.python import cp_model

from planner import cancellation
from planner.roster.inputs import RosterIndex, RosterInputs, option_keys
from planner.roster.model import AgentCut, RosterVars, add_cuts

# Seconds a single neighbourhood's sub-problem may take at most, and at least.
MAX_HOOD_SECONDS = 8.0
MIN_HOOD_SECONDS = 0.5
# A class window of a large organisation gets at least this long: copying and presolving
# its model takes a while before CP-SAT searches (docs/ROSTER.md).
MIN_CLASS_WINDOW_SECONDS = 4.0
# Windows of this many days, every agent free within them, starting this many days apart.
WINDOW_DAYS = 7
WINDOW_STEP = 4


class Beside(Protocol):
    """Work running beside polishing on a core of its own, which may offer a roster."""

    def running(self) -> bool:
        """Whether it still runs (polishing then leaves it a core)."""
        ...

    def take(self) -> tuple[list[int], float] | None:
        """Its roster (every variable's value, objective scaled) once, when ready."""
        ...


def solve_fixed(
    v: RosterVars,
    values: list[int],
    free: set[int],
    seconds: float,
    workers: int,
    seed: int,
    cuts: Sequence[AgentCut] = (),
) -> tuple[list[int], float, bool] | None:
    """Re-solve the model with every variable outside `free` fixed to `values`.

    The `cuts` of agents with a free shift tighten the sub-problem's LP relaxation.
    Returns the new values of every variable, the objective (scaled) and whether it is
    proven optimal within the neighbourhood, or None when the sub-problem found nothing
    in time.
    """
    probe = v.model.clone()
    freed = [c for c in cuts if any(v.shift[o].index in free for o, _k in c.coefficients)]
    add_cuts(probe, v, freed, values)
    probe.clear_hints()
    for i, value in enumerate(values):
        if i in free:
            probe.add_hint(probe.get_int_var_from_proto_index(i), value)
        else:
            domain = probe.proto.variables[i].domain
            domain.clear()
            domain.extend([value, value])
    solver = cancellation.cp_solver(seconds, workers, seed)
    code = cancellation.current().solve(solver, probe)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution), solver.objective_value, code == cp_model.OPTIMAL


def neighbourhoods(
    inputs: RosterInputs,
    index: RosterIndex,
    shift_index: dict[int, int],
    class_windows: bool = False,
) -> list[set[int]]:
    """Shift variables (model indices) freed together, in the order they are tried.

    Each class's, the largest first, then every agent's in each window of WINDOW_DAYS
    days, WINDOW_STEP days apart. With `class_windows`, each class's shifts in each such
    window instead, window by window: on a large organisation a whole class, or every
    agent for a week, is more than a neighbourhood's few seconds can improve.
    """
    by_class: dict[int, set[int]] = {}
    by_window: dict[int, set[int]] = {}
    by_both: dict[tuple[int, int], set[int]] = {}
    for o, (c, d, *_shift) in enumerate(option_keys(inputs, index)):
        by_class.setdefault(c, set()).add(shift_index[o])
        for first in range(0, inputs.days, WINDOW_STEP):
            if first <= d < first + WINDOW_DAYS:
                by_window.setdefault(first, set()).add(shift_index[o])
                by_both.setdefault((first, c), set()).add(shift_index[o])
    if class_windows:
        return [by_both[key] for key in sorted(by_both)]
    hoods = [by_class[c] for c in sorted(by_class, key=lambda c: -len(by_class[c]))]
    return hoods + [by_window[w] for w in sorted(by_window)]


def polish(
    v: RosterVars,
    inputs: RosterInputs,
    index: RosterIndex,
    values: list[int],
    objective: float,
    seconds: float,
    workers: int,
    seed: int = 0,
    on_better: Callable[[list[int], float], None] | None = None,
    beside: Beside | None = None,
    class_windows: bool = False,
    cuts: Callable[[], Sequence[AgentCut]] | None = None,
) -> list[int]:
    """Values of every variable after re-solving one neighbourhood at a time.

    `values` is a complete solution of objective `objective` (scaled). Each round visits
    the `neighbourhoods` in turn; their shift Booleans are free, and so is every variable
    that is not a shift (allocations, shortfall, slacks, fairness), so the sub-problem
    prices coverage exactly. Rounds continue until `seconds` run out or every
    neighbourhood is proven optimal around the roster; each round searches with a new
    seed, since one that found nothing may find something with another (from five final
    rosters of the sample organisation, the largest class's neighbourhood with four
    seeds of 4 s each found 160 to 956 points in four). Work `beside` gets a core while
    it runs, and its roster replaces the polished one before the next neighbourhood when
    it is better. `on_better` hears each better roster and objective. `class_windows`
    chooses the neighbourhoods (`neighbourhoods`). `cuts` gives the agents' cuts known
    so far (`solve_fixed`), asked at each neighbourhood.
    """
    deadline = cancellation.clock() + seconds
    shift_index = {o: var.index for o, var in v.shift.items()}
    others = set(range(len(values))) - set(shift_index.values())
    hoods = neighbourhoods(inputs, index, shift_index, class_windows)
    least = MIN_CLASS_WINDOW_SECONDS if class_windows else MIN_HOOD_SECONDS
    best = objective
    # Neighbourhoods proven optimal around the current roster, skipped until it changes.
    proven: set[int] = set()
    for round_seed in itertools.count(seed):
        for n, hood in enumerate(hoods):
            other = beside.take() if beside is not None else None
            if other is not None and other[1] < best - 1e-9:
                values, best = other
                proven.clear()
                if on_better is not None:
                    on_better(values, best)
            if n in proven:
                continue
            left = deadline - cancellation.clock()
            if left < MIN_HOOD_SECONDS:
                return values
            share = min(MAX_HOOD_SECONDS, left, max(least, left / (len(hoods) - n)))
            busy = beside is not None and beside.running()
            known = cuts() if cuts is not None else ()
            found = solve_fixed(
                v, values, hood | others, share, max(1, workers - busy), round_seed, known
            )
            if found is None:
                continue
            new_values, found_objective, optimal = found
            if found_objective < best - 1e-9:
                best = found_objective
                values = new_values
                proven.clear()
                if on_better is not None:
                    on_better(values, best)
            if optimal:
                proven.add(n)
        if len(proven) == len(hoods):
            break
    return values
