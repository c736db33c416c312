"""Where the database is, how to open it, and the session boundary.

The database URL comes from `FOLLOWSUN_DATABASE_URL`; without it the store is an
embedded SQLite file `.followsun/followsun.sqlite` under the current directory. The
schema is brought up to date by Alembic (`init_db`), never by `create_all`, so a
database made by one release is migrated, not recreated, by the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "FOLLOWSUN_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path(".followsun") / "followsun.sqlite"
# PostgreSQL advisory lock key held while migrating (any constant unique to this program).
MIGRATION_LOCK_KEY = 0x466F6C6C6F7773


def database_url(cwd: Path | None = None) -> str:
    """The configured database URL: `$FOLLOWSUN_DATABASE_URL`, else the embedded SQLite file.

    Args:
        cwd: directory the default SQLite file lives under (default: the current one).
    """
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    path = (cwd or Path.cwd()) / DEFAULT_SQLITE_PATH
    return f"sqlite:///{path}"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_store_engine(url: str | URL | None = None) -> Engine:
    """An engine for `url` (default `database_url()`), creating a SQLite file's directory.

    SQLite connections get foreign keys switched on, so cascades behave as on PostgreSQL.
    """
    parsed = make_url(url if url is not None else database_url())
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


@contextmanager
def _alembic_config(engine: Engine | None = None) -> Iterator[Config]:
    """An Alembic configuration on the migrations shipped inside this package."""
    with as_file(files("followsun.store") / "migrations") as script_location:
        config = Config()
        config.set_main_option("script_location", str(script_location))
        if engine is not None:
            config.attributes["engine"] = engine
        yield config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind `engine` to `revision` (default the newest)."""
    with _alembic_config(engine) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database behind `engine` back to `revision` (`base` drops everything)."""
    with _alembic_config(engine) as config:
        command.downgrade(config, revision)


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database behind `engine` is at the newest revision.

    Cheap: one read of the database's version row against the shipped heads.
    """
    with engine.connect() as connection:
        current = frozenset(MigrationContext.configure(connection).get_current_heads())
    return current == _shipped_heads()


@cache
def _shipped_heads() -> frozenset[str]:
    """The newest revisions shipped in this package (read once per process: they are code)."""
    with _alembic_config() as config:
        return frozenset(ScriptDirectory.from_config(config).get_heads())


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold a lock no other process can hold while it migrates the same database.

    SQLite: an exclusive lock on a file beside the database (released by the system if the
    process dies); PostgreSQL: a session advisory lock. Without it, two processes starting
    on a fresh database both create the first table and one fails.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{url.database}.migrate-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    elif url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
    else:
        yield


def init_db(url: str | URL | None = None) -> Engine:
    """Open the store at `url` (default `database_url()`), migrating it when it is behind.

    Safe to call on every start, from several processes at once: an up-to-date database
    costs one read of its version; one that is behind is migrated by the first process to take the
    migration lock, and the others find it up to date when they get the lock.
    """
    engine = create_store_engine(url)
    if not is_up_to_date(engine):
        with _migration_lock(engine):
            if not is_up_to_date(engine):
                upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back everything if it raises.

    The caller (a CLI command, a web request, one import page) owns this scope; the
    repository functions only use the session they are given.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def store_session(url: str | URL | None = None) -> Iterator[Session]:
    """Open the store at `url` (`init_db`), run one `session_scope` in it, then close it."""
    engine = init_db(url)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()
