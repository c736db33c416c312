"""Capacity plan: hires per site per month at least cost (a MIP, OR-tools' SCIP).

Months m = 0..M-1. A hire decided in month m joins in month m + lead and is productive
by the ramp (fractions per tenure month, then 1). Heads leave at a monthly attrition
rate (expected, so heads are continuous and hires integer). A site that is not open
pays its opening cost in the month it opens and cannot take hires before. Demand is
agent-hours per hour of the week ("band") per month; each site can put its productive
hours into the bands its shifts reach. Unserved hours are allowed at a penalty so the
plan always exists and says where it falls short.

    min  sum_s,m  monthly_cost_s heads_s,m + premium_s,b x_s,b,m + opening_s new_open_s,m
               + penalty short_b,m
    heads_s,m+1 = (1 - attrition) heads_s,m + hires_s,m+1-lead
    sum_b x_s,b,m <= productive_hours_s (heads_s,m - sum_k (1 - ramp_k) joins_s,m-k)
    sum_s x_s,b,m + short_b,m >= need_b,m
    hires_s,m <= big open_s,m+lead;  heads_s,m <= big open_s,m;  open_s,m >= open_s,m-1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from forecasting.errors import InputError

BIG_HEADS = 10_000
"""A bound on a site's heads, for the open/closed switches."""
OPEN_MONTH_COST = 1.0
"""A token cost per month a new site is open, so it opens when its first hires join."""


@dataclass(frozen=True)
class CapacitySite:
    """One site in the capacity plan.

    Attributes:
        id: site id.
        monthly_cost: loaded cost of one head for a month (base pay).
        productive_hours: hours a fully productive head works a week on queue.
        heads_now: heads at month 0.
        open_now: whether the site operates at month 0.
        opening_cost: paid once in the month the site opens.
        reach: band indices its shifts reach.
        premium_per_hour: extra cost per hour worked in each band it reaches (same order
            as `reach`; night and weekend premiums), 0 by default.
        hire_cost: one-off cost per hire (recruiting and training).
    """

    id: str
    monthly_cost: float
    productive_hours: float
    heads_now: int
    open_now: bool
    reach: tuple[int, ...]
    opening_cost: float = 0.0
    premium_per_hour: tuple[float, ...] = ()
    hire_cost: float = 0.0

    def __post_init__(self) -> None:
        if self.heads_now > 0 and not self.open_now:
            raise InputError(f"capacity: site {self.id} has heads but is not open")
        if self.premium_per_hour and len(self.premium_per_hour) != len(self.reach):
            raise InputError(f"capacity: site {self.id}: one premium per reached band")


@dataclass(frozen=True)
class CapacityInputs:
    """Demand per band and month, the sites, and the hiring rules.

    Attributes:
        need: need[m][b], agent-hours a week in band b during month m.
        sites: the sites.
        lead_months: months from a hiring decision to the hire's first month.
        ramp: productivity of a hire in its first months (e.g. (0.5, 0.75)), then 1.
        attrition: share of heads leaving each month.
        short_penalty: cost per agent-hour a week left unserved for a month.
    """

    need: tuple[tuple[float, ...], ...]
    sites: tuple[CapacitySite, ...]
    lead_months: int = 2
    ramp: tuple[float, ...] = (0.5, 0.75)
    attrition: float = 0.015
    short_penalty: float = 1e6

    def __post_init__(self) -> None:
        if not self.need or not self.sites:
            raise InputError("capacity: need at least one month and one site")
        if self.lead_months < 0 or not 0 <= self.attrition < 1:
            raise InputError("capacity: lead months >= 0 and attrition in [0, 1)")
        bands = {len(row) for row in self.need}
        if len(bands) != 1:
            raise InputError("capacity: every month needs the same bands")


@dataclass(frozen=True)
class CapacityPlan:
    """The plan: hires and heads per site and month, openings, cost and shortfall.

    `hires[s][m]` are decided in month m (they join at m + lead); `opens[s]` is the month
    a site opens (None: never; 0 for a site open now); `short[m]` agent-hours a week
    left unserved in month m.
    """

    status: str
    cost: float
    hires: tuple[tuple[int, ...], ...]
    heads: tuple[tuple[float, ...], ...]
    opens: tuple[int | None, ...]
    short: tuple[float, ...]


def plan_capacity(inputs: CapacityInputs, time_limit_s: float = 60.0) -> CapacityPlan:
    """Solve the capacity MIP (module docstring) with SCIP."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-tools ships SCIP
        raise RuntimeError("OR-tools was built without SCIP")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    months = len(inputs.need)
    bands = len(inputs.need[0])
    lead = inputs.lead_months
    inf = solver.infinity()
    objective = solver.Objective()
    hires, heads, opened = [], [], []
    short = [
        [solver.NumVar(0, inf, f"short[{b},{m}]") for b in range(bands)] for m in range(months)
    ]
    served: list[list[list[pywraplp.Constraint]]] = []
    for m in range(months):
        served.append([])
        for b in range(bands):
            c = solver.Constraint(inputs.need[m][b], inf, f"need[{b},{m}]")
            c.SetCoefficient(short[m][b], 1)
            objective.SetCoefficient(short[m][b], inputs.short_penalty)
            served[m].append([c])
    for site in inputs.sites:
        h = [solver.IntVar(0, BIG_HEADS, f"hires[{site.id},{m}]") for m in range(months)]
        n = [solver.NumVar(0, inf, f"heads[{site.id},{m}]") for m in range(months)]
        o = [solver.BoolVar(f"open[{site.id},{m}]") for m in range(months)]
        hires.append(h)
        heads.append(n)
        opened.append(o)
        premium = dict(
            zip(site.reach, site.premium_per_hour or (0.0,) * len(site.reach), strict=True)
        )
        for m in range(months):
            joins = h[m - lead] if m - lead >= 0 else None
            # heads[m] = (1 - attrition) heads[m-1] + joins (heads_now at the start)
            flow = solver.Constraint(0, 0, f"flow[{site.id},{m}]")
            flow.SetCoefficient(n[m], 1)
            if m == 0:
                flow.SetBounds(site.heads_now, site.heads_now)
            else:
                flow.SetCoefficient(n[m - 1], -(1 - inputs.attrition))
            if joins is not None:
                flow.SetCoefficient(joins, -1)
            # productive hours into the bands the site reaches
            hours = solver.Constraint(-inf, 0, f"hours[{site.id},{m}]")
            hours.SetCoefficient(n[m], -site.productive_hours)
            for k, fraction in enumerate(inputs.ramp):
                if m - lead - k >= 0:
                    hours.SetCoefficient(h[m - lead - k], site.productive_hours * (1 - fraction))
            for b in site.reach:
                x = solver.NumVar(0, inf, f"x[{site.id},{b},{m}]")
                hours.SetCoefficient(x, 1)
                served[m][b][0].SetCoefficient(x, 1)
                objective.SetCoefficient(x, premium[b] * 52 / 12)
            # open/closed: heads and arriving hires only at an open site; once open, open
            solver.Add(n[m] <= BIG_HEADS * o[m])
            if m + lead < months:
                solver.Add(h[m] <= BIG_HEADS * o[m + lead])
            else:
                h[m].SetUb(0)  # would join after the horizon
            if m > 0:
                solver.Add(o[m] >= o[m - 1])
            objective.SetCoefficient(n[m], site.monthly_cost)
            objective.SetCoefficient(h[m], site.hire_cost)
        if site.open_now:
            solver.Add(o[0] == 1)
        else:
            # the opening cost is paid once whenever the site opens (it never closes)
            objective.SetCoefficient(o[months - 1], site.opening_cost)
            for m in range(months):
                objective.SetCoefficient(
                    o[m], OPEN_MONTH_COST + (site.opening_cost if m == months - 1 else 0.0)
                )
    objective.SetMinimization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"capacity MIP: no plan found (status {status})")

    def first_open(o: Sequence[pywraplp.Variable]) -> int | None:
        return next((m for m, v in enumerate(o) if v.solution_value() > 0.5), None)

    return CapacityPlan(
        status="optimal" if status == pywraplp.Solver.OPTIMAL else "feasible",
        cost=objective.Value(),
        hires=tuple(tuple(round(v.solution_value()) for v in h) for h in hires),
        heads=tuple(tuple(v.solution_value() for v in n) for n in heads),
        opens=tuple(first_open(o) for o in opened),
        short=tuple(sum(v.solution_value() for v in row) for row in short),
    )
