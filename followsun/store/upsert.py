"""Dialect-specific INSERT .. ON CONFLICT, the one place that knows the two backends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    only_if: Callable[[Any], ColumnElement[bool]] | None = None,
) -> None:
    """Insert `rows`, or overwrite the stored row with the same `key` (one executemany).

    Args:
        session: the caller's session; nothing is committed here.
        table: target table.
        rows: full rows, each with every column that is written; keys unique within `rows`.
        key: the columns of the unique constraint that decides a conflict.
        only_if: given the proposed row (`excluded`), the condition on the stored row
            (`table.c`) under which it is overwritten; default always.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        update = {c: lite.excluded[c] for c in rows[0] if c not in key}
        where = None if only_if is None else only_if(lite.excluded)
        lite = lite.on_conflict_do_update(index_elements=list(key), set_=update, where=where)
        session.execute(lite, rows)
    elif dialect == "postgresql":
        pg = postgresql.insert(table)
        update = {c: pg.excluded[c] for c in rows[0] if c not in key}
        where = None if only_if is None else only_if(pg.excluded)
        pg = pg.on_conflict_do_update(index_elements=list(key), set_=update, where=where)
        session.execute(pg, rows)
    else:
        raise NotImplementedError(f"upsert is implemented for sqlite and postgresql, not {dialect}")
