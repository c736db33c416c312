"""Hand the aggregate's shifts to the agents of each class, one small CP-SAT model per class.

Given how many agents of a class work each shift (`aggregate.AggregatePlan.counts`), the
agents of different classes no longer interact through coverage, so each class is solved
alone: its agents' hard rules, their fairness and stability, and a penalty per planned
shift left unassigned, priced at the coverage it would have given. The dynamic-programme
split (`hint.split_counts`) starts each model.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from planner import cancellation
from planner.roster.hint import split_counts
from planner.roster.inputs import OptionKey, RosterIndex, RosterInputs, build_index
from planner.roster.model import (
    FAMILIES,
    PenaltyTerm,
    build_objective,
    complete_hint,
    create_vars,
)

# Families that concern agents one by one (coverage and cost live in the aggregate).
AGENT_FAMILIES = frozenset(
    {
        "one_shift_per_day",
        "frozen",
        "min_rest",
        "consecutive_days",
        "weekly_limits",
        "night_weekend_limits",
        "fairness",
        "wishes",
        "stability",
    }
)


def class_inputs(inputs: RosterInputs, members: set[str]) -> RosterInputs:
    """The inputs restricted to some agents, with nothing to cover."""
    return RosterInputs(
        grid=inputs.grid,
        interval_min=inputs.interval_min,
        start=inputs.start,
        days=inputs.days,
        agents=tuple(a for a in inputs.agents if a.agent_id in members),
        queues=(),
        required=np.zeros((0, len(inputs.grid)), dtype=np.int64),
        options=tuple(o for o in inputs.options if o.agent_id in members),
        previous=(
            None
            if inputs.previous is None
            else tuple(p for p in inputs.previous if p.agent_id in members)
        ),
        weights=inputs.weights,
        units_per_head=inputs.units_per_head,
    )


def split_class(
    inputs: RosterInputs,
    keys: dict[int, OptionKey],
    counts: dict[OptionKey, int],
    start: tuple[int, ...],
    seconds: float,
    workers: int,
    seed: int,
) -> tuple[int, ...]:
    """Option positions (in `inputs`) of one class's agents closest to the planned counts."""
    index = build_index(inputs)
    v = create_vars(inputs, index)
    terms: list[PenaltyTerm] = []
    for name, builder in FAMILIES:
        if name in AGENT_FAMILIES:
            terms.extend(builder(v, inputs, index))
    by_key: dict[OptionKey, list[int]] = {}
    for o, key in keys.items():
        by_key.setdefault(key, []).append(o)
    weights = inputs.weights
    for key, opts in by_key.items():
        wanted = counts.get(key, 0)
        covered = len(inputs.options[opts[0]].covered)
        under = v.model.new_int_var(0, wanted, f"unassigned{key}")
        over = v.model.new_int_var(0, len(opts), f"extra{key}")
        v.model.add(sum(v.shift[o] for o in opts) + under - over == wanted)
        terms.append(
            PenaltyTerm(
                "unassigned", f"planned shifts {key} left", under, weights.understaffing * covered
            )
        )
        terms.append(
            PenaltyTerm(
                "extra", f"shifts {key} beyond the plan", over, weights.overstaffing * covered
            )
        )
    build_objective(v, terms)
    for o, var in v.shift.items():
        v.model.add_hint(var, o in start)
    complete_hint(v.model, seconds / 4, workers, seed)
    solver = cancellation.cp_solver(max(0.5, seconds), workers, seed)
    code = cancellation.current().solve(solver, v.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    return tuple(o for o, var in v.shift.items() if solver.boolean_value(var))


def split_plan(
    inputs: RosterInputs,
    index: RosterIndex,
    keys: list[OptionKey],
    counts: dict[OptionKey, int],
    seconds: float,
    workers: int,
    seed: int = 0,
) -> tuple[int, ...]:
    """Option positions of a roster following `counts` as closely as the agents' rules allow.

    Each class gets a share of `seconds` by its number of options.
    """
    began = cancellation.clock()
    greedy = set(split_counts(inputs, index, keys, counts, seconds=seconds / 3))
    per_class: dict[int, list[int]] = {}
    for o, key in enumerate(keys):
        per_class.setdefault(key[0], []).append(o)
    chosen: list[int] = []
    total = len(inputs.options) or 1
    for c, opts in sorted(per_class.items()):
        remaining = seconds - (cancellation.clock() - began)
        share = remaining * len(opts) / total
        total -= len(opts)
        sub = class_inputs(inputs, set(index.classes[c].agent_ids))
        local = {o: i for i, o in enumerate(opts)}
        picked = split_class(
            sub,
            {local[o]: keys[o] for o in opts},
            counts,
            tuple(local[o] for o in opts if o in greedy),
            share,
            workers,
            seed,
        )
        chosen.extend(opts[i] for i in picked)
    return tuple(sorted(chosen))
