from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from followsun.store import (
    DATABASE_URL_ENV,
    create_store_engine,
    database_url,
    downgrade,
    init_db,
    session_scope,
    ticket_count,
    upgrade,
)
from followsun.store.models import Base

STORE_TABLES = {table.name for table in Base.metadata.sorted_tables}


def schema_diff(engine: Engine) -> list[object]:
    # Alembic's autogenerate comparison: what a new revision would have to change.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migration_head_matches_the_models(empty_db_url: str) -> None:
    engine = init_db(empty_db_url)
    try:
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_empty_database_differs_from_the_models(empty_db_url: str) -> None:
    # Guards the test above: the comparison does see a missing schema.
    engine = create_store_engine(empty_db_url)
    try:
        assert len(schema_diff(engine)) >= len(STORE_TABLES)
    finally:
        engine.dispose()


def test_init_db_twice_keeps_rows_and_schema(empty_db_url: str, make_tickets) -> None:
    engine = init_db(empty_db_url)
    with session_scope(engine) as session:
        from followsun.store import upsert_tickets

        upsert_tickets(session, make_tickets(5))
    engine.dispose()
    engine = init_db(empty_db_url)
    try:
        with session_scope(engine) as session:
            assert ticket_count(session) == 5
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    engine = init_db(empty_db_url)
    try:
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) & STORE_TABLES == set()
        upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= STORE_TABLES
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_database_url_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://planner@db.example/followsun")
    assert database_url() == "postgresql+psycopg://planner@db.example/followsun"


def test_default_store_is_a_sqlite_file_under_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / '.followsun' / 'followsun.sqlite'}"
    engine = init_db()
    try:
        assert (tmp_path / ".followsun" / "followsun.sqlite").is_file()
        assert set(inspect(engine).get_table_names()) >= STORE_TABLES
    finally:
        engine.dispose()
