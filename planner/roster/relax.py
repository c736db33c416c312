"""The LP relaxation of a CP-SAT model, solved by HiGHS: a lower bound of its optimum.

Integrality is relaxed, every variable keeps the hull of its domain, linear constraints
and at-most-one, exactly-one and Boolean-or constraints keep their linear form, and
every other constraint (enforced ones included) is left out. Each step only widens the
feasible set, so the LP's optimum is at most the model's. On the aggregate of a 24/7
organisation (`aggregate.build_aggregate`), whose CP-SAT search proves no bound above 0
in its few seconds on a loaded machine, HiGHS solves it to a bound well above 0 in
seconds (docs/ROSTER.md).
"""

from __future__ import annotations

import highspy
import numpy as np
from ortools.sat.python import cp_model

# Domain ends beyond this are infinite (CP-SAT writes int64's limits).
_UNBOUNDED = 2**62
# The LP's optimum is rounded down by this share: HiGHS's feasibility tolerances.
_TOLERANCE = 1e-6


def _positive(refs: list[int], coefficients: list[float]) -> tuple[list[int], list[float]]:
    """Variables and coefficients of a linear expression (a negative ref r is -var(-r-1))."""
    variables = [ref if ref >= 0 else -ref - 1 for ref in refs]
    values = [
        float(c) if ref >= 0 else -float(c) for ref, c in zip(refs, coefficients, strict=True)
    ]
    return variables, values


def _literals(literals: list[int]) -> tuple[list[int], list[float], float]:
    """Variables, coefficients and constant of a sum of literals (not x is 1 - x)."""
    variables = [lit if lit >= 0 else -lit - 1 for lit in literals]
    values = [1.0 if lit >= 0 else -1.0 for lit in literals]
    return variables, values, float(sum(1 for lit in literals if lit < 0))


def _end(value: int, infinite: float) -> float:
    return infinite if abs(value) >= _UNBOUNDED else float(value)


def relaxation_bound(model: cp_model.CpModel, seconds: float) -> float | None:
    """A lower bound of the model's minimum (its objective's units), or None.

    None when HiGHS does not solve the relaxation to optimality within `seconds` (a
    primal value short of optimal bounds nothing) or the model has no objective.
    """
    proto = model.proto
    if not proto.has_objective():
        return None
    inf = highspy.kHighsInf
    highs = highspy._Highs()  # type: ignore[attr-defined]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(max(seconds, 0.01)))
    n = len(proto.variables)
    domains = [list(v.domain) for v in proto.variables]
    highs.addVars(
        n,
        np.array([_end(d[0], -inf) for d in domains], dtype=np.float64),
        np.array([_end(d[-1], inf) for d in domains], dtype=np.float64),
    )
    cost = np.zeros(n)
    variables, values = _positive(list(proto.objective.vars), list(proto.objective.coeffs))
    for var, c in zip(variables, values, strict=True):
        cost[var] += c
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    for ct in proto.constraints:
        if ct.enforcement_literal:
            continue
        if ct.has_linear():
            variables, values = _positive(list(ct.linear.vars), list(ct.linear.coeffs))
            domain = list(ct.linear.domain)
            lower, upper, constant = _end(domain[0], -inf), _end(domain[-1], inf), 0.0
        elif ct.has_at_most_one() or ct.has_exactly_one() or ct.has_bool_or():
            kind = "at_most_one" if ct.has_at_most_one() else "exactly_one"
            kind = "bool_or" if ct.has_bool_or() else kind
            variables, values, constant = _literals(list(getattr(ct, kind).literals))
            lower = -inf if kind == "at_most_one" else 1.0
            upper = inf if kind == "bool_or" else 1.0
        else:
            continue
        highs.addRow(
            lower - constant,
            upper - constant,
            len(variables),
            np.array(variables, dtype=np.int32),
            np.array(values, dtype=np.float64),
        )
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    value = float(highs.getInfo().objective_function_value) + proto.objective.offset
    scale = proto.objective.scaling_factor or 1.0
    bound = value * scale
    return bound - _TOLERANCE * abs(bound)
