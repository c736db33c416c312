"""Alembic environment: migrate the engine handed over by `followsun.store.engine`.

`init_db()` passes its engine in `config.attributes["engine"]`; the `alembic` command line
can use `-x url=...` (or `FOLLOWSUN_DATABASE_URL`) instead. Batch mode lets SQLite alter
tables by copying them.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine

from followsun.store.engine import create_store_engine
from followsun.store.models import Base
from followsun.store.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Revisions spell the portable UTC type as its storage type, so they never import app code.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _engine() -> Engine:
    given = config.attributes.get("engine")
    if given is not None:
        return given
    url = context.get_x_argument(as_dictionary=True).get("url")
    return create_store_engine(url)


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or str(_engine().url)
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
