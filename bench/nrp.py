"""Curtois' shift scheduling benchmark (Instance1..24) solved by `planner.nrp`.

Instances are read from $FOLLOWSUN_NRP_DIR, default ../shared/benchmarks/nrp beside the
repository (they are not copied into it). Each instance gets SECONDS_1_12 seconds on
WORKERS workers (the issue's budget); Instances 13-24 get SECONDS_13_24 to keep `make
bench` short, so their figures are indicative only. Instances 1-12 are solved twice: on
the machine as it is, and beside a process busy on one core (`bench.busy`), since a
scheduler's machine is rarely quiet. Every solution is rechecked by `check_solution` (hard
violations, recomputed objective). Best known values are the best of the published
60-minute table (ORProjects/NRP ComputationalResults), none for 20-24.

`python -m bench.nrp 8 12 20` runs some instances only; $FOLLOWSUN_NRP_SECONDS_13_24
overrides the budget of 13-24 (600 for the issue's ten minutes).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.busy import busy_core
from bench.shared_data import shared_folder
from planner.nrp import NrpResult, NrpSettings, parse_instance, solve_nrp

WORKERS = 2
SECONDS_1_12 = 60.0
SECONDS_13_24 = float(os.environ.get("FOLLOWSUN_NRP_SECONDS_13_24", "30"))
# Instances also solved beside one busy core.
LOADED = range(1, 13)
SEED = 0
INSTANCES = range(1, 25)
# Best in the published 60-minute table (ORProjects/NRP ComputationalResults/README.md,
# commit 018b89e5); Instances 20-24 have no reference value there.
BEST_KNOWN: dict[int, int] = {
    1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1308, 9: 439,
    10: 4631, 11: 3443, 12: 4040, 13: 1905, 14: 1279, 15: 3928, 16: 3225, 17: 5750,
    18: 4650, 19: 3218,
}  # fmt: skip


def instance_dir() -> Path:
    """The folder holding InstanceN.txt: $FOLLOWSUN_NRP_DIR or ../shared/benchmarks/nrp."""
    return shared_folder("nrp", "FOLLOWSUN_NRP_DIR")


def seconds_for(number: int) -> float:
    """The time limit of one instance."""
    return SECONDS_1_12 if number <= 12 else SECONDS_13_24


def solve_one(number: int, folder: Path | None = None) -> NrpResult:
    """Solve InstanceN with the bench's settings."""
    path = (folder or instance_dir()) / f"Instance{number}.txt"
    inst = parse_instance(path.read_text(), path.stem)
    return solve_nrp(
        inst, NrpSettings(time_limit_s=seconds_for(number), num_workers=WORKERS, seed=SEED)
    )


def above_best(number: int, objective: float | None) -> float | None:
    """Percent above the best known objective, None without either."""
    best = BEST_KNOWN.get(number)
    if best is None or objective is None:
        return None
    return 100.0 * (objective - best) / best


def _load() -> str:
    """The one-minute load average now, for the table."""
    return f"{os.getloadavg()[0]:.1f}"


def _cells(number: int, result: NrpResult, load: str) -> list[str]:
    pct = above_best(number, result.objective)
    return [
        result.status,
        "-" if result.objective is None else f"{result.objective:g}",
        "-" if pct is None else f"{pct:+.1f}%",
        f"{len(result.violations)}",
        "yes" if result.checked_objective == result.objective else "NO",
        f"{result.wall_seconds:.1f}",
        load,
    ]


def row(number: int, result: NrpResult, load: str, loaded: tuple[NrpResult, str] | None) -> str:
    """One Markdown table row: the quiet run, then the run beside a busy core (or dashes)."""
    best = BEST_KNOWN.get(number)
    cells = [
        f"{number}",
        f"{seconds_for(number):g}",
        f"{result.bound:g}",
        "-" if result.gap is None else f"{result.gap:.1%}",
        "-" if best is None else f"{best}",
        *_cells(number, result, load),
        *(_cells(number, *loaded) if loaded else ["-"] * 7),
    ]
    return "| " + " | ".join(cells) + " |"


def _summary(name: str, above: list[float]) -> str:
    if not above:
        return f"{name}: no instance of 1-12 solved."
    return (
        f"{name}: mean {1 + sum(above) / len(above) / 100:.4f}x the best known over "
        f"{len(above)} of Instances 1-12, worst {1 + max(above) / 100:.3f}x "
        "(aims: mean within 1.02x, none above 1.10x)."
    )


def run(numbers: list[int] | None = None) -> str:
    """Solve the instances (1-12 also beside a busy core) and return the Markdown section."""
    folder = instance_dir()
    lines = [
        "## Shift scheduling benchmark (Curtois, Instance1..24)\n",
        f"`planner.nrp` (CP-SAT first phase, then large-neighbourhood search), {WORKERS} workers, "
        f"seed {SEED}; {SECONDS_1_12:g} s for Instances 1-12 (the issue's budget) and "
        f"{SECONDS_13_24:g} s for 13-24. Best known: best of the 60-minute table in the "
        "instances' BEST_KNOWN.md. Instances 1-12 run twice: on the machine as it is "
        "('quiet'), then beside a process spinning on one core ('busy core'); 'load' is "
        "the one-minute load average after each solve (the machine may be shared). 'hard' "
        "counts hard-rule violations found by the independent check; 'rechecked' says "
        "whether its recomputed objective equals the solver's. The bound is the quiet "
        "run's.\n",
        "| inst | s | bound | gap | best known | status | objective | above best | hard | "
        "rechecked | wall s | load | busy core: status | objective | above best | hard | "
        "rechecked | wall s | load |",
        "|---" * 19 + "|",
    ]
    if not folder.is_dir():
        return "\n".join([*lines[:1], f"Skipped: no instance folder at {folder}.\n"])
    quiet: list[float] = []
    busy: list[float] = []
    for number in numbers or list(INSTANCES):
        if not (folder / f"Instance{number}.txt").exists():
            lines.append(f"| {number} | missing file |" + " |" * 17)
            continue
        result = solve_one(number, folder)
        load = _load()
        loaded = None
        if number in LOADED:
            with busy_core():
                loaded = (solve_one(number, folder), _load())
        lines.append(row(number, result, load, loaded))
        for runs, solved in ((quiet, result), (busy, loaded[0] if loaded else None)):
            pct = None if solved is None else above_best(number, solved.objective)
            if number <= 12 and pct is not None:
                runs.append(pct)
    if quiet or busy:
        lines.append("\n" + _summary("Quiet", quiet) + "  \n" + _summary("Busy core", busy))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    print(run([int(a) for a in sys.argv[1:]] or None))
