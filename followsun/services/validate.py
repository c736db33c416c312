"""Validate scenario files: each one's verdict, with every problem by field path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from forecasting.errors import InputError
from scenarios.loader import load_scenario
from scenarios.rostering import scenario_agents


@dataclass(frozen=True)
class ScenarioCheck:
    """One file's verdict: its size when valid, else the error listing every problem.

    `agents` counts the agents a roster of the scenario holds; `notes` say where named
    agents replace a site's headcount.
    """

    path: str | Path
    name: str = ""
    sites: int = 0
    agents: int = 0
    queues: int = 0
    error: InputError | None = None
    notes: tuple[str, ...] = ()

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
        agents = sum(len(scenario_agents(s)) for s in scenario.sites)
        notes = tuple(
            f"site {s.id}: its {len(s.agents)} named agents replace its headcount of "
            f"{sum(g.count for g in s.headcount)}"
            for s in scenario.sites
            if s.agents and s.headcount
        )
        checks.append(
            ScenarioCheck(
                path, scenario.name, len(scenario.sites), agents, len(scenario.queues), None, notes
            )
        )
    return checks
