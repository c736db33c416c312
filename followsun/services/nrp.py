"""Solve one instance of Curtois' shift scheduling benchmark and write its solution CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from followsun.atomic import check_output_file
from followsun.files import write_csv
from forecasting.errors import InputError
from planner.nrp import NrpResult, NrpSettings, parse_instance, solve_nrp


def solve_instance_file(
    instance: Path, settings: NrpSettings, out: Path, *, force: bool = False
) -> NrpResult:
    """Parse `instance`, solve it, write the worked shifts to `out` (employee,day,shift).

    Raises:
        InputError: bad settings, an instance file that cannot be read or parsed, or an
            `out` that is the instance or exists without `force`.
    """
    check_output_file(out, force=force, inputs=[instance])
    problems = []
    if settings.time_limit_s is not None and not settings.time_limit_s > 0:
        problems.append(f"--time-limit {settings.time_limit_s}: expected seconds > 0")
    if settings.work_limit is not None and not settings.work_limit > 0:
        problems.append(f"--deterministic-time {settings.work_limit}: expected units > 0")
    if settings.time_limit_s is None and settings.work_limit is None:
        problems.append("--time-limit or --deterministic-time: expected one of them")
    if settings.num_workers < 1:
        problems.append(f"--workers {settings.num_workers}: expected at least 1")
    if problems:
        raise InputError("bad arguments", problems)
    try:
        text = instance.read_text()
    except OSError as exc:
        raise InputError(f"{instance}: cannot read ({exc.strerror})") from exc
    try:
        inst = parse_instance(text, name=instance.stem)
    except InputError as exc:
        raise InputError(f"{instance}: {exc.args[0]}", exc.problems) from exc
    result = solve_nrp(inst, settings)
    write_csv(result.solution(), out)
    return result


def nrp_record(result: NrpResult) -> dict[str, Any]:
    """The solve as the `--json` object: figures, hard violations, the rechecked objective."""
    return {
        "instance": result.instance,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "status": result.status,
        "wall_seconds": round(result.wall_seconds, 3),
        "hard_violations": len(result.violations),
        "checked_objective": result.checked_objective,
        "penalties": {p.family: p.points for p in result.penalties},
    }
