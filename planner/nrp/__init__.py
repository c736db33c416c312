"""Curtois' shift scheduling benchmark (Instance1..24) on the roster solver's CP-SAT engine.

Public API: `parse_instance(text)` to an `NrpInstance`, `solve_nrp(instance, settings)` to an
`NrpResult`, and `check_solution(instance, frame)` to recheck any solution independently.
"""

from planner.nrp.model import FAMILIES, build_index, build_model
from planner.nrp.parser import Cover, Employee, NrpInstance, ShiftRequest, ShiftType, parse_instance
from planner.nrp.solve import (
    Assignment,
    FamilyPenalty,
    NrpResult,
    NrpSettings,
    solution_frame,
    solve_nrp,
)
from planner.nrp.validate import NrpCheck, Violation, check_solution

__all__ = [
    "FAMILIES",
    "Assignment",
    "Cover",
    "Employee",
    "FamilyPenalty",
    "NrpCheck",
    "NrpInstance",
    "NrpResult",
    "NrpSettings",
    "ShiftRequest",
    "ShiftType",
    "Violation",
    "build_index",
    "build_model",
    "check_solution",
    "parse_instance",
    "solution_frame",
    "solve_nrp",
]
