"""Stored comparisons: a compare run's comparison.csv, variants and verdict, listed newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.store import (
    RunStatus,
    finish_run,
    get_comparison,
    recent_comparisons,
    record_run,
    save_comparison,
    session_scope,
)

T0 = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
CSV = "scenario,total_cost,sla_overall\nbase,100.5,0.81\nbpo,90.25,0.79\n"


def test_a_comparison_is_stored_with_its_run_and_read_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = record_run(session, "compare", "h1", started_at=T0)
        save_comparison(session, first.id, ["base", "bpo"], ["bpo is cheaper."], CSV)
        finish_run(session, first.id, RunStatus.SUCCEEDED, outputs_location="/out/a")
        second = record_run(session, "compare", "h2", started_at=T0 + timedelta(hours=1))
        save_comparison(session, second.id, ["base"], [], "scenario\nbase\n")
        save_comparison(session, second.id, ["base", "ams"], ["ams costs more."], CSV)
    with session_scope(engine) as session:
        stored = get_comparison(session, first.id)
        listed = recent_comparisons(session)
    assert stored.variants == ("base", "bpo")
    assert stored.verdict == ("bpo is cheaper.",)
    assert stored.status is RunStatus.SUCCEEDED
    assert stored.outputs_location == "/out/a"
    pd.testing.assert_frame_equal(
        stored.table(),
        pd.DataFrame(
            {"scenario": ["base", "bpo"], "total_cost": [100.5, 90.25], "sla_overall": [0.81, 0.79]}
        ),
    )
    # Newest first; saving again replaced the second run's comparison.
    assert [c.run_id for c in listed] == [second.id, first.id]
    assert listed[0].variants == ("base", "ams")


def test_only_a_compare_run_holds_a_comparison(engine: Engine) -> None:
    with session_scope(engine) as session:
        demo = record_run(session, "demo", "h", started_at=T0)
        with pytest.raises(InputError, match="not 'compare'"):
            save_comparison(session, demo.id, ["base"], [], CSV)
        with pytest.raises(InputError, match="no run with id 9999"):
            save_comparison(session, 9999, ["base"], [], CSV)
        run = record_run(session, "compare", "h", started_at=T0)
        with pytest.raises(InputError, match="at least one variant"):
            save_comparison(session, run.id, [], [], CSV)
        with pytest.raises(InputError, match="no comparison stored"):
            get_comparison(session, run.id)
