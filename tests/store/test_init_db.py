"""init_db migrates a database only when it is behind, and once when processes race."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import followsun.store.engine as store_engine
from followsun.store import create_store_engine, init_db, is_up_to_date, upgrade
from followsun.store.models import Base

ROOT = Path(__file__).resolve().parents[2]
# Each racer imports the store, then sleeps until the same wall-clock instant and calls
# init_db, so both start migrating the fresh database within a few milliseconds.
RACER = """
import sys, time
from followsun.store import init_db
start_at = float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
init_db(sys.argv[1]).dispose()
"""
RACE_HEADSTART_S = 5.0


class UpgradeSpy:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, engine: Engine, revision: str = "head") -> None:
        self.calls.append(revision)
        upgrade(engine, revision)


@pytest.fixture
def upgrade_spy(monkeypatch: pytest.MonkeyPatch) -> UpgradeSpy:
    spy = UpgradeSpy()
    monkeypatch.setattr(store_engine, "upgrade", spy)
    return spy


def schema_matches_models(engine: Engine) -> bool:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata)) == []


def test_an_up_to_date_database_is_not_migrated_again(
    empty_db_url: str, upgrade_spy: UpgradeSpy
) -> None:
    init_db(empty_db_url).dispose()
    assert upgrade_spy.calls == ["head"]  # the fresh database was migrated, once
    engine = init_db(empty_db_url)
    try:
        assert upgrade_spy.calls == ["head"]
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_a_database_behind_is_brought_to_the_newest_revision(
    empty_db_url: str, upgrade_spy: UpgradeSpy
) -> None:
    old = create_store_engine(empty_db_url)
    upgrade(old, "0001")
    assert not is_up_to_date(old)
    assert "jobs" not in inspect(old).get_table_names()
    old.dispose()
    engine = init_db(empty_db_url)
    try:
        assert upgrade_spy.calls == ["head"]
        assert "jobs" in inspect(engine).get_table_names()
        assert schema_matches_models(engine)
    finally:
        engine.dispose()


def test_two_processes_starting_on_a_fresh_database_both_succeed(empty_db_url: str) -> None:
    start_at = time.time() + RACE_HEADSTART_S
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, empty_db_url, str(start_at)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    errors = [racer.communicate(timeout=120)[1] for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], errors
    engine = create_store_engine(empty_db_url)
    try:
        assert is_up_to_date(engine)
        assert schema_matches_models(engine)
    finally:
        engine.dispose()
