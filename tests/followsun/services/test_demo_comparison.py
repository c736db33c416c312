"""The demo's comparison of variants: computed once, stored, reused, and shown in report.html."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followsun.services.compare import demo_settings
from followsun.services.plan import COMPARISON_FOLDER, DemoOptions, run_demo
from scenarios.loader import dump_scenario
from tests.followsun.services.compare_data import START, variant


def _files(tmp_path: Path) -> tuple[Path, ...]:
    """The tiny organisation, and the same with a third of its heads, as scenario files."""
    paths = []
    for scenario in (variant("tiny-base"), variant("tiny-short", heads=2)):
        path = tmp_path / f"{scenario.name}.yaml"
        path.write_text(dump_scenario(scenario), encoding="utf-8")
        paths.append(path)
    return tuple(paths)


@pytest.mark.slow
def test_the_demo_report_holds_the_comparison_and_a_second_run_reuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _files(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"

    def demo(out: str) -> Path:
        options = DemoOptions(
            out=tmp_path / out,
            start=START,
            weeks=1,
            time_limit_s=3,
            workers=1,
            database_url=url,
            scenario_path=paths[0],
            compare=paths,
        )
        run_demo(options)
        return options.out

    first = demo("first")
    csv = pd.read_csv(first / COMPARISON_FOLDER / "comparison.csv")
    assert list(csv["scenario"]) == ["tiny-base", "tiny-short"]
    assert (first / COMPARISON_FOLDER / "comparison.html").stat().st_size > 0
    page = (first / "report.html").read_text(encoding="utf-8")
    assert '<section id="comparison">' in page and "Variants compared" in page
    assert "tiny-short: -" in page  # the verdict: the short-handed variant costs less
    assert "stored as run" in page

    # The same inputs again: the stored comparison is reused, not recomputed.
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the comparison was computed again")

    monkeypatch.setattr("followsun.services.compare.compare_variants", refuse)
    second = demo("second")
    again = pd.read_csv(second / COMPARISON_FOLDER / "comparison.csv")
    pd.testing.assert_frame_equal(again, csv)
    assert not (second / COMPARISON_FOLDER / "comparison.html").exists()
    assert "Reused the comparison stored as run" in (second / "report.html").read_text()


def test_the_demo_budget_is_one_week_and_a_short_solve() -> None:
    settings = demo_settings(START, seed=7, workers=2)
    assert settings.weeks == 1 and settings.replications == 3
    assert settings.time_limit_s is not None and settings.time_limit_s <= 10
    assert settings.solver_workers == 1 and settings.max_workers == 2
