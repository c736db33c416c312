"""Scenario + forecast -> requirements, and the `erlang` and `staff` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followsun.cli import main
from followsun.files import write_requirements
from forecasting.errors import InputError
from planner.staffing import erlang_c
from scenarios.coverage import coverage_mask
from scenarios.loader import load_scenario
from scenarios.rostering import requirements_matrix
from scenarios.staffing import pooled_requirements, requirements, skill_groups, staffing_inputs

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario(REFERENCE)


def forecast_for(scenario, days: int = 2, seed: int = 0) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    step = scenario.planning.interval_minutes
    grid = pd.date_range("2027-03-08", periods=days * 24 * 60 // step, freq=f"{step}min", tz="UTC")
    rng = np.random.default_rng(seed)
    parts = []
    for q in scenario.queues:
        if q.tier != 1:
            continue
        volume = rng.uniform(0.0, 20.0, len(grid))
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": q.channel,
                    "language": q.language,
                    "tier": 1,
                    "volume": volume,
                    "volume_p10": 0.8 * volume,
                    "volume_p90": 1.2 * volume,
                    "aht_seconds": q.aht_seconds,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_tier2_volume_is_the_escalated_tier1_volume(scenario) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario)
    demand = staffing_inputs(scenario, forecast).demand
    by_queue = {
        k: g["volume"].to_numpy()
        for k, g in demand.groupby(
            demand["channel"] + "-" + demand["language"] + "-t" + demand["tier"].astype(str)
        )
    }
    for t2 in (q for q in scenario.queues if q.tier == 2):
        expect = sum(
            (
                q.escalation_rate * by_queue[q.id]
                for q in scenario.queues
                if q.escalates_to == t2.id
            ),
            start=np.zeros(len(by_queue[t2.id])),
        )
        assert np.allclose(by_queue[t2.id], expect)
        assert expect.sum() > 0


def test_open_flags_follow_the_coverage_policies(scenario) -> None:  # type: ignore[no-untyped-def]
    demand = staffing_inputs(scenario, forecast_for(scenario)).demand
    for q in scenario.queues:
        rows = demand[
            (demand["channel"] == q.channel)
            & (demand["language"] == q.language)
            & (demand["tier"] == q.tier)
        ]
        grid = pd.DatetimeIndex(rows["interval_start"])
        assert (rows["open"].to_numpy() == coverage_mask(q.coverage, grid)).all()


def test_forecast_tier2_rows_are_used_as_given(scenario) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario)
    t2 = forecast[forecast["channel"] == "web"].assign(tier=2, volume=3.0)
    t2 = t2[t2["language"] == "en"]
    demand = staffing_inputs(scenario, pd.concat([forecast, t2], ignore_index=True)).demand
    rows = demand[
        (demand["channel"] == "web") & (demand["language"] == "en") & (demand["tier"] == 2)
    ]
    assert (rows["volume"] == 3.0).all()


def test_unknown_queue_is_an_input_error(scenario) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario).assign(language="fr")
    with pytest.raises(InputError, match="not in scenario"):
        requirements(scenario, forecast)


def test_forecast_on_another_grain_is_refused(scenario) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario)
    coarse = forecast[forecast["interval_start"].dt.minute.isin([0, 30])]
    with pytest.raises(InputError, match="30 minutes apart"):
        requirements(scenario, coarse)
    shifted = forecast.assign(interval_start=forecast["interval_start"] + pd.Timedelta(minutes=5))
    with pytest.raises(InputError, match="not on the scenario's 15-minute grid"):
        requirements(scenario, shifted)


def test_requirements_and_skill_groups(scenario) -> None:  # type: ignore[no-untyped-def]
    reqs = requirements(scenario, forecast_for(scenario))
    assert set(reqs["queue"]) == {q.id for q in scenario.queues}
    phone = reqs[(reqs["queue"] == "phone-en-t1") & reqs["open"]]
    assert (phone["method"] == "erlang_a").all()
    assert (phone["status"] == "ok").all()
    assert (phone["scheduled_required"] >= phone["agents_required"]).all()
    groups = skill_groups(scenario)
    assert groups["t2:web/en+web/ja+web/zh"] == ("web-en-t2", "web-zh-t2", "web-ja-t2")
    pooled = pooled_requirements(scenario, reqs)
    assert set(pooled["group"]) == set(groups)
    assert (pooled["agents_required"] <= pooled["agents_required_separate"]).all()


# ---------------------------------------------------------------- CLI


def test_staff_command_writes_a_requirements_file(tmp_path: Path, scenario, capsys) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario, days=1)
    src = tmp_path / "forecast.csv"
    forecast.assign(
        interval_start=forecast["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    ).to_csv(src, index=False)
    out = tmp_path / "requirements.csv"
    code = main(["staff", "--scenario", str(REFERENCE), "--forecast", str(src), "--out", str(out)])
    assert code == 0
    written = pd.read_csv(out)
    for column in (
        "interval_start",
        "channel",
        "language",
        "tier",
        "agents_required",
        "scheduled_required",
        "method",
        "service_level",
    ):
        assert column in written.columns
    assert written["interval_start"].str.endswith("Z").all()
    direct = requirements(scenario, forecast)
    # Deferred queues need fractional agents; the file keeps six significant digits.
    assert written["agents_required"].tolist() == pytest.approx(
        direct["agents_required"].tolist(), rel=1e-5
    )
    assert "peak heads per queue" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda f: f.assign(interval_start=f["interval_start"].str.rstrip("Z")),
            "line 2: interval_start",
        ),
        (lambda f: f.assign(volume=f["volume"].where(f.index != 4, -1.0)), "line 6: volume"),
        (
            lambda f: f.assign(aht_seconds=f["aht_seconds"].where(f.index != 0, 0.0)),
            "line 2: aht_seconds",
        ),
        (lambda f: f.drop(columns=["volume_p90"]), "missing column(s) volume_p90"),
    ],
)
def test_staff_command_names_bad_forecast_lines(
    tmp_path: Path, scenario, capsys, edit, message
) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario, days=1)
    text = forecast.assign(
        interval_start=forecast["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    src = tmp_path / "forecast.csv"
    edit(text).to_csv(src, index=False)
    code = main(
        [
            "staff",
            "--scenario",
            str(REFERENCE),
            "--forecast",
            str(src),
            "--out",
            str(tmp_path / "r.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(src) in err and message in err


def run_json(capsys, *argv: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    code = main(["erlang", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_erlang_command_figures_for_n_agents(capsys) -> None:  # type: ignore[no-untyped-def]
    # The worked example: 360 calls per half hour, 240 s, 55 agents, 15 s.
    code, out = run_json(
        capsys,
        "--volume",
        "360",
        "--aht",
        "240",
        "--interval-minutes",
        "30",
        "--agents",
        "55",
        "--target-seconds",
        "15",
    )
    assert code == 0
    assert out["p_wait"] == pytest.approx(0.2387, abs=1e-4)
    assert out["asa_seconds"] == pytest.approx(8.18, abs=0.01)
    assert set(out) >= {"service_level", "p_wait", "asa_seconds", "occupancy"}
    assert "abandon_rate" not in out


def test_erlang_command_agents_for_a_target(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run_json(
        capsys,
        "--volume",
        "360",
        "--aht",
        "240",
        "--interval-minutes",
        "30",
        "--sl",
        "0.8",
        "--target-seconds",
        "20",
    )
    assert code == 0
    assert out["agents"] == int(
        erlang_c.required_agents(48.0, 240.0, sl_target=0.8, target_s=20.0).agents
    )
    assert out["service_level"] >= 0.8
    code, out = run_json(
        capsys,
        "--volume",
        "360",
        "--aht",
        "240",
        "--interval-minutes",
        "30",
        "--sl",
        "0.8",
        "--patience-seconds",
        "120",
    )
    assert code == 0 and 0 < out["abandon_rate"] < 1


def test_erlang_command_unstable_and_unreachable(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out = run_json(
        capsys, "--volume", "360", "--aht", "240", "--interval-minutes", "30", "--agents", "40"
    )
    assert code == 0 and out["asa_seconds"] is None and out["service_level"] == 0.0
    code, out = run_json(
        capsys,
        "--volume",
        "360",
        "--aht",
        "240",
        "--interval-minutes",
        "30",
        "--sl",
        "1.0",
        "--target-seconds",
        "0",
    )
    assert code == 1 and out["status"] == "unreachable"


def test_erlang_command_bad_input_exits_2(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(
        ["erlang", "--volume", "nan", "--aht", "0", "--interval-minutes", "30", "--agents", "3"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "--volume" in err and "--aht" in err


def test_requirements_file_is_a_roster_input(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    # The chain contract: what `staff` writes, the roster stage reads, covering scheduled_required.
    forecast = forecast_for(scenario, days=1)
    reqs = requirements(scenario, forecast)
    path = tmp_path / "requirements.csv"
    write_requirements(reqs, path)
    grid = pd.DatetimeIndex(sorted(reqs["interval_start"].unique()))
    queues, needed, notes = requirements_matrix(scenario, pd.read_csv(path), grid)
    assert notes == ()
    order = [q.queue_id for q in queues]
    expect = reqs.pivot(index="queue", columns="interval_start", values="scheduled_required").loc[
        order
    ]
    # The roster covers quarter heads per queue and interval, rounding the fraction up.
    assert (needed == np.ceil(expect.to_numpy() * 4 - 1e-6)).all()


def test_a_queue_s_staffing_uplift_multiplies_only_its_requirements(scenario) -> None:  # type: ignore[no-untyped-def]
    forecast = forecast_for(scenario)
    plain = requirements(scenario, forecast)
    queues = tuple(
        q.model_copy(update={"staffing_uplift": 1.5}) if q.id == "phone-en-t1" else q
        for q in scenario.queues
    )
    raised = requirements(scenario.model_copy(update={"queues": queues}), forecast)
    phone = (plain["channel"] == "phone").to_numpy()
    for column in ("agents_required", "scheduled_required"):
        assert np.allclose(raised[column][phone], 1.5 * plain[column][phone])
        assert np.array_equal(raised[column][~phone], plain[column][~phone])
    with pytest.raises(ValueError, match="staffing_uplift"):
        type(scenario.queues[0]).model_validate(
            {**scenario.queues[0].model_dump(), "staffing_uplift": 0.5}
        )
