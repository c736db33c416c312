"""Capacity plan: hires per site, skill group and month at least cost (a MIP, OR-tools' SCIP).

Months m = 0..M-1. A site's heads form skill groups g (a tier and a set of skills); a hire
joins one group. A hire decided in month m joins in month m + lead and is productive by
the ramp (fractions per tenure month, then 1). Heads leave at a monthly attrition rate
(expected, so heads are continuous and hires integer). A site that is not open pays its
opening cost in the month it opens and cannot take hires before. Demand is agent-hours
per hour of the week ("band") per month, per skill class c: the pooled need any group
serves, and needs only the groups holding a skill serve (a language one site speaks).
Each group puts its productive hours into the bands its site's shifts reach, on the
classes it serves. Unserved hours are allowed at a penalty so the plan always exists and
says where it falls short. The solve is lexicographic: first the least unserved hours, then
the least cost with those hours pinned, so the penalty cannot drown the hiring cost in the
objective and its gap (the gap is reported on the cost beside the pinned penalty).

    min  sum_g,m  monthly_cost heads_g,m + premium_b x_g,c,b,m + opening_s new_open_s,m
               + penalty short_c,b,m
    heads_g,m+1 = (1 - attrition) heads_g,m + hires_g,m+1-lead
    sum_c,b x_g,c,b,m <= productive_hours (heads_g,m - sum_k (1 - ramp_k) joins_g,m-k)
    sum_(g serves c) x_g,c,b,m + short_c,b,m >= need_c,b,m
    hires_g,m <= big open_s,m+lead;  heads_g,m <= big open_s,m;  open_s,m >= open_s,m-1

and the site's contract limits per head, where given: a head is in one band at a time
(sum_c x_g,c,b,m <= band_hours heads_g,m: an hour of the week is one hour a week), and
works at most night_hours a week in the site's night bands and weekend_hours in its
weekend bands (its contract's nights and weekends per 4 weeks), so a site whose heads
may not work enough nights must hire heads idle by day, or another site covers them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from forecasting.errors import InputError

BIG_HEADS = 10_000
"""A bound on a site's heads, for the open/closed switches."""
OPEN_MONTH_COST = 1.0
"""A token cost per month a new site is open, so it opens when its first hires join."""


POOLED = ""
"""The class id of the pooled need, which every group serves."""


@dataclass(frozen=True)
class CapacityGroup:
    """Heads of one site sharing a tier and skills: hired, counted and paid together.

    `serves` names the skill classes (`SkillNeed.id`) its heads can take, besides the
    pooled need.
    """

    id: str
    heads_now: int
    serves: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SkillNeed:
    """Agent-hours a week per month and band that only the groups serving `id` can take."""

    id: str
    need: tuple[tuple[float, ...], ...]


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
        groups: its skill groups, their heads adding up to `heads_now`; none: one group
            of every head, serving the pooled need only.
        band_hours: a head's most hours a week in one band (1 when bands are the hours of
            the week); None: no limit.
        night_bands, night_hours: the bands that are night in the site's zone, and a
            head's most hours a week in them (None: no limit; 0: no nights).
        weekend_bands, weekend_hours: the same for its weekend.
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
    groups: tuple[CapacityGroup, ...] = ()
    band_hours: float | None = None
    night_bands: frozenset[int] = frozenset()
    night_hours: float | None = None
    weekend_bands: frozenset[int] = frozenset()
    weekend_hours: float | None = None

    def __post_init__(self) -> None:
        for name in ("band_hours", "night_hours", "weekend_hours"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= self.productive_hours:
                raise InputError(
                    f"capacity: site {self.id}: {name} {value:g} must be between 0 and its "
                    f"productive hours ({self.productive_hours:g})"
                )
        if self.heads_now > 0 and not self.open_now:
            raise InputError(f"capacity: site {self.id} has heads but is not open")
        if self.premium_per_hour and len(self.premium_per_hour) != len(self.reach):
            raise InputError(f"capacity: site {self.id}: one premium per reached band")
        if self.groups and sum(g.heads_now for g in self.groups) != self.heads_now:
            raise InputError(f"capacity: site {self.id}: its groups' heads must add up to its own")

    @property
    def skill_groups(self) -> tuple[CapacityGroup, ...]:
        """Its groups, or one group of all its heads."""
        return self.groups or (CapacityGroup(self.id, self.heads_now),)


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
        skills: needs only some groups serve (`CapacityGroup.serves`), beside `need`,
            which every group serves; each with `need`'s months and bands.
    """

    need: tuple[tuple[float, ...], ...]
    sites: tuple[CapacitySite, ...]
    lead_months: int = 2
    ramp: tuple[float, ...] = (0.5, 0.75)
    attrition: float = 0.015
    short_penalty: float = 1e6
    skills: tuple[SkillNeed, ...] = ()

    def __post_init__(self) -> None:
        if not self.need or not self.sites:
            raise InputError("capacity: need at least one month and one site")
        if self.lead_months < 0 or not 0 <= self.attrition < 1:
            raise InputError("capacity: lead months >= 0 and attrition in [0, 1)")
        bands = {len(row) for row in self.need}
        if len(bands) != 1:
            raise InputError("capacity: every month needs the same bands")
        for skill in self.skills:
            if len(skill.need) != len(self.need) or {len(r) for r in skill.need} != bands:
                raise InputError(f"capacity: skill {skill.id} needs the pooled need's shape")
        ids = [k.id for k in self.skills]
        if POOLED in ids or len(set(ids)) != len(ids):
            raise InputError("capacity: skill class ids must be unique and not empty")

    @property
    def classes(self) -> tuple[SkillNeed, ...]:
        """The pooled need (id POOLED) and the skills' needs."""
        return (SkillNeed(POOLED, self.need), *self.skills)


@dataclass(frozen=True)
class CapacityPlan:
    """The plan: hires and heads per site and month, openings, cost and shortfall.

    `hires[s][m]` are decided in month m (they join at m + lead); `opens[s]` is the month
    a site opens (None: never; 0 for a site open now); `short[m]` agent-hours a week
    left unserved in month m. `bound` is the solver's best bound on the cost and `gap`
    the share of the cost it may still be above the optimum (0 when proven optimal). The same per skill group: `groups` (site id, group id),
    `group_hires`, `group_heads`; and `short_by_class` per skill class id.
    """

    status: str
    cost: float
    hires: tuple[tuple[int, ...], ...]
    heads: tuple[tuple[float, ...], ...]
    opens: tuple[int | None, ...]
    short: tuple[float, ...]
    groups: tuple[tuple[str, str], ...] = ()
    group_hires: tuple[tuple[int, ...], ...] = ()
    group_heads: tuple[tuple[float, ...], ...] = ()
    short_by_class: tuple[tuple[str, tuple[float, ...]], ...] = ()
    bound: float = 0.0
    gap: float = 0.0


def _contract_limits(
    solver: pywraplp.Solver, site: CapacitySite, heads: pywraplp.Variable, where: str
) -> dict[int, list[pywraplp.Constraint]]:
    """A group's per-head limits in one month: per band, at night, at weekends.

    Each is `hours in its bands - limit x heads <= 0`; the answer lists, per band, the
    constraints an hour worked there counts in (the caller adds the hours).
    """
    inf = solver.infinity()
    limits: dict[int, list[pywraplp.Constraint]] = {}
    if site.band_hours is not None:
        for b in site.reach:
            c = solver.Constraint(-inf, 0, f"band[{where},{b}]")
            c.SetCoefficient(heads, -site.band_hours)
            limits.setdefault(b, []).append(c)
    for name, bands, cap in (
        ("night", site.night_bands, site.night_hours),
        ("weekend", site.weekend_bands, site.weekend_hours),
    ):
        if cap is None or not bands:
            continue
        c = solver.Constraint(-inf, 0, f"{name}[{where}]")
        c.SetCoefficient(heads, -cap)
        for b in bands:
            limits.setdefault(b, []).append(c)
    return limits


def plan_capacity(inputs: CapacityInputs, time_limit_s: float = 60.0) -> CapacityPlan:
    """Solve the capacity MIP (module docstring) with SCIP."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-tools ships SCIP
        raise RuntimeError("OR-tools was built without SCIP")
    months = len(inputs.need)
    bands = len(inputs.need[0])
    lead = inputs.lead_months
    inf = solver.infinity()
    objective = solver.Objective()
    classes = inputs.classes
    short: dict[str, list[list[pywraplp.Variable]]] = {}
    served: dict[tuple[str, int, int], pywraplp.Constraint] = {}
    for skill in classes:
        short[skill.id] = []
        for m in range(months):
            row = []
            for b in range(bands):
                var = solver.NumVar(0, inf, f"short[{skill.id},{b},{m}]")
                row.append(var)
                if skill.need[m][b] <= 0:
                    var.SetUb(0)
                    continue
                c = solver.Constraint(skill.need[m][b], inf, f"need[{skill.id},{b},{m}]")
                c.SetCoefficient(var, 1)
                objective.SetCoefficient(var, inputs.short_penalty)
                served[(skill.id, m, b)] = c
            short[skill.id].append(row)
    group_ids: list[tuple[str, str]] = []
    group_hires: list[list[pywraplp.Variable]] = []
    group_heads: list[list[pywraplp.Variable]] = []
    site_groups: list[list[int]] = []
    opened = []
    for site in inputs.sites:
        o = [solver.BoolVar(f"open[{site.id},{m}]") for m in range(months)]
        opened.append(o)
        premium = dict(
            zip(site.reach, site.premium_per_hour or (0.0,) * len(site.reach), strict=True)
        )
        site_groups.append([])
        for group in site.skill_groups:
            where = f"{site.id}/{group.id}"
            h = [solver.IntVar(0, BIG_HEADS, f"hires[{where},{m}]") for m in range(months)]
            n = [solver.NumVar(0, inf, f"heads[{where},{m}]") for m in range(months)]
            site_groups[-1].append(len(group_ids))
            group_ids.append((site.id, group.id))
            group_hires.append(h)
            group_heads.append(n)
            takes = [k.id for k in classes if k.id == POOLED or k.id in group.serves]
            for m in range(months):
                joins = h[m - lead] if m - lead >= 0 else None
                # heads[m] = (1 - attrition) heads[m-1] + joins (heads_now at the start)
                flow = solver.Constraint(0, 0, f"flow[{where},{m}]")
                flow.SetCoefficient(n[m], 1)
                if m == 0:
                    flow.SetBounds(group.heads_now, group.heads_now)
                else:
                    flow.SetCoefficient(n[m - 1], -(1 - inputs.attrition))
                if joins is not None:
                    flow.SetCoefficient(joins, -1)
                # productive hours into the bands the site reaches, on the classes it serves
                hours = solver.Constraint(-inf, 0, f"hours[{where},{m}]")
                hours.SetCoefficient(n[m], -site.productive_hours)
                for k, fraction in enumerate(inputs.ramp):
                    if m - lead - k >= 0:
                        hours.SetCoefficient(
                            h[m - lead - k], site.productive_hours * (1 - fraction)
                        )
                limits = _contract_limits(solver, site, n[m], f"{where},{m}")
                for b in site.reach:
                    for skill_id in takes:
                        need = served.get((skill_id, m, b))
                        if need is None:
                            continue
                        x = solver.NumVar(0, inf, f"x[{where},{skill_id},{b},{m}]")
                        hours.SetCoefficient(x, 1)
                        need.SetCoefficient(x, 1)
                        objective.SetCoefficient(x, premium[b] * 52 / 12)
                        for limit in limits.get(b, ()):
                            limit.SetCoefficient(x, 1)
                # heads and arriving hires only at an open site
                solver.Add(n[m] <= BIG_HEADS * o[m])
                if m + lead < months:
                    solver.Add(h[m] <= BIG_HEADS * o[m + lead])
                else:
                    h[m].SetUb(0)  # would join after the horizon
                objective.SetCoefficient(n[m], site.monthly_cost)
                objective.SetCoefficient(h[m], site.hire_cost)
        for m in range(1, months):
            solver.Add(o[m] >= o[m - 1])  # once open, open
        if site.open_now:
            solver.Add(o[0] == 1)
        else:
            # the opening cost is paid once whenever the site opens (it never closes)
            for m in range(months):
                objective.SetCoefficient(
                    o[m], OPEN_MONTH_COST + (site.opening_cost if m == months - 1 else 0.0)
                )
    objective.SetMinimization()
    short_vars = [v for rows in short.values() for row in rows for v in row]
    status, shortfall = _solve_lexicographic(solver, short_vars, time_limit_s)
    penalty = inputs.short_penalty * shortfall

    def first_open(o: Sequence[pywraplp.Variable]) -> int | None:
        return next((m for m, v in enumerate(o) if v.solution_value() > 0.5), None)

    hires_g = tuple(tuple(round(v.solution_value()) for v in h) for h in group_hires)
    heads_g = tuple(tuple(v.solution_value() for v in n) for n in group_heads)
    short_c = tuple(
        (skill_id, tuple(sum(v.solution_value() for v in row) for row in rows))
        for skill_id, rows in short.items()
    )
    cost = objective.Value()
    bound = cost if status == pywraplp.Solver.OPTIMAL else min(cost, objective.BestBound())
    return CapacityPlan(
        status="optimal" if status == pywraplp.Solver.OPTIMAL else "feasible",
        cost=cost,
        bound=bound,
        gap=(cost - bound) / abs(cost - penalty) if cost - penalty else 0.0,
        hires=tuple(
            tuple(sum(hires_g[g][m] for g in members) for m in range(months))
            for members in site_groups
        ),
        heads=tuple(
            tuple(sum(heads_g[g][m] for g in members) for m in range(months))
            for members in site_groups
        ),
        opens=tuple(first_open(o) for o in opened),
        short=tuple(sum(rows[m] for _, rows in short_c) for m in range(months)),
        groups=tuple(group_ids),
        group_hires=hires_g,
        group_heads=heads_g,
        short_by_class=short_c,
    )


SHORT_PHASE_SHARE = 0.25
"""The share of the time limit the first phase (least unserved hours) may take."""


def _solve_lexicographic(
    solver: pywraplp.Solver, short: Sequence[pywraplp.Variable], time_limit_s: float
) -> tuple[int, float]:
    """Solve for the least unserved hours, pin them, then solve for cost: (status, hours).

    The second phase keeps the first's unserved hours as a cap, so its objective differs
    from the least cost of those hours only by the search, and its gap measures that. The
    status is optimal only when both phases are: a first phase cut short may pin more
    unserved hours than the least, and the plan is then merely feasible.
    """
    objective = solver.Objective()
    costs = {v.index(): objective.GetCoefficient(v) for v in solver.variables()}
    for v in solver.variables():
        objective.SetCoefficient(v, 0.0)
    for v in short:
        objective.SetCoefficient(v, 1.0)
    started = time.perf_counter()
    solver.SetTimeLimit(max(1, int(time_limit_s * SHORT_PHASE_SHARE * 1000)))
    first = solver.Solve()
    if first not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"capacity MIP: no plan found (status {first})")
    shortfall = objective.Value()
    cap = solver.Constraint(-solver.infinity(), shortfall + 1e-6 * max(1.0, shortfall))
    for v in short:
        cap.SetCoefficient(v, 1.0)
    for v in solver.variables():
        objective.SetCoefficient(v, costs[v.index()])
    left = time_limit_s - (time.perf_counter() - started)
    solver.SetTimeLimit(max(1, int(left * 1000)))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"capacity MIP: no plan found (status {status})")
    if first != pywraplp.Solver.OPTIMAL:
        status = pywraplp.Solver.FEASIBLE
    return status, sum(v.solution_value() for v in short)
