"""Database fixtures for any test package: a migrated store on SQLite, and on PostgreSQL.

Register once in tests/conftest.py with `pytest_plugins = ["db_fixtures"]`. The
`engine` fixture is parametrised: `sqlite` always (a fresh copy of a migrated file per
test), `postgresql` when FOLLOWSUN_TEST_DATABASE_URL is set (one schema `fs_<random>`
per test session, migrated once, its tables emptied before each test, dropped at the
end; so parallel sessions and other users of the database never see each other's rows).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from followsun.store import create_store_engine, init_db
from followsun.store.models import Base

TEST_DATABASE_URL_ENV = "FOLLOWSUN_TEST_DATABASE_URL"


def postgres_test_url() -> str | None:
    """The PostgreSQL server the tests may use, or None."""
    return os.environ.get(TEST_DATABASE_URL_ENV) or None


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    *(
        [pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]
        if postgres_test_url()
        else []
    ),
]


def sqlite_url(directory: Path) -> str:
    """A URL for a new SQLite file in `directory`."""
    return f"sqlite:///{directory / 'followsun.sqlite'}"


def in_schema(url: str, schema: str) -> URL:
    """`url` with every connection's search_path set to `schema` only."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})


class PostgresSchema:
    """A fresh, empty schema on the test server; `drop()` removes it and all it holds."""

    def __init__(self, url: str) -> None:
        self.name = f"fs_{secrets.token_hex(6)}"
        self._admin = create_engine(url)
        with self._admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))
        self.url = in_schema(url, self.name)

    def drop(self) -> None:
        """Drop the schema and everything in it."""
        with self._admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self._admin.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row of the store's tables (children first), keeping the schema."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A migrated store in this session's own PostgreSQL schema (skipped without a server)."""
    url = postgres_test_url()
    if url is None:
        pytest.skip(f"{TEST_DATABASE_URL_ENV} is not set")
    schema = PostgresSchema(url)
    try:
        engine = init_db(schema.url)
        yield engine
        engine.dispose()
    finally:
        schema.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; tests get copies (migrating is the slow part)."""
    directory = tmp_path_factory.mktemp("store-template")
    init_db(sqlite_url(directory)).dispose()
    return directory / "followsun.sqlite"


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """The backend name of the current parametrisation: 'sqlite' or 'postgresql'."""
    return str(request.param)


@pytest.fixture
def engine(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store on each available backend."""
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "followsun.sqlite")
        fresh = create_store_engine(sqlite_url(tmp_path))
        yield fresh
        fresh.dispose()
    else:
        shared: Engine = request.getfixturevalue("postgres_engine")
        empty_tables(shared)
        yield shared
