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
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "FOLLOWSUN_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path(".followsun") / "followsun.sqlite"


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
def _alembic_config(engine: Engine) -> Iterator[Config]:
    """An Alembic configuration on the migrations shipped inside this package."""
    with as_file(files("followsun.store") / "migrations") as script_location:
        config = Config()
        config.set_main_option("script_location", str(script_location))
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


def init_db(url: str | URL | None = None) -> Engine:
    """Open the store at `url` (default `database_url()`) and migrate it to the newest schema.

    Safe to call on every start: an up-to-date database is left as it is.
    """
    engine = create_store_engine(url)
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
