"""The CP-SAT roster model: variables, one builder per constraint family, the objective.

Formulation (why it is fast): one Boolean per agent x local date x allowed shift (time off
and impossible options never become variables); coverage is shared per *agent class*
(site x tier x identical skill set), so a multi-skilled class gets one integer allocation
per queue it can serve per interval instead of one variable per agent, and a class with a
single demanded queue in an interval needs none (its working count covers that queue
directly). Rest is one clique inequality per shift option instead of pairwise conflicts.
Contract minimums carry a heavily penalised slack so the model is never infeasible and an
explanation can name the agent-weeks that cannot reach them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner import cancellation
from planner.roster.inputs import (
    DAYS_PER_4_WEEKS,
    DAYS_PER_WEEK,
    OptionKey,
    RosterIndex,
    RosterInputs,
    VendorCapacity,
    option_keys,
    published_templates,
    segment_lead,
    serves,
    week_min_minutes,
)

# Objective coefficients are the weights times this, rounded: two decimals of a point.
OBJECTIVE_SCALE = 100

LinearLike = cp_model.LinearExpr | int


@dataclass(frozen=True)
class PenaltyTerm:
    """A soft cost: `weight` points per unit of the integer expression `expr`.

    `family` names the constraint family; `name` says what one unit means, for reports.
    """

    family: str
    name: str
    expr: LinearLike
    weight: float
    constant: int = 0


@dataclass(frozen=True)
class RosterVars:
    """The model and its variables, keyed by domain positions.

    Attributes:
        model: the CP-SAT model.
        shift: option position to its Boolean ('shift[<agent> <date> <template>]').
        works: (agent position, day) to the sum of that day's shift Booleans.
        weekend: (agent position, week) to a Boolean 'works that week's weekend'.
        short: (queue position, interval) to missing agents.
        vendor: (vendor position, queue position, interval) to vendor heads used.
        min_slack: (agent position, week) to minutes below the contract minimum.
    """

    model: cp_model.CpModel
    shift: dict[int, cp_model.IntVar]
    works: dict[tuple[int, int], LinearLike]
    weekend: dict[tuple[int, int], cp_model.IntVar]
    short: dict[tuple[int, int], cp_model.IntVar]
    vendor: dict[tuple[int, int, int], cp_model.IntVar]
    min_slack: dict[tuple[int, int], cp_model.IntVar]


def scaled(weight: float) -> int:
    """The integer objective coefficient of a weight in points (the one scaling helper)."""
    return round(weight * OBJECTIVE_SCALE)


def create_vars(inputs: RosterInputs, index: RosterIndex) -> RosterVars:
    """Create the shift Booleans and the per-day work expressions."""
    model = cp_model.CpModel()
    shift = {
        o: model.new_bool_var(f"shift[{opt.agent_id} {opt.date_local} {opt.template}]")
        for o, opt in enumerate(inputs.options)
    }
    works: dict[tuple[int, int], LinearLike] = {}
    for a in range(len(inputs.agents)):
        for d in range(inputs.days):
            opts = index.by_agent_day.get((a, d), ())
            works[(a, d)] = sum(shift[o] for o in opts) if opts else 0
    return RosterVars(model, shift, works, {}, {}, {}, {})


# --- hard families -------------------------------------------------------------------------


def add_one_shift_per_day(
    v: RosterVars, inputs: RosterInputs, index: RosterIndex
) -> list[PenaltyTerm]:
    """At most one shift per agent per local date (time off has no options at all)."""
    for opts in index.by_agent_day.values():
        if len(opts) > 1:
            v.model.add_at_most_one(v.shift[o] for o in opts)
    return []


def add_min_rest(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Minimum rest between the end of a shift and the start of the next, in UTC minutes.

    Computed on UTC instants, so it holds across midnight and across DST changes. For each
    option, the earlier options that end too close before it are mutually exclusive (one
    shift a day), so one clique inequality replaces all pairwise conflicts.
    """
    for a, agent in enumerate(inputs.agents):
        rest = agent.rules.min_rest_min
        for d in range(1, inputs.days):
            later = index.by_agent_day.get((a, d), ())
            for o in later:
                start = inputs.options[o].start_utc
                for back in (1, 2):
                    earlier = index.by_agent_day.get((a, d - back), ())
                    clash = [
                        p
                        for p in earlier
                        if (start - inputs.options[p].end_utc).total_seconds() < rest * 60
                    ]
                    if clash:
                        v.model.add(v.shift[o] + sum(v.shift[p] for p in clash) <= 1)
    return []


def add_consecutive_days(
    v: RosterVars, inputs: RosterInputs, index: RosterIndex
) -> list[PenaltyTerm]:
    """Max consecutive working days and min consecutive days off, inside the horizon.

    Runs touching either end of the horizon are checked only for their part inside it.
    """
    for a, agent in enumerate(inputs.agents):
        most = agent.rules.max_consecutive_days
        for first in range(inputs.days - most):
            v.model.add(sum(v.works[(a, d)] for d in range(first, first + most + 1)) <= most)
        off = agent.rules.min_consecutive_days_off
        for d in range(inputs.days - 2):
            for j in range(2, off + 1):
                if d + j < inputs.days:
                    # working on d and off on d+1 starts a rest run that must last `off` days
                    v.model.add(v.works[(a, d)] - v.works[(a, d + 1)] + v.works[(a, d + j)] <= 1)
    return []


def add_weekly_limits(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Max paid minutes and shifts per local week; min minutes with a penalised slack."""
    terms: list[PenaltyTerm] = []
    for a, agent in enumerate(inputs.agents):
        for w in range(inputs.weeks):
            days = range(w * DAYS_PER_WEEK, min((w + 1) * DAYS_PER_WEEK, inputs.days))
            opts = [o for d in days for o in index.by_agent_day.get((a, d), ())]
            minutes = sum(inputs.options[o].paid_min * v.shift[o] for o in opts)
            count = sum(v.shift[o] for o in opts)
            if opts:
                v.model.add(minutes <= agent.rules.max_minutes_week)
                if len(opts) > agent.rules.max_shifts_week:
                    v.model.add(count <= agent.rules.max_shifts_week)
            need = week_min_minutes(agent, inputs, w)
            if need > 0:
                slack = v.model.new_int_var(0, need, f"below_min[{agent.agent_id} week {w + 1}]")
                v.min_slack[(a, w)] = slack
                v.model.add(minutes + slack >= need)
                terms.append(
                    PenaltyTerm(
                        "contract_minimum",
                        f"minutes below min hours, {agent.agent_id} week {w + 1}",
                        slack,
                        inputs.weights.hard_slack_minute,
                    )
                )
    return terms


def add_night_weekend_limits(
    v: RosterVars, inputs: RosterInputs, index: RosterIndex
) -> list[PenaltyTerm]:
    """Night shifts per 28 days and weekends worked per 4 weeks, sliding windows.

    A horizon shorter than the window is one window: the limit still applies.
    """
    for a, agent in enumerate(inputs.agents):
        nights = {
            d: [o for o in index.by_agent_day.get((a, d), ()) if inputs.options[o].night]
            for d in range(inputs.days)
        }
        for first in range(max(1, inputs.days - DAYS_PER_4_WEEKS + 1)):
            window = [
                o
                for d in range(first, min(first + DAYS_PER_4_WEEKS, inputs.days))
                for o in nights[d]
            ]
            if len(window) > agent.rules.max_nights_per_4_weeks:
                v.model.add(sum(v.shift[o] for o in window) <= agent.rules.max_nights_per_4_weeks)
        for w in range(inputs.weeks):
            days = range(w * DAYS_PER_WEEK, min((w + 1) * DAYS_PER_WEEK, inputs.days))
            opts = [
                o
                for d in days
                for o in index.by_agent_day.get((a, d), ())
                if inputs.options[o].weekend
            ]
            if not opts:
                continue
            flag = v.model.new_bool_var(f"weekend[{agent.agent_id} week {w + 1}]")
            for o in opts:
                v.model.add_implication(v.shift[o], flag)
            v.model.add(flag <= sum(v.shift[o] for o in opts))
            v.weekend[(a, w)] = flag
        per4 = DAYS_PER_4_WEEKS // DAYS_PER_WEEK
        for first in range(max(1, inputs.weeks - per4 + 1)):
            flags = [
                v.weekend[(a, w)]
                for w in range(first, min(first + per4, inputs.weeks))
                if (a, w) in v.weekend
            ]
            if len(flags) > agent.rules.max_weekends_per_4_weeks:
                v.model.add(sum(flags) <= agent.rules.max_weekends_per_4_weeks)
    return []


# --- soft families -------------------------------------------------------------------------


def add_coverage(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Cover each queue's requirement per UTC interval; shortfall and idle time are soft.

    Breaks do not cover (options list only worked intervals). Supply, requirement and
    shortfall are counted in `inputs.units_per_head` units per head; the weights stay per
    agent-interval.
    """
    # Heads of a class on one shift (day, template, breaks) are one count, so each
    # interval's coverage sums a few counts instead of every agent's Booleans.
    keys = option_keys(inputs, index)
    members: dict[OptionKey, list[int]] = defaultdict(list)
    for o, key in enumerate(keys):
        members[key].append(o)
    heads: dict[OptionKey, LinearLike] = {}
    for key, opts in members.items():
        if len(opts) == 1:
            heads[key] = v.shift[opts[0]]
            continue
        count = v.model.new_int_var(
            0, len(opts), f"heads[{index.classes[key[0]].class_id} {key[1:]}]"
        )
        v.model.add(count == sum(v.shift[o] for o in opts))
        heads[key] = count
    working: dict[tuple[int, int], LinearLike] = {
        (c, t): sum(heads[k] for k in dict.fromkeys(keys[o] for o in opts))
        for (c, t), opts in index.covering.items()
        if segment_lead(index, t) == t
    }
    serving = [
        o
        for o, opt in enumerate(inputs.options)
        if index.classes[index.class_of_agent[index.agent_pos[opt.agent_id]]].queues
    ]
    worked = sum(len(inputs.options[o].covered) * v.shift[o] for o in serving)
    return coverage_terms(v, inputs, index, working, worked)


def coverage_terms(
    v: RosterVars,
    inputs: RosterInputs,
    index: RosterIndex,
    working: dict[tuple[int, int], LinearLike],
    worked: LinearLike,
) -> list[PenaltyTerm]:
    """Coverage constraints and penalties from heads at work per (class, interval).

    Args:
        v: the model; its `short` and `vendor` maps are filled here, every interval of a
            coverage segment sharing its first interval's variable.
        inputs: the roster inputs.
        index: their index.
        working: (class position, interval) to the heads of that class at work.
        worked: agent-intervals worked by agents who serve some queue.

    The same coverage serves the per-agent model and the per-class aggregate (whose
    heads are counts), so both price coverage identically. The intervals of a segment
    are alike (`RosterIndex.segment_of`), so one allocation and one shortfall per
    segment, weighted by its length, price them exactly. Overstaffing is the working
    agent-intervals minus those that cover a requirement, one linear expression.
    """
    model = v.model
    unit = inputs.units_per_head

    def length(t: int) -> int:
        return index.segment_size[index.segment_of[t]]

    demand_set = set(index.demand)
    demand_at: dict[int, list[int]] = defaultdict(list)
    for q, t in index.demand:
        if segment_lead(index, t) == t:
            demand_at[t].append(q)
    supply: dict[tuple[int, int], list[LinearLike]] = defaultdict(list)
    for t, queues in demand_at.items():
        wanted = set(queues)
        for c, cls in enumerate(index.classes):
            if (c, t) not in working:
                continue
            mine = [q for q in cls.queues if q in wanted]
            if len(mine) == 1:
                supply[(mine[0], t)].append(unit * working[(c, t)])
            elif mine:
                heads = len(cls.agent_ids)
                parts = []
                for q in mine:
                    cap = min(unit * heads, int(inputs.required[q, t]))
                    x = model.new_int_var(
                        0, cap, f"alloc[{cls.class_id} {inputs.queues[q].queue_id} t{t}]"
                    )
                    supply[(q, t)].append(x)
                    parts.append(x)
                model.add(sum(parts) <= unit * working[(c, t)])
    vendor_cost: list[PenaltyTerm] = []
    bought: list[LinearLike] = []
    for k, vendor in enumerate(inputs.vendors):
        usable = [q for q, queue in enumerate(inputs.queues) if serves(vendor, queue)]
        if not usable or vendor.max_agents == 0:
            continue
        used: list[LinearLike] = []
        for t in vendor.available:
            if segment_lead(index, t) != t:
                continue
            parts = []
            for q in usable:
                need = int(inputs.required[q, t])
                if need > 0 and (q, t) in demand_set:
                    cap = min(unit * vendor.max_agents, need)
                    x = model.new_int_var(
                        0, cap, f"vendor[{vendor.vendor_id} {inputs.queues[q].queue_id} t{t}]"
                    )
                    v.vendor[(k, q, t)] = x
                    supply[(q, t)].append(x)
                    parts.append(x)
            if len(parts) > 1:
                model.add(sum(parts) <= unit * vendor.max_agents)
            used.extend(length(t) * x for x in parts)
        for t in vendor.available:
            for q in usable:
                if (k, q, segment_lead(index, t)) in v.vendor:
                    v.vendor[(k, q, t)] = v.vendor[(k, q, segment_lead(index, t))]
        if used:
            bought.extend(used)
            vendor_cost.append(
                PenaltyTerm(
                    "vendor",
                    f"agent-intervals bought from {vendor.vendor_id} beyond those prepaid",
                    _beyond_prepaid(model, vendor, sum(used), unit),
                    vendor.cost_per_interval / unit,
                )
            )
    by_queue: dict[int, list[LinearLike]] = defaultdict(list)
    for q, t in index.demand:
        if segment_lead(index, t) != t:
            continue
        need = int(inputs.required[q, t])
        short = model.new_int_var(0, need, f"short[{inputs.queues[q].queue_id} t{t}]")
        v.short[(q, t)] = short
        model.add(sum(supply.get((q, t), [])) + short >= need)
        by_queue[q].append(length(t) * short)
    for q, t in index.demand:
        v.short[(q, t)] = v.short[(q, segment_lead(index, t))]
    under: list[PenaltyTerm] = []
    for q, shorts in sorted(by_queue.items()):
        queue = inputs.queues[q]
        under.append(
            PenaltyTerm(
                "understaffing",
                f"missing agent-intervals on {queue.queue_id}",
                sum(shorts),
                inputs.weights.understaffing * queue.priority / unit,
            )
        )
    # Working agent-intervals minus those covering a requirement (met by agents: the
    # requirement less shortfall less vendor heads).
    idle = unit * worked + sum(x for shorts in by_queue.values() for x in shorts) + sum(bought)
    under.append(
        PenaltyTerm(
            "overstaffing",
            "working agent-intervals beyond the requirement",
            idle,
            inputs.weights.overstaffing / unit,
            constant=-int(sum(inputs.required[q, t] for q, t in index.demand)),
        )
    )
    return under + vendor_cost


def _beyond_prepaid(
    model: cp_model.CpModel, vendor: VendorCapacity, used: LinearLike, unit: int
) -> LinearLike:
    """The vendor's coverage units used beyond its prepaid agent-intervals (all without any).

    Hours already paid for under a minimum commitment cost nothing more, so the solver
    spends them before buying premium in-house hours; only the excess is priced.
    """
    free = math.floor(vendor.prepaid_intervals * unit)
    if free <= 0:
        return used
    top = unit * vendor.max_agents * len(vendor.available)
    extra = model.new_int_var(0, max(top, 0), f"vendor_beyond_prepaid[{vendor.vendor_id}]")
    model.add(extra >= used - free)
    return extra


def add_premiums(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Premium pay for nights, weekends and holidays, and a cost per night shift."""
    premium = [
        (round(opt.premium_hours * 60), o)
        for o, opt in enumerate(inputs.options)
        if opt.premium_hours > 0
    ]
    nights = [o for o, opt in enumerate(inputs.options) if opt.night]
    terms: list[PenaltyTerm] = []
    if premium:
        terms.append(
            PenaltyTerm(
                "premium",
                "premium pay minutes (night, weekend, holiday uplifts)",
                sum(m * v.shift[o] for m, o in premium),
                inputs.weights.premium_hour / 60,
            )
        )
    if nights:
        terms.append(
            PenaltyTerm(
                "nights",
                "night shifts",
                sum(v.shift[o] for o in nights),
                inputs.weights.night_shift,
            )
        )
    return terms


def add_fairness(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Spread nights, weekend days, holidays and late shifts evenly within each site and tier.

    Each spread (most minus fewest) costs its weight; nights and weekend days beyond the
    spread `inputs.fair_spread` allows cost `weights.fairness_excess` more per unit.
    """
    terms: list[PenaltyTerm] = []
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for a, agent in enumerate(inputs.agents):
        groups[(agent.site, agent.tier)].append(a)
    flagged: dict[str, dict[int, list[int]]] = {
        what: defaultdict(list) for what in ("nights", "weekends", "holidays", "lates")
    }
    for o, opt in enumerate(inputs.options):
        a = index.agent_pos[opt.agent_id]
        for what, flag in (
            ("nights", opt.night),
            ("weekends", opt.weekend),
            ("holidays", opt.holiday),
            ("lates", opt.late),
        ):
            if flag:
                flagged[what][a].append(o)
    w = inputs.weights
    weights = {
        "nights": w.fairness_nights,
        "weekends": w.fairness_weekends,
        "holidays": w.fairness_holidays,
        "lates": w.fairness_lates,
    }
    allowed = inputs.fair_spread.over(inputs.days)
    for (site, tier), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        where = f"{site}/t{tier}"
        for what, weight in weights.items():
            per_agent = [sum(v.shift[o] for o in flagged[what][a]) for a in members]
            if not any(flagged[what][a] for a in members):
                continue
            top = inputs.days
            hi = v.model.new_int_var(0, top, f"most_{what}[{where}]")
            lo = v.model.new_int_var(0, top, f"fewest_{what}[{where}]")
            for x in per_agent:
                v.model.add(hi >= x)
                v.model.add(lo <= x)
            terms.append(
                PenaltyTerm(f"fairness_{what}", f"spread of {what} within {where}", hi - lo, weight)
            )
            if what in allowed:
                excess = v.model.new_int_var(0, top, f"excess_{what}[{where}]")
                v.model.add(excess >= hi - lo - allowed[what])
                terms.append(
                    PenaltyTerm(
                        f"fairness_{what}",
                        f"{what} apart beyond the allowed {allowed[what]} within {where}",
                        excess,
                        w.fairness_excess,
                    )
                )
                over = []
                for a, x in zip(members, per_agent, strict=True):
                    if not flagged[what][a]:
                        continue
                    mine = v.model.new_int_var(0, top, f"over_{what}[{inputs.agents[a].agent_id}]")
                    v.model.add(mine >= x - lo - allowed[what])
                    over.append(mine)
                terms.append(
                    PenaltyTerm(
                        f"fairness_{what}",
                        f"{what} each agent works beyond the fewest plus {allowed[what]} "
                        f"within {where}",
                        sum(over),
                        w.fairness_agent,
                    )
                )
    return terms


def add_frozen(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Keep every frozen published shift: one unit per frozen agent-day not worked.

    A frozen day's only option is its published shift, so working it keeps it exactly; the
    slack only explains a roster that cannot keep it (its weight dwarfs every soft cost).
    """
    dropped: list[LinearLike] = []
    constant = 0
    for a, agent in enumerate(inputs.agents):
        for day in agent.frozen:
            d = inputs.day_of(day)
            if 0 <= d < inputs.days and index.by_agent_day.get((a, d)):
                constant += 1
                dropped.append(-v.works[(a, d)])
    if not constant:
        return []
    return [
        PenaltyTerm(
            "frozen",
            "frozen published shifts not kept",
            sum(dropped),
            inputs.weights.frozen_shift,
            constant=constant,
        )
    ]


def add_stability(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Stay close to a published roster: each changed agent-day is priced.

    A published shift moved to another template or dropped (also when time off now
    forbids it) costs `weights.change`; a shift added on a day published off costs the
    smaller `weights.change_added`, so agents' own shifts weigh more than filling gaps.
    """
    if inputs.previous is None:
        return []
    published = published_templates(inputs, index)
    changed: list[LinearLike] = []
    added: list[LinearLike] = []
    constant = 0
    # An agent without a published shift was published off on every date.
    for a in range(len(inputs.agents)):
        for d in range(inputs.days):
            template = published.get((a, d))
            if template is None:
                added.append(v.works[(a, d)])
                continue
            same = [
                o
                for o in index.by_agent_day.get((a, d), ())
                if inputs.options[o].template == template
            ]
            # Any placement of the published shift's breaks keeps the shift.
            constant += 1
            if same:
                changed.append(-sum(v.shift[o] for o in same))
    return [
        PenaltyTerm(
            "stability",
            "published agent-days changed (shift moved or dropped)",
            sum(changed),
            inputs.weights.change,
            constant=constant,
        ),
        PenaltyTerm(
            "stability",
            "shifts added on days published off",
            sum(added),
            inputs.weights.change_added,
        ),
    ]


def add_wishes(v: RosterVars, inputs: RosterInputs, index: RosterIndex) -> list[PenaltyTerm]:
    """Agents' wishes (days off, preferred shifts): each one a shift breaks costs points."""
    broken = [
        (round(opt.unmet_wishes * OBJECTIVE_SCALE), o)
        for o, opt in enumerate(inputs.options)
        if opt.unmet_wishes > 0
    ]
    if not broken:
        return []
    return [
        PenaltyTerm(
            "wishes",
            "unmet wishes of agents (hundredths, by each agent's weight)",
            sum(k * v.shift[o] for k, o in broken),
            inputs.weights.wish / OBJECTIVE_SCALE,
        )
    ]


Builder = Callable[[RosterVars, RosterInputs, RosterIndex], list[PenaltyTerm]]

# Hard families first, then soft ones; the order is the order of the report.
FAMILIES: tuple[tuple[str, Builder], ...] = (
    ("one_shift_per_day", add_one_shift_per_day),
    ("frozen", add_frozen),
    ("min_rest", add_min_rest),
    ("consecutive_days", add_consecutive_days),
    ("weekly_limits", add_weekly_limits),
    ("night_weekend_limits", add_night_weekend_limits),
    ("coverage", add_coverage),
    ("premiums", add_premiums),
    ("fairness", add_fairness),
    ("wishes", add_wishes),
    ("stability", add_stability),
)


@dataclass(frozen=True)
class AgentCut:
    """A valid inequality on one agent's shifts, in scaled points (`columns._Master.cuts`).

    `sum(coefficient * shift) + slack_coefficient * (minutes below the weekly minimums)
    >= floor` holds for every schedule keeping the agent's rules.

    Attributes:
        agent: agent position.
        coefficients: (option position, integer coefficient) for each of the agent's options.
        slack_coefficient: per minute below a week's contract minimum.
        floor: the least the left-hand side can be.
    """

    agent: int
    coefficients: tuple[tuple[int, int], ...]
    slack_coefficient: int
    floor: int


def cut_value(v: RosterVars, cut: AgentCut, values: list[int]) -> int:
    """The left-hand side of `cut` in a solution (every variable's value, model order)."""
    shifts = sum(k * values[v.shift[o].index] for o, k in cut.coefficients)
    slacks = sum(values[s.index] for (a, _w), s in v.min_slack.items() if a == cut.agent)
    return shifts + cut.slack_coefficient * slacks


def add_cuts(
    model: cp_model.CpModel, v: RosterVars, cuts: Sequence[AgentCut], values: list[int]
) -> None:
    """Add to `model` (v.model or a clone) the cuts the solution `values` keeps.

    A cut the solution breaks would mean the pricing programme that made it is not a
    relaxation of the agent's rules; it is left out rather than cut off that roster.
    """
    slacks: dict[int, list[int]] = defaultdict(list)
    for (a, _w), s in v.min_slack.items():
        slacks[a].append(s.index)
    for cut in cuts:
        if cut_value(v, cut, values) < cut.floor:
            continue
        var = model.get_int_var_from_proto_index
        terms = [(var(v.shift[o].index), k) for o, k in cut.coefficients]
        terms += [(var(i), cut.slack_coefficient) for i in slacks[cut.agent]]
        expressions, coefficients = zip(*terms, strict=True)
        model.add(cp_model.LinearExpr.weighted_sum(expressions, coefficients) >= cut.floor)


def build_objective(v: RosterVars, terms: list[PenaltyTerm]) -> None:
    """Minimise the weighted sum of every penalty term (the only call to `minimize`)."""
    expr = sum(scaled(t.weight) * (t.expr + t.constant) for t in terms)
    v.model.minimize(expr)


def build_model(inputs: RosterInputs, index: RosterIndex) -> tuple[RosterVars, list[PenaltyTerm]]:
    """Create the variables, run every family builder in order and set the objective."""
    v = create_vars(inputs, index)
    terms: list[PenaltyTerm] = []
    for _name, builder in FAMILIES:
        terms.extend(builder(v, inputs, index))
    build_objective(v, terms)
    return v, terms


def solve_hinted(
    model: cp_model.CpModel, seconds: float, workers: int, seed: int
) -> tuple[list[int], float] | None:
    """Solve with every hinted variable fixed to its hint.

    Returns every variable's value in model order and the objective (scaled), or None when
    nothing was found in time.
    """
    solver = cancellation.cp_solver(seconds, workers, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if cancellation.current().solve(solver, model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return list(solver.response_proto.solution), solver.objective_value


def hint_all(model: cp_model.CpModel, values: list[int]) -> None:
    """Hint every variable of the model with a complete solution."""
    model.clear_hints()
    for i, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(i), value)


def complete_hint(model: cp_model.CpModel, seconds: float, workers: int, seed: int) -> None:
    """Replace a partial hint by the complete solution it fixes (allocations, shortfall)."""
    found = solve_hinted(model, max(1.0, seconds), workers, seed)
    if found is not None:
        hint_all(model, found[0])
