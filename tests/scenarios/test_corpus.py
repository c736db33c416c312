"""A generated corpus of malformed scenarios: only InputError or a bounded, valid scenario.

Each example is the bundled reference with a few fields replaced by hostile values (huge
counts, 1e300, NaN, booleans, wrong types, deleted keys) or the file's bytes damaged.
The loader must never raise anything but `InputError`, and whatever it accepts must
respect the bounds that keep later stages finite.
"""

from __future__ import annotations

import copy
import math
import tracemalloc
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from scenarios.loader import load_scenario, parse_scenario
from scenarios.spec import MAX_AGENTS, MAX_BREAK_PLACEMENTS, MAX_WEEKLY_VOLUME, Scenario

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"
BASE: dict[str, Any] = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(BASE)
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from([10**9, 10**12, -1, 0, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 1e-300, float("nan")]),
    st.text(max_size=12),
    st.sampled_from(["24:00", "99:99", "Mars/Olympus", "", "mon", "chat/en", "2027-02-30"]),
    st.lists(st.integers(min_value=-5, max_value=10**6), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=3),
)
DELETE = object()


def _apply(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        value = draw(st.one_of(HOSTILE, st.just(DELETE)))
        try:
            _apply(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the path
    return data


def _check_bounded(scenario: Scenario) -> None:
    agents = sum(g.count for s in scenario.sites for g in (*s.headcount, *s.agents))
    assert 0 <= agents <= MAX_AGENTS
    for site in scenario.sites:
        for contract in (site.contract, *site.contracts.values()):
            for template in contract.shift_templates:
                placements = math.prod(len(b.offsets) for b in template.breaks)
                assert placements <= MAX_BREAK_PLACEMENTS
    for region in scenario.demand.regions:
        assert all(0 <= v <= MAX_WEEKLY_VOLUME for v in region.weekly_volume.values())


@SETTINGS
@given(damaged())
def test_damaged_scenarios_give_input_errors_or_bounded_scenarios(data: dict[str, Any]) -> None:
    try:
        scenario = parse_scenario(data, "corpus.yaml")
    except InputError as exc:
        assert str(exc).startswith("corpus.yaml: ")
        return
    _check_bounded(scenario)


BREAKS = st.fixed_dictionaries(
    {
        "offset_minutes": st.integers(0, 10**12),
        "minutes": st.integers(-5, 10**6),
        "latest_offset_minutes": st.one_of(st.none(), st.integers(0, 10**12)),
        "step_minutes": st.integers(1, 10**6),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    breaks=st.lists(BREAKS, min_size=1, max_size=4),
    count=st.integers(0, 10**13),
    volume=st.floats(min_value=0, max_value=1e308),
)
def test_sizes_that_would_explode_are_refused_in_bounded_memory(
    breaks: list[dict[str, Any]], count: int, volume: float
) -> None:
    data = copy.deepcopy(BASE)
    data["sites"][0]["contract"]["shift_templates"][0]["breaks"] = breaks
    data["sites"][0]["headcount"][0]["count"] = count
    data["demand"]["regions"][0]["weekly_volume"]["chat"] = volume
    tracemalloc.start()
    try:
        scenario = parse_scenario(data)
    except InputError:
        scenario = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 50_000_000  # an unbounded break window or agent list needs gigabytes
    if scenario is not None:
        _check_bounded(scenario)


TEXT = REFERENCE.read_bytes()


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(TEXT)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line"]))
        if action == "insert":
            raw[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del raw[position : position + draw(st.integers(1, 40))]
        else:
            start = raw.rfind(b"\n", 0, position) + 1
            end = raw.find(b"\n", position)
            end = len(raw) if end < 0 else end + 1
            raw[end:end] = raw[start:end]
    return bytes(raw)


@SETTINGS
@given(st.one_of(damaged_bytes(), st.binary(max_size=200)))
def test_damaged_files_give_input_errors(tmp_path_factory: Any, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("corpus") / "s.yaml"
    path.write_bytes(raw)
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        assert str(path) in str(exc)
        return
    _check_bounded(scenario)
