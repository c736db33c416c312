from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.store import (
    RunStatus,
    find_run,
    finish_run,
    forecast_frame,
    get_run,
    get_scenario,
    latest_scenario,
    record_run,
    requirements_frame,
    save_forecast,
    save_requirements,
    save_scenario,
    session_scope,
)

T0 = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
YAML_V1 = "name: reference\nsites:\n  - id: sjc\n"
YAML_V2 = "name: reference\nsites:\n  - id: sjc\n  - id: tpe\n"


def forecast(start: str = "2027-03-08T00:00:00Z", intervals: int = 8) -> pd.DataFrame:
    grid = pd.date_range(start, periods=intervals, freq="15min")
    queues = [("chat", "en", 1), ("phone", "zh", 2)]
    rows = [(t, ch, lang, tier) for t in grid for ch, lang, tier in queues]
    frame = pd.DataFrame(rows, columns=["interval_start", "channel", "language", "tier"])
    rng = np.random.default_rng(1)
    frame["volume"] = rng.gamma(3.0, 4.0, len(frame)).round(4)
    frame["volume_p10"] = (frame["volume"] * 0.7).round(4)
    frame["volume_p90"] = (frame["volume"] * 1.3).round(4)
    frame["aht_seconds"] = 420.0
    return frame


def test_scenario_versions_are_kept_by_content(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = save_scenario(session, "reference", YAML_V1, now=T0)
        again = save_scenario(session, "reference", YAML_V1, now=T0 + timedelta(hours=1))
        second = save_scenario(session, "reference", YAML_V2, now=T0 + timedelta(hours=2))
    assert again == first
    assert first.content_hash == hashlib.sha256(YAML_V1.encode()).hexdigest()
    assert second.id != first.id
    with session_scope(engine) as session:
        assert latest_scenario(session, "reference") == second
        assert get_scenario(session, first.id).content == YAML_V1
        assert latest_scenario(session, "other") is None


def test_run_lifecycle_and_cache_lookup(engine: Engine, tmp_path) -> None:
    with session_scope(engine) as session:
        scenario = save_scenario(session, "reference", YAML_V1, now=T0)
        run = record_run(session, "demo", "abc123", scenario_id=scenario.id, started_at=T0)
    assert run.status is RunStatus.RUNNING and run.finished_at is None
    with session_scope(engine) as session:
        assert find_run(session, "demo", "abc123") is None  # still running
        summary = {"scenario": "reference", "cost": {"total": 1234.5, "currency": "USD"}}
        done = finish_run(
            session,
            run.id,
            RunStatus.SUCCEEDED,
            summary=summary,
            outputs_location=str(tmp_path),
            finished_at=T0 + timedelta(seconds=42),
        )
    with session_scope(engine) as session:
        assert get_run(session, run.id) == done
        assert find_run(session, "demo", "abc123") == done
        assert find_run(session, "demo", "other-inputs") is None
    assert done.summary == summary
    assert done.finished_at is not None and done.finished_at - done.started_at == timedelta(
        seconds=42
    )


def test_a_run_finishes_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        run = record_run(session, "forecast", "h", started_at=T0)
        finish_run(session, run.id, RunStatus.FAILED, finished_at=T0)
    with pytest.raises(InputError, match="already finished"), session_scope(engine) as session:
        finish_run(session, run.id, RunStatus.SUCCEEDED)
    with pytest.raises(InputError, match="no run"), session_scope(engine) as session:
        finish_run(session, run.id + 100, RunStatus.SUCCEEDED)


def test_forecast_round_trips_with_extra_columns(engine: Engine) -> None:
    frame = forecast()
    frame["model"] = "seasonal_naive"
    with session_scope(engine) as session:
        run = record_run(session, "forecast", "h", started_at=T0)
        assert save_forecast(session, run.id, frame) == 16
    with session_scope(engine) as session:
        back = forecast_frame(session, run.id)
    expected = frame.sort_values(["interval_start", "channel", "language", "tier"])
    pd.testing.assert_frame_equal(
        back, expected.reset_index(drop=True).astype({"tier": "int64"}), check_dtype=False
    )
    assert str(back["interval_start"].dtype) == "datetime64[ns, UTC]"


def test_saving_again_replaces_the_run_rows(engine: Engine) -> None:
    with session_scope(engine) as session:
        run = record_run(session, "forecast", "h", started_at=T0)
        save_forecast(session, run.id, forecast(intervals=8))
        save_forecast(session, run.id, forecast(intervals=3))
    with session_scope(engine) as session:
        assert len(forecast_frame(session, run.id)) == 6


def test_requirements_round_trip_with_predicted_figures(engine: Engine) -> None:
    frame = forecast()[["interval_start", "channel", "language", "tier"]].copy()
    frame["agents_required"] = [3, 5] * 8
    frame["method"] = "erlang_c"
    frame["service_level"] = np.linspace(0.8, 0.95, 16)
    frame["asa_seconds"] = np.linspace(5.0, 20.0, 16)
    with session_scope(engine) as session:
        run = record_run(session, "staff", "h", started_at=T0)
        save_requirements(session, run.id, frame)
    with session_scope(engine) as session:
        back = requirements_frame(session, run.id)
    assert list(back.columns) == list(frame.columns)
    assert back["agents_required"].tolist() == [3.0, 5.0] * 8
    np.testing.assert_array_equal(back["service_level"], frame["service_level"])


def test_queue_frames_are_checked(engine: Engine) -> None:
    with session_scope(engine) as session:
        run = record_run(session, "forecast", "h", started_at=T0)
    doubled = pd.concat([forecast(intervals=2), forecast(intervals=1)])
    with pytest.raises(InputError, match="more than one row"), session_scope(engine) as session:
        save_forecast(session, run.id, doubled)
    with (
        pytest.raises(InputError, match="missing column.*volume_p90"),
        session_scope(engine) as session,
    ):
        save_forecast(session, run.id, forecast().drop(columns=["volume_p90"]))
    with pytest.raises(InputError, match="no run"), session_scope(engine) as session:
        save_forecast(session, run.id + 1, forecast())
