"""Validate scenario files: each one's verdict, with every problem by field path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from forecasting.errors import InputError
from scenarios.loader import load_scenario


@dataclass(frozen=True)
class ScenarioCheck:
    """One file's verdict: its size when valid, else the error listing every problem."""

    path: str | Path
    name: str = ""
    sites: int = 0
    agents: int = 0
    queues: int = 0
    error: InputError | None = None

    @property
    def valid(self) -> bool:
        """Whether the file loaded without a problem."""
        return self.error is None


def validate_scenarios(paths: Sequence[str | Path]) -> list[ScenarioCheck]:
    """Load each scenario file (with its `extends:` chain) and say what it holds or what is wrong."""
    checks = []
    for path in paths:
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            checks.append(ScenarioCheck(path, error=exc))
            continue
        agents = sum(g.count for s in scenario.sites for g in (*s.headcount, *s.agents))
        checks.append(
            ScenarioCheck(path, scenario.name, len(scenario.sites), agents, len(scenario.queues))
        )
    return checks
