"""Decisions bench: a sweep of one-lever variants x replications through `compare_variants`.

The reference organisation and 49 variants of it, each changing one lever (a site's
Tier 1 heads, the phone line's hours, a premium, the chat target, the hourly cost), are
compared on one week with 10 replications each (common random numbers). Every roster
gets the same CP-SAT deterministic budget on one solver worker, so the work is the same
whatever runs it and the speed-up is a ratio of equal work. The sweep runs on a local
process pool of 1 and of 2 workers and on a Dask LocalCluster of 2 worker processes
(through `dask://HOST:PORT`, the `--executor` path); the three comparisons must be equal.

`python -m bench decisions` runs the issue's 50 x 10 and writes docs/bench/decisions.md;
`python -m bench.decisions --variants 6 --replications 2` runs a small sweep and prints
its section only.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from followsun.services.compare import Comparison, DecisionSettings, compare_variants, prepare
from followsun.services.plan import reference_scenario_path
from scenarios.loader import load_scenario
from scenarios.spec import Scenario

VARIANTS = 50
REPLICATIONS = 10
ROSTER_UNITS = 2.0
"""Roster budget per variant in CP-SAT deterministic time (the demo's)."""
START = date(2027, 3, 8)
FORECAST_DONE = 0.1
"""`compare_variants` reports this fraction when the shared forecasts are fitted."""

Lever = Callable[[Scenario, int], tuple[str, Scenario]]


def _swing(step: int) -> int:
    """+1, -1, +2, -2, ... for steps 1, 2, 3, 4, ...: a lever moved both ways."""
    size = (step + 1) // 2
    return size if step % 2 else -size


def _site(scenario: Scenario, index: int, **update: object) -> Scenario:
    sites = list(scenario.sites)
    sites[index] = sites[index].model_copy(update=update)
    return scenario.model_copy(update={"sites": tuple(sites)})


def _heads(index: int) -> Lever:
    def lever(base: Scenario, step: int) -> tuple[str, Scenario]:
        site = base.sites[index]
        group = site.headcount[0]
        count = max(1, group.count + _swing(step))
        groups = (group.model_copy(update={"count": count}), *site.headcount[1:])
        return f"{site.id}-t1-heads-{count}", _site(base, index, headcount=groups)

    return lever


def _queue(base: Scenario, channel: str, language: str, **update: object) -> Scenario:
    queues = [
        q.model_copy(update=update)
        if (q.channel, q.language, q.tier) == (channel, language, 1)
        else q
        for q in base.queues
    ]
    return base.model_copy(update={"queues": tuple(queues)})


def _phone_hours(base: Scenario, step: int) -> tuple[str, Scenario]:
    """Odd steps close the US phone line later, even steps open it earlier, an hour a time."""
    phone = next(q for q in base.queues if (q.channel, q.language) == ("phone", "en"))
    hours = timedelta(hours=(step + 1) // 2)
    day = date(2000, 1, 3)
    coverage = phone.coverage
    if step % 2:
        moved = {"close": ((pd.Timestamp.combine(day, coverage.close) + hours).time())}
    else:
        moved = {"open": ((pd.Timestamp.combine(day, coverage.open) - hours).time())}
    covered = coverage.model_copy(update=moved)
    opening = f"{covered.open:%H%M}-{covered.close:%H%M}"
    return f"phone-hours-{opening}", _queue(base, "phone", "en", coverage=covered)


def _premium(index: int, kind: str) -> Lever:
    def lever(base: Scenario, step: int) -> tuple[str, Scenario]:
        site = base.sites[index]
        value = round(getattr(site.premiums, kind) + 0.05 * step, 2)
        premiums = site.premiums.model_copy(update={kind: value})
        return f"{site.id}-{kind}-premium-{value:g}", _site(base, index, premiums=premiums)

    return lever


def _chat_target(base: Scenario, step: int) -> tuple[str, Scenario]:
    chat = next(q for q in base.queues if (q.channel, q.language) == ("chat", "en"))
    fraction = round(chat.target.fraction + 0.02 * _swing(step), 2)
    target = chat.target.model_copy(update={"fraction": fraction})
    return f"chat-en-target-{fraction:g}", _queue(base, "chat", "en", target=target)


def _hourly_cost(base: Scenario, step: int) -> tuple[str, Scenario]:
    site = base.sites[0]
    cost = site.hourly_cost + 2 * _swing(step)
    return f"{site.id}-cost-{cost}", _site(base, 0, hourly_cost=cost)


LEVERS: tuple[Lever, ...] = (
    _heads(0),
    _heads(1),
    _phone_hours,
    _premium(0, "night"),
    _chat_target,
    _hourly_cost,
    _premium(1, "weekend"),
)


def one_lever_variants(base: Scenario, count: int) -> list[Scenario]:
    """`base` then `count - 1` variants, each moving one lever; levers taken in turn."""

    def variants() -> Iterator[Scenario]:
        yield base
        for k in range(count - 1):
            name, changed = LEVERS[k % len(LEVERS)](base, k // len(LEVERS) + 1)
            yield changed.model_copy(update={"name": name})

    return list(variants())


@dataclass(frozen=True)
class Run:
    """One sweep: on what, its wall time, the forecast phase's share, the load, its figures."""

    executor: str
    wall_s: float
    forecast_s: float
    load: float
    comparison: Comparison
    workers: int = 1
    cpu_s: float = 0.0
    """CPU seconds of the worker processes (their start-up included)."""

    @property
    def busy(self) -> float:
        """The share of the workers' wall time they had a core: low on a loaded machine."""
        return self.cpu_s / (self.workers * self.wall_s)

    @property
    def roster_s(self) -> float:
        """Wall seconds of the rosters, summed over the variants (the same budget each)."""
        return sum(v.solver.seconds for v in self.comparison.variants)


def sweep(
    variants: list[Scenario], replications: int, label: str, spec: str, workers: int | None
) -> Run:
    """Compare the variants on one executor; time it from the pool's start to the table."""
    settings = DecisionSettings(
        start=START,
        weeks=1,
        replications=replications,
        time_limit_s=ROSTER_UNITS,
        deterministic=True,
        solver_workers=1,
    )
    demand, plan, simulation = prepare(variants, settings)
    load = os.getloadavg()[0]
    began = time.perf_counter()
    fitted: list[float] = []

    def progress(fraction: float | None, message: str) -> None:
        if fraction is not None and fraction >= FORECAST_DONE and not fitted:
            fitted.append(time.perf_counter() - began)
        print(f"  {label}: {message}", flush=True)

    comparison = compare_variants(
        variants,
        demand,
        plan,
        simulation,
        executor=spec,
        max_workers=workers,
        progress=progress,
    )
    wall = time.perf_counter() - began
    return Run(label, wall, fitted[0] if fitted else 0.0, load, comparison)


def children_cpu_s() -> float:
    """CPU seconds of this process's finished child processes (the pools' workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def runs(count: int, replications: int) -> list[Run]:
    """The sweep on 1 and 2 local workers and on a 2-worker Dask LocalCluster; checked equal."""
    from distributed import LocalCluster

    variants = one_lever_variants(load_scenario(reference_scenario_path()), count)
    done = []
    for workers in (1, 2):
        label = f"local, {workers} worker{'s' if workers > 1 else ''}"
        cpu = children_cpu_s()
        run = sweep(variants, replications, label, "local", workers)
        done.append(replace(run, workers=workers, cpu_s=children_cpu_s() - cpu))
    cpu = children_cpu_s()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        run = sweep(
            variants, replications, "Dask LocalCluster, 2 workers", f"dask://{address}", None
        )
    done.append(replace(run, workers=2, cpu_s=children_cpu_s() - cpu))
    for run in done[1:]:
        pd.testing.assert_frame_equal(run.comparison.table, done[0].comparison.table)
    return done


def section(done: list[Run], count: int, replications: int) -> str:
    """The Markdown section of the runs."""
    one = done[0].wall_s
    table = done[0].comparison.table
    met = int(table["targets_met"].astype(bool).sum())
    rows = [
        f"| {r.executor} | {r.wall_s:.0f} | {r.wall_s / count:.1f} | {r.forecast_s:.1f} | "
        f"{r.roster_s:.0f} | {r.cpu_s:.0f} | {r.busy:.0%} | {one / r.wall_s:.2f}x | {r.load:.1f} |"
        for r in done
    ]
    return "\n".join(
        [
            "## Decisions: a sweep of one-lever variants (`followsun compare`)",
            "",
            f"The reference organisation and {count - 1} variants of it, each moving one lever "
            "(Tier 1 heads in San Jose or Taipei, the US phone line's hours, a night or weekend "
            "premium, the chat target, the hourly cost), compared on one week from "
            f"{START} with {replications} replications each (common random numbers); each "
            f"roster gets {ROSTER_UNITS:g} units of CP-SAT deterministic time on one solver "
            "worker, so every executor does the same work. Wall time runs from the pool's "
            "start (worker processes spawned and importing) to the comparison table; the "
            "shared forecast is fitted once on the pool first (the `forecast` column), then "
            "the variants run as tasks, biggest first. The three comparison tables are "
            f"asserted equal. {met} of {count} variants meet every target. `roster s, summed` "
            "adds the rosters' wall seconds over the variants: equal work, so a rise from 1 "
            "to 2 workers is the workers slowing each other (or a busier machine). `workers "
            "busy` is the workers' CPU seconds over workers x wall seconds (the Dask workers' "
            "CPU includes their start before the clock starts): near 100% on an idle "
            "machine, so a speed-up short of 2x with both workers busy is the sweep's own "
            "overhead, and one with them idle is other load.",
            "",
            "| executor | wall s | per variant s | forecast s | roster s, summed | workers' CPU s "
            "| workers busy | speed-up vs 1 worker | load at start |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


def run() -> str:
    """The issue's sweep: 50 variants x 10 replications on each executor."""
    return section(runs(VARIANTS, REPLICATIONS), VARIANTS, REPLICATIONS)


def main() -> None:
    """A sweep of any size, printed (docs/bench is left alone)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=VARIANTS)
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    args = parser.parse_args()
    print(section(runs(args.variants, args.replications), args.variants, args.replications))


if __name__ == "__main__":
    main()
