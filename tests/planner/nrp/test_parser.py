from __future__ import annotations

import pytest

from forecasting.errors import InputError
from planner.nrp.parser import parse_instance
from tests.planner.nrp.conftest import TINY


def test_parse_tiny_fields():
    inst = parse_instance(TINY, "tiny")
    assert inst.days == 7
    assert [(s.shift_id, s.length_min, s.forbidden_next) for s in inst.shifts] == [
        ("E", 480, ()),
        ("L", 480, ("E",)),
    ]
    (a,) = inst.employees
    assert (a.employee_id, a.max_of("E"), a.max_of("L")) == ("A", 7, 7)
    assert (a.max_total_min, a.min_total_min) == (2400, 960)
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts) == (3, 2)
    assert (a.min_consecutive_days_off, a.max_weekends) == (2, 1)
    assert inst.days_off == ()
    assert [(r.day, r.shift_id, r.weight) for r in inst.on_requests] == [(3, "E", 5)]
    assert [(r.day, r.shift_id, r.weight) for r in inst.off_requests] == [(0, "E", 3)]
    assert len(inst.cover) == 7
    assert inst.weekends == 1
    assert inst.weekend_days(0) == (5, 6)


def test_crlf_and_comments_parse_the_same():
    assert parse_instance(TINY.replace("\n", "\r\n"), "tiny") == parse_instance(TINY, "tiny")


def test_weekends_of_two_weeks():
    inst = parse_instance(TINY.replace("SECTION_HORIZON\n7", "SECTION_HORIZON\n14"), "t")
    assert inst.weekends == 2
    assert inst.weekend_days(1) == (12, 13)


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_instance(text, "bad")
    return info.value.problems


def test_unknown_shift_in_cover_names_the_line():
    text = TINY.replace("6,E,1,100,1", "6,X,1,100,1")
    line = text.splitlines().index("6,X,1,100,1") + 1
    assert f"line {line}: unknown shift 'X'" in _problems(text)


def test_bad_integer_and_day_outside_horizon():
    text = TINY.replace("A,3,E,5", "A,9,E,five")
    line = text.splitlines().index("A,9,E,five") + 1
    problems = _problems(text)
    assert f"line {line}: weight 'five' is not an integer" in problems
    assert f"line {line}: day 9 outside the horizon 0..6" in problems


def test_staff_row_with_missing_field():
    text = TINY.replace("A,E=7|L=7,2400,960,3,2,2,1", "A,E=7|L=7,2400,960,3,2,2")
    line = text.splitlines().index("A,E=7|L=7,2400,960,3,2,2") + 1
    assert _problems(text)[0] == f"line {line}: a staff row expects 8 comma-separated fields, got 7"


def test_unknown_employee():
    text = TINY.replace("A,0,E,3", "Z,0,E,3")
    line = text.splitlines().index("Z,0,E,3") + 1
    assert _problems(text) == [f"line {line}: unknown employee 'Z'"]


def test_unknown_section_names_its_line():
    text = TINY + "\nSECTION_EXTRA\n1\n"
    line = text.splitlines().index("SECTION_EXTRA") + 1
    assert _problems(text) == [f"line {line}: unknown section 'SECTION_EXTRA'"]


def test_missing_required_section():
    text = TINY.replace("SECTION_STAFF\nA,E=7|L=7,2400,960,3,2,2,1\n", "")
    assert _problems(text) == ["missing section SECTION_STAFF"]


def test_min_above_max_minutes():
    text = TINY.replace("A,E=7|L=7,2400,960", "A,E=7|L=7,900,960")
    assert any("MinTotalMinutes exceeds MaxTotalMinutes" in p for p in _problems(text))
