from __future__ import annotations

import json

import pandas as pd

from followsun.cli import main
from planner.nrp import check_solution, parse_instance
from tests.planner.nrp.conftest import TINY, TINY_OBJECTIVE


def test_nrp_writes_csv_and_json(tmp_path, capsys):
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TINY)
    out = tmp_path / "sol.csv"
    code = main(["nrp", str(instance), "--time-limit", "5", "--out", str(out), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["instance"] == "Tiny"
    assert report["objective"] == TINY_OBJECTIVE
    assert report["bound"] == TINY_OBJECTIVE
    assert report["status"] == "optimal"
    assert report["gap"] == 0.0
    assert report["hard_violations"] == 0
    assert report["wall_seconds"] >= 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["employee", "day", "shift"]
    # The CSV alone, rechecked by the independent checker, gives the same objective.
    check = check_solution(parse_instance(TINY, "Tiny"), frame)
    assert check.violations == ()
    assert check.objective == TINY_OBJECTIVE


def test_nrp_bad_instance_exits_2_with_the_line(tmp_path, capsys):
    instance = tmp_path / "Bad.txt"
    instance.write_text(TINY.replace("A,3,E,5", "A,3,Q,5"))
    line = TINY.splitlines().index("A,3,E,5") + 1
    code = main(["nrp", str(instance), "--out", str(tmp_path / "s.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"line {line}: unknown shift 'Q'" in err
    assert "Bad.txt" in err


def test_nrp_missing_file_exits_2(tmp_path, capsys):
    code = main(["nrp", str(tmp_path / "none.txt"), "--out", str(tmp_path / "s.csv")])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_nrp_on_deterministic_time_writes_the_same_solution_twice(tmp_path, capsys):
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TINY)
    frames = []
    for k in range(2):
        out = tmp_path / f"sol{k}.csv"
        args = ["nrp", str(instance), "--deterministic-time", "5", "--out", str(out), "--json"]
        assert main(args) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["objective"] == TINY_OBJECTIVE and report["status"] == "optimal"
        frames.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_nrp_bad_deterministic_time_exits_2_naming_the_option(tmp_path, capsys):
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TINY)
    out = tmp_path / "s.csv"
    code = main(["nrp", str(instance), "--deterministic-time", "0", "--out", str(out)])
    assert code == 2
    assert "--deterministic-time 0" in capsys.readouterr().err
    assert not out.exists()
