"""Atomic outputs: a failed or interrupted write leaves the previous output as it was."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followsun.atomic import (
    MARKER,
    check_output_file,
    check_output_folder,
    replacing_file,
    replacing_folder,
)
from followsun.files import write_csv
from forecasting.errors import InputError


def leftovers(folder: Path) -> list[str]:
    """Temporary names the atomic writers use (.NAME.<pid>-<hex>.partial / .old)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".old")))


def test_a_file_is_replaced_only_when_the_write_finished(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with replacing_file(target) as temporary:
        temporary.write_text("new\n")
        assert target.read_text() == "old\n"
    assert target.read_text() == "new\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_file_write_keeps_the_old_file(tmp_path: Path, error: type) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(error), replacing_file(target) as temporary:
        temporary.write_text("half")
        raise error()
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_write_csv_interrupted_mid_way_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.csv"
    write_csv(pd.DataFrame({"a": [1, 2]}), target)
    before = target.read_bytes()

    def half_then_fail(self: pd.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_text("a\n9\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_csv(pd.DataFrame({"a": [9, 9, 9]}), target)
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_folder_is_swapped_whole(tmp_path: Path) -> None:
    target = tmp_path / "run"
    with replacing_folder(target) as staged:
        (staged.path / "a.csv").write_text("first")
        (staged.path / "b.csv").write_text("first")
    with replacing_folder(target) as staged:
        (staged.path / "a.csv").write_text("second")
        assert (target / "b.csv").read_text() == "first"
    assert sorted(p.name for p in target.iterdir()) == sorted([MARKER, "a.csv"])
    assert (target / "a.csv").read_text() == "second"
    assert leftovers(tmp_path) == []


def test_an_interrupted_folder_keeps_every_old_file(tmp_path: Path) -> None:
    target = tmp_path / "run"
    with replacing_folder(target) as staged:
        (staged.path / "a.csv").write_text("first")
        (staged.path / "b.csv").write_text("first")
    with pytest.raises(KeyboardInterrupt), replacing_folder(target) as staged:
        (staged.path / "a.csv").write_text("second")
        raise KeyboardInterrupt
    assert (target / "a.csv").read_text() == "first"
    assert (target / "b.csv").read_text() == "first"
    assert leftovers(tmp_path) == []


def test_a_commit_inside_the_block_is_not_repeated(tmp_path: Path) -> None:
    target = tmp_path / "run"
    with replacing_folder(target) as staged:
        (staged.path / "a.csv").write_text("x")
        staged.commit()
        assert (target / "a.csv").read_text() == "x"
    assert (target / "a.csv").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_an_output_file_that_exists_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    check_output_file(target)
    target.write_text("x")
    with pytest.raises(InputError, match="--force"):
        check_output_file(target)
    check_output_file(target, force=True)


def test_an_output_naming_an_input_is_refused_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "h.csv"
    source.write_text("x")
    with pytest.raises(InputError, match="also an input"):
        check_output_file(tmp_path / "." / "h.csv", force=True, inputs=[None, source])


def test_an_output_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        check_output_file(tmp_path, force=True)


def test_an_output_folder_must_be_new_empty_or_followsuns(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "new")
    check_output_folder(tmp_path)  # empty
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="did not write"):
        check_output_folder(tmp_path)
    (tmp_path / MARKER).touch()
    check_output_folder(tmp_path)


def test_an_output_folder_holding_an_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / MARKER).touch()
    requirements = tmp_path / "requirements.csv"
    requirements.write_text("x")
    with pytest.raises(InputError, match="inside the output folder"):
        check_output_folder(tmp_path, [requirements])


def test_an_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "roster"
    target.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        check_output_folder(target)
