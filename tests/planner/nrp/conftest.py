"""Tiny hand-made instances in the benchmark's text format (objectives worked out by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks import benchmark_folder

# One week (Mon..Sun), one employee. Shift L may not be followed by E. A may work at most
# 5 shifts (2400 min), at least 2, at most 3 in a row; inner runs of work and of days off
# last at least 2 days; one weekend. E is wanted every day, L never.
# By hand: 5 shifts with runs <= 3 and inner off runs >= 2 allow only WWWOOWW and
# WWOOWWW, so 2 E days go uncovered (200). Day 3 (the on-request, 5) cannot be worked
# with 5 shifts (any pattern working day 3 has at most 4 shifts: 300 uncovered), so it
# is missed (5), and both patterns work day 0 against the off-request (3): 208.
TINY = """\
# hand-made
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,480,E

SECTION_STAFF
A,E=7|L=7,2400,960,3,2,2,1

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS
A,3,E,5

SECTION_SHIFT_OFF_REQUESTS
A,0,E,3

SECTION_COVER
0,E,1,100,1
1,E,1,100,1
2,E,1,100,1
3,E,1,100,1
4,E,1,100,1
5,E,1,100,1
6,E,1,100,1
"""
TINY_OBJECTIVE = 208


def instance_text(
    days: int,
    shifts: list[str],
    staff: list[str],
    cover: list[str],
    days_off: list[str] = (),  # type: ignore[assignment]
    on: list[str] = (),  # type: ignore[assignment]
    off: list[str] = (),  # type: ignore[assignment]
) -> str:
    """Assemble an instance text from section rows."""
    parts = [
        ("SECTION_HORIZON", [str(days)]),
        ("SECTION_SHIFTS", shifts),
        ("SECTION_STAFF", staff),
        ("SECTION_DAYS_OFF", list(days_off)),
        ("SECTION_SHIFT_ON_REQUESTS", list(on)),
        ("SECTION_SHIFT_OFF_REQUESTS", list(off)),
        ("SECTION_COVER", cover),
    ]
    return "\n\n".join("\n".join([name, *rows]) for name, rows in parts) + "\n"


@pytest.fixture
def shared_dir() -> Path:
    """The shared NRP instances; skips when they are absent (they live outside the repo)."""
    return benchmark_folder("nrp", "Instance1.txt")
