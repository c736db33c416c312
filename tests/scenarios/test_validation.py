"""`validate` refuses scenarios that are wrong or would make later stages unbounded.

Each case is the bundled reference with one field changed as a user might: the error
must name the field and the bound (or the rule), and be raised before any work starts.
"""

from __future__ import annotations

import copy
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from followsun.cli import main
from forecasting.errors import InputError
from scenarios.loader import load_scenario, parse_scenario
from scenarios.spec import MAX_GROUP_AGENTS, MAX_WEEKLY_VOLUME

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"
Edit = Callable[[dict[str, Any]], None]


def reference() -> dict[str, Any]:
    return yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))


def problems(edit: Edit) -> str:
    data = copy.deepcopy(reference())
    edit(data)
    with pytest.raises(InputError) as caught:
        parse_scenario(data, "s.yaml")
    return str(caught.value)


def _break(data: dict[str, Any], **fields: Any) -> None:
    data["sites"][0]["contract"]["shift_templates"][0]["breaks"] = [fields]


def _zero_everyone(data: dict[str, Any]) -> None:
    for site in data["sites"]:
        for group in site["headcount"]:
            group["count"] = 0


CASES: dict[str, tuple[Edit, str]] = {
    "break window of a billion minutes": (
        lambda d: _break(
            d, offset_minutes=60, minutes=30, latest_offset_minutes=10**9, step_minutes=1
        ),
        "latest_offset_minutes: 1000000000 is invalid: Input should be less than or equal to 960",
    ),
    "break windows with 40,401 placements": (
        lambda d: d["sites"][0]["contract"]["shift_templates"][0].update(
            breaks=[
                {
                    "offset_minutes": 0,
                    "minutes": 5,
                    "latest_offset_minutes": 200,
                    "step_minutes": 1,
                },
                {
                    "offset_minutes": 300,
                    "minutes": 5,
                    "latest_offset_minutes": 500,
                    "step_minutes": 1,
                },
            ]
        ),
        "the break windows give 40,401 placements, more than 1,000",
    ),
    "a trillion agents": (
        lambda d: d["sites"][0]["headcount"][0].update(count=10**12),
        f"count: 1000000000000 is invalid: Input should be less than or equal to {MAX_GROUP_AGENTS}",
    ),
    "weekly volume 1e300": (
        lambda d: d["demand"]["regions"][0]["weekly_volume"].update(chat=1e300),
        f"less than or equal to {MAX_WEEKLY_VOLUME}",
    ),
    "negative weekly volume": (
        lambda d: d["demand"]["regions"][0]["weekly_volume"].update(chat=-5),
        "weekly_volume.chat: -5 is invalid: Input should be greater than or equal to 0",
    ),
    "count: true": (
        lambda d: d["sites"][0]["headcount"][0].update(count=True),
        "count: expected a number or text, got a yes/no",
    ),
    "overlapping fixed breaks": (
        lambda d: d["sites"][0]["contract"]["shift_templates"][0].update(
            breaks=[{"offset_minutes": 120, "minutes": 30}, {"offset_minutes": 140, "minutes": 15}]
        ),
        "breaks[1] always overlaps breaks[0]",
    ),
    "opening equal to closing": (
        lambda d: d["queues"][0].update(
            coverage={"kind": "hours", "timezone": "UTC", "open": "09:00", "close": "09:00"}
        ),
        "queues[0].coverage: open and close are both 09:00: no length",
    ),
    "availability window of no length": (
        lambda d: d["sites"][0].update(
            agents=[
                {
                    "id": "ann",
                    "tier": 1,
                    "skills": ["chat/en"],
                    "availability": [{"start": "09:00", "end": "09:00"}],
                }
            ]
        ),
        "availability[0]: start and end are both 09:00: no length",
    ),
    "duplicated site names": (
        lambda d: d["sites"][1].update(name="San Jose"),
        "site names must be unique",
    ),
    "zero agents everywhere": (_zero_everyone, "no agents anywhere"),
    "event ending before it starts": (
        lambda d: d["demand"].update(
            events=[{"name": "x", "start": "2027-02-02", "end": "2027-02-01", "uplift": 0.1}]
        ),
        "end 2027-02-01 is before start 2027-02-02",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_refuses(name: str) -> None:
    edit, expected = CASES[name]
    assert expected in problems(edit)


def test_overlapping_windows_are_fine_when_one_placement_exists() -> None:
    data = reference()
    data["sites"][0]["contract"]["shift_templates"][0]["breaks"] = [
        {"offset_minutes": 120, "minutes": 30, "latest_offset_minutes": 180},
        {"offset_minutes": 120, "minutes": 30, "latest_offset_minutes": 240},
    ]
    template = parse_scenario(data).sites[0].contract.shift_templates[0]
    assert template.breaks[1].last_offset == 240


def test_last_offset_is_the_last_of_the_offsets() -> None:
    data = reference()
    _break(data, offset_minutes=60, minutes=30, latest_offset_minutes=200, step_minutes=45)
    brk = parse_scenario(data).sites[0].contract.shift_templates[0].breaks[0]
    assert brk.offsets == (60, 105, 150, 195) and brk.last_offset == brk.offsets[-1]


def test_a_huge_break_window_is_refused_without_building_it() -> None:
    data = reference()
    _break(data, offset_minutes=0, minutes=30, latest_offset_minutes=10**9, step_minutes=1)
    tracemalloc.start()
    with pytest.raises(InputError):
        parse_scenario(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000  # a range of 1e9 offsets would need gigabytes


def _write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "s.yaml"
    path.write_bytes(raw)
    return path


def test_duplicated_yaml_key_is_an_error(tmp_path: Path) -> None:
    text = REFERENCE.read_text(encoding="utf-8").replace(
        "    timezone: America/Los_Angeles\n",
        "    timezone: America/Los_Angeles\n    timezone: Asia/Taipei\n",
        1,
    )
    with pytest.raises(
        InputError, match=r"line 18.*duplicated key 'timezone' \(first on line 17\)"
    ):
        load_scenario(_write(tmp_path, text.encode()))


def test_utf8_with_bom_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, b"\xef\xbb\xbf" + REFERENCE.read_bytes())
    assert load_scenario(path) == load_scenario(REFERENCE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "name: café\n".encode("latin-1"),
            "line 1: the scenario file is not UTF-8 text (byte 0xe9)",
        ),
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR", "is a binary file"),
        ("name: x\n".encode("utf-16"), "binary file"),
    ],
)
def test_non_utf8_and_binary_files_are_named(tmp_path: Path, raw: bytes, expected: str) -> None:
    with pytest.raises(InputError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_scenario(_write(tmp_path, raw))


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 20)]
    with pytest.raises(InputError, match="more than 100 aliases"):
        load_scenario(_write(tmp_path, "\n".join(lines).encode()))


def test_validate_exits_2_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = reference()
    data["sites"][0]["headcount"][0]["count"] = 10**12
    path = _write(tmp_path, yaml.safe_dump(data).encode())
    assert main(["validate", str(path)]) == 2
    assert "sites[0].headcount[0].count" in capsys.readouterr().err
