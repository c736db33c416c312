"""Improve a complete roster one agent class at a time (a large neighbourhood search).

Agents of a class interact with the rest of the roster only through coverage, so freezing
every other class's shifts and re-solving one class exactly is the natural neighbourhood:
it trades one class's days, shifts and breaks against the coverage the others leave, which
CP-SAT's generic neighbourhoods (random variables) rarely do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner.roster.inputs import RosterIndex, RosterInputs
from planner.roster.model import RosterVars, cp_solver

# Seconds a single class's sub-problem may take at most, and at least.
MAX_CLASS_SECONDS = 8.0
MIN_CLASS_SECONDS = 0.5


def solve_fixed(
    v: RosterVars,
    values: list[int],
    free: set[int],
    seconds: float,
    workers: int,
    seed: int,
) -> tuple[list[int], float] | None:
    """Re-solve the model with every variable outside `free` fixed to `values`.

    Returns the new values of every variable and the objective (scaled), or None when the
    sub-problem found nothing in time.
    """
    probe = v.model.clone()
    probe.clear_hints()
    for i, value in enumerate(values):
        if i in free:
            probe.add_hint(probe.get_int_var_from_proto_index(i), value)
        else:
            domain = probe.proto.variables[i].domain
            domain.clear()
            domain.extend([value, value])
    solver = cp_solver(seconds, workers, seed)
    if solver.solve(probe) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution), solver.objective_value


def polish_by_class(
    v: RosterVars,
    inputs: RosterInputs,
    index: RosterIndex,
    values: list[int],
    objective: float,
    seconds: float,
    workers: int,
    seed: int = 0,
    on_better: Callable[[float], None] | None = None,
) -> list[int]:
    """Values of every variable after re-solving one class at a time until `seconds` pass.

    `values` is a complete solution of objective `objective` (scaled). Each round visits the classes in turn; a class's shift Booleans are free, and so is
    every variable that is not a shift (allocations, shortfall, slacks, fairness), so the
    sub-problem prices coverage exactly. Rounds continue while the objective improves.
    """
    deadline = time.perf_counter() + seconds
    shift_index = {o: var.index for o, var in v.shift.items()}
    others = set(range(len(values))) - set(shift_index.values())
    by_class: dict[int, set[int]] = {}
    for o, opt in enumerate(inputs.options):
        c = index.class_of_agent[index.agent_pos[opt.agent_id]]
        by_class.setdefault(c, set()).add(shift_index[o])
    classes = sorted(by_class, key=lambda c: -len(by_class[c]))
    best = objective
    while classes:
        improved = False
        for n, c in enumerate(classes):
            left = deadline - time.perf_counter()
            if left < MIN_CLASS_SECONDS:
                return values
            share = min(MAX_CLASS_SECONDS, max(MIN_CLASS_SECONDS, left / (len(classes) - n)))
            found = solve_fixed(v, values, by_class[c] | others, share, workers, seed)
            if found is None:
                continue
            new_values, found_objective = found
            if found_objective < best - 1e-9:
                improved = True
                best = found_objective
                values = new_values
                if on_better is not None:
                    on_better(best)
        if not improved:
            return values
    return values
