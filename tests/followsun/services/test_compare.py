"""The comparison of variants: common random numbers, deltas that add up, the files."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followsun.compare_report import comparison_csv, verdict, write_comparison
from followsun.errors import InputError
from followsun.services.compare import (
    Comparison,
    DecisionSettings,
    VariantTask,
    check_variants,
    compare_variants,
    forecast_key,
    heads_by_hour,
    run_variant,
    segment_of,
    store_comparison,
    stored_comparison,
)
from scenarios.spec import Scenario
from tests.followsun.services.compare_data import PLAN, SIMULATION, START, tiny_demand, variant

BREAKDOWN = (
    "cost_base",
    "cost_night",
    "cost_weekend",
    "cost_holiday",
    "cost_bpo",
    "cost_minimum_topup",
    "cost_bpo_setup",
    "cost_sla_credit",
)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """The tiny organisation twice under two names, and once with a third of its heads."""
    return compare_variants(
        [variant("base"), variant("twin"), variant("short", heads=2)],
        tiny_demand(),
        PLAN,
        SIMULATION,
        executor="thread",
    )


def _row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index("scenario").loc[name]


@pytest.mark.slow
def test_identical_variants_give_identical_figures_and_zero_deltas(
    comparison: Comparison,
) -> None:
    table = comparison.table
    base, twin = _row(table, "base"), _row(table, "twin")
    pd.testing.assert_series_equal(base, twin, check_names=False)
    deltas = [c for c in table.columns if c.endswith("_delta")]
    assert deltas
    assert (twin[deltas].astype(float).fillna(0.0) == 0.0).all()


@pytest.mark.slow
def test_each_delta_is_the_variant_less_the_first(comparison: Comparison) -> None:
    table = comparison.table
    short, base = _row(table, "short"), _row(table, "base")
    for column in ("total_cost", "fte", "sla_overall", "sla_phone-en-t1", "cost_base"):
        assert short[f"{column}_delta"] == pytest.approx(short[column] - base[column])


@pytest.mark.slow
def test_the_breakdown_adds_up_to_the_total(comparison: Comparison) -> None:
    table = comparison.table
    parts = table[list(BREAKDOWN)].sum(axis=1)
    np.testing.assert_allclose(parts, table["total_cost"], atol=0.01)
    for result in comparison.variants:
        assert float(result.cost.total) == pytest.approx(
            float(_row(table, result.name)["total_cost"])
        )


@pytest.mark.slow
def test_fewer_heads_cost_less_and_serve_no_better(comparison: Comparison) -> None:
    short, base = _row(comparison.table, "short"), _row(comparison.table, "base")
    assert short["total_cost"] < base["total_cost"]
    assert short["sla_overall"] <= base["sla_overall"]
    assert bool(base["targets_met"]) and not bool(short["targets_met"])
    # Both are on the frontier: the short-handed one is cheaper, the full one serves better.
    assert set(comparison.frontier) >= {"short"}


@pytest.mark.slow
def test_the_files_name_every_variant_and_say_where_it_misses(
    comparison: Comparison, tmp_path: Path
) -> None:
    csv, html = write_comparison(tmp_path, comparison)
    written = pd.read_csv(csv)
    assert list(written["scenario"]) == ["base", "twin", "short"]
    required = {"total_cost", "cost_per_ticket", "fte", "night_shifts", "sla_weekday"}
    assert required <= set(written.columns)
    page = html.read_text(encoding="utf-8")
    assert "cheapest variant meeting every queue&#x27;s target is base" in page
    assert "short: -" in page and "misses phone-en-t1" in page
    assert "Heads per hour of the week" in page


def test_the_parts_of_the_week_follow_local_time() -> None:
    times = pd.Series(
        pd.to_datetime(
            ["2027-03-08T12:00Z", "2027-03-08T05:00Z", "2027-03-13T12:00Z", "2027-03-09T06:30Z"]
        )
    )
    assert list(segment_of(times, "UTC")) == ["weekday", "night", "weekend", "weekday"]
    # 06:30 UTC on Tuesday is 22:30 on Monday in San Jose (PST): night there.
    assert segment_of(times, "America/Los_Angeles")[3] == "night"


def test_variants_that_cannot_be_told_apart_or_priced_together_are_refused() -> None:
    with pytest.raises(InputError, match="names must differ.*base"):
        check_variants([variant("base"), variant("base")])
    euro = variant("euro").model_copy(update={"currency": "EUR"})
    with pytest.raises(InputError, match="EUR, USD.*exchange rates"):
        check_variants([variant("base"), euro])
    with pytest.raises(InputError, match="at least one"):
        check_variants([])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["local", "dask"])
def test_processes_and_dask_give_the_threads_figures(kind: str, comparison: Comparison) -> None:
    spec = kind
    if kind == "dask":
        distributed = pytest.importorskip("distributed")
        cluster = distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=":0",
        )
        spec = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
    try:
        other = compare_variants(
            [variant("base"), variant("short", heads=2)],
            tiny_demand(),
            PLAN,
            SIMULATION,
            executor=spec,
            max_workers=1,
        )
    finally:
        if kind == "dask":
            cluster.close()
    for name in ("base", "short"):
        mine = _row(other.table, name).drop(
            [c for c in other.table.columns if c.endswith("_delta")]
        )
        theirs = _row(comparison.table, name)[mine.index]
        pd.testing.assert_series_equal(mine, theirs, check_names=False)


def test_heads_by_hour_sums_queues_and_averages_weeks_in_local_time() -> None:
    # Two Mondays 09:00 UTC (10:00 in Amsterdam, CET), two queues. Required 2 + 1 and
    # 4 + 1: mean 4. In-house 1 + 1 and 3 + 0: mean 2.5; BPO 1 on the first Monday only
    # (0 on the second): mean 0.5.
    mondays = pd.to_datetime(["2027-02-01T09:00Z", "2027-02-08T09:00Z"])
    requirements = pd.DataFrame(
        {
            "interval_start": [mondays[0], mondays[0], mondays[1], mondays[1]],
            "scheduled_required": [2.0, 1.0, 4.0, 1.0],
        }
    )
    staffed = pd.DataFrame(
        {
            "interval_start": [mondays[0], mondays[0], mondays[1], mondays[1], mondays[0]],
            "agents": [1.0, 1.0, 3.0, 0.0, 1.0],
            "source": ["roster", "roster", "roster", "roster", "nightowl"],
        }
    )
    profile = heads_by_hour(requirements, staffed, "Europe/Amsterdam").set_index("hour")
    assert len(profile) == 168
    assert profile.loc[10].to_dict() == pytest.approx(
        {"required": 4.0, "in_house": 2.5, "bpo": 0.5}
    )
    assert profile.drop(index=10).to_numpy().sum() == 0.0


@pytest.mark.slow
def test_a_comparison_is_stored_and_found_again_by_its_inputs(
    comparison: Comparison, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    settings = DecisionSettings(start=START, replications=3)
    scenarios = [v.scenario for v in comparison.variants]
    run_id = store_comparison(comparison, scenarios, settings, tmp_path / "out", url)
    found = stored_comparison(scenarios, settings, url)
    assert found is not None and found.run_id == run_id
    assert found.csv == comparison_csv(comparison)
    assert list(found.verdict) == verdict(comparison)
    assert list(found.table()["scenario"]) == ["base", "twin", "short"]
    # Other settings or other variants are another comparison.
    assert stored_comparison(scenarios, DecisionSettings(start=START, seed=8), url) is None
    assert stored_comparison(scenarios[:2], settings, url) is None


@pytest.mark.slow
def test_a_deterministic_budget_gives_the_same_comparison_whatever_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = replace(PLAN, solver=replace(PLAN.solver, time_limit_s=2.0, deterministic=True))
    variants = [variant("base"), variant("short", heads=3)]

    def run() -> pd.DataFrame:
        return compare_variants(variants, tiny_demand(), plan, SIMULATION, executor="thread").table

    calm = run()
    # The second run sees every read of the wall clock an hour later than the last.
    hours = itertools.count()
    with monkeypatch.context() as patch:
        patch.setattr(time, "perf_counter", lambda: 3600.0 * next(hours))
        rushed = run()
    assert next(hours) > 1
    pd.testing.assert_frame_equal(calm, rushed)


def _deflected(name: str, share: float) -> Scenario:
    base = variant(name)
    demand = base.demand.model_copy(update={"deflection": {"phone": share}})
    return base.model_copy(update={"demand": demand})


def test_variants_share_a_forecast_key_only_when_their_demand_and_horizon_agree() -> None:
    base = forecast_key(variant("base"), PLAN)
    assert forecast_key(variant("short", heads=2), PLAN) == base
    assert forecast_key(_deflected("deflected", 0.3), PLAN) != base
    assert forecast_key(variant("base"), replace(PLAN, weeks=2)) != base


@pytest.mark.slow
def test_shared_forecasts_give_each_variant_its_own_pipelines_figures() -> None:
    # The contact-centre model applies deflection: two demands, two forecasts fitted.
    plan = replace(
        PLAN,
        model="contact_centre",
        solver=replace(PLAN.solver, time_limit_s=2.0, deterministic=True),
        simulation=SIMULATION,
    )
    variants = [variant("base"), variant("short", heads=3), _deflected("deflected", 0.4)]
    shared = compare_variants(variants, tiny_demand(), plan, SIMULATION, executor="thread")
    for result in shared.variants:
        alone = run_variant(VariantTask(result.scenario, tiny_demand(), plan))
        assert alone.cost.total == result.cost.total
        pd.testing.assert_frame_equal(alone.simulated.sla_by_queue, result.simulated.sla_by_queue)
    costs = shared.table.set_index("scenario")["total_cost"]
    assert costs["deflected"] != costs["base"]
