"""The decision commands refuse bad input with exit 2 and a message, before any solving."""

from __future__ import annotations

from pathlib import Path

import pytest

from followsun.cli import build_parser, main
from followsun.commands.arguments import decision_settings
from followsun.services.compare import prepare
from followsun.services.plan import reference_scenario_path
from scenarios.loader import load_scenario


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_compare_refuses_a_variant_extending_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = _write(tmp_path / "v.yaml", "extends: nowhere.yaml\nname: v\n")
    code = main(
        ["compare", str(reference_scenario_path()), str(variant), "--out", str(tmp_path / "out")]
    )
    assert code == 2
    assert "nowhere.yaml" in capsys.readouterr().err
    assert not (tmp_path / "out" / "comparison.csv").exists()


def test_compare_refuses_a_circular_extends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "a.yaml", "extends: b.yaml\nname: a\n")
    b = _write(tmp_path / "b.yaml", "extends: a.yaml\nname: b\n")
    assert main(["compare", str(b), "--out", str(tmp_path / "out")]) == 2
    assert "cycle" in capsys.readouterr().err


def test_compare_refuses_two_variants_of_one_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = str(reference_scenario_path())
    assert main(["compare", ref, ref, "--out", str(tmp_path / "out")]) == 2
    assert "names must differ" in capsys.readouterr().err


def test_size_refuses_an_unknown_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = str(reference_scenario_path())
    assert main(["size", "--scenario", ref, "--sites", "ams", "--out", str(tmp_path / "out")]) == 2
    assert "ams not in the scenario" in capsys.readouterr().err


def test_capacity_refuses_an_unknown_closed_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = str(reference_scenario_path())
    args = ["capacity", "--scenario", ref, "--months", "12", "--closed", "ams"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert "no site ams" in capsys.readouterr().err


def test_a_deterministic_budget_replaces_the_time_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = str(reference_scenario_path())
    base = ["compare", ref, "--out", str(tmp_path / "out"), "--start", "2027-03-08"]
    args = build_parser().parse_args([*base, "--deterministic-time", "3"])
    settings = decision_settings(args)
    assert settings.deterministic and settings.time_limit_s == 3.0
    _, plan, _ = prepare([load_scenario(reference_scenario_path())], settings)
    assert plan.solver.deterministic and plan.solver.time_limit_s == 3.0
    wall = decision_settings(build_parser().parse_args([*base, "--time-limit", "3"]))
    assert not wall.deterministic and wall.time_limit_s == 3.0
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args([*base, "--time-limit", "3", "--deterministic-time", "3"])
    assert stopped.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
