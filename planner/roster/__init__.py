"""The roster solver: agents x local dates x shift templates, covered per UTC interval.

Public API: build `RosterInputs` (agents, options, queues, requirements), call
`solve_roster`, read the `RosterResult`; `validate_roster` checks any roster frame.
"""

from planner.roster.inputs import (
    AgentClass,
    ContractRules,
    FairSpread,
    PreviousShift,
    RosterAgent,
    RosterIndex,
    RosterInputs,
    RosterQueue,
    ShiftOption,
    VendorCapacity,
    Weights,
    build_index,
)
from planner.roster.model import FAMILIES, PenaltyTerm, build_model
from planner.roster.solve import FamilyPenalty, RosterResult, SolveSettings, solve_roster
from planner.roster.validate import Violation, validate_roster

__all__ = [
    "FAMILIES",
    "AgentClass",
    "ContractRules",
    "FamilyPenalty",
    "PenaltyTerm",
    "PreviousShift",
    "RosterAgent",
    "RosterIndex",
    "RosterInputs",
    "RosterQueue",
    "RosterResult",
    "ShiftOption",
    "SolveSettings",
    "VendorCapacity",
    "Violation",
    "Weights",
    "FairSpread",
    "build_index",
    "build_model",
    "solve_roster",
    "validate_roster",
]
