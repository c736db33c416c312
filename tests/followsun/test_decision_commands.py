"""The decision commands refuse bad input with exit 2 and a message, before any solving."""

from __future__ import annotations

from pathlib import Path

import pytest

from followsun.cli import main
from followsun.services.plan import reference_scenario_path


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
