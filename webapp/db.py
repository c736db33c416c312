"""The store as a request sees it: one unit of work per `with store() as session:`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from followsun.store import session_scope


def database_url() -> str:
    """The app's database URL (jobs it submits open the same store)."""
    return str(current_app.config["DATABASE_URL"])


@contextmanager
def store() -> Iterator[Session]:
    """A session on the app's store: committed when the block ends, rolled back if it raises."""
    with session_scope(current_app.extensions["followsun_engine"]) as session:
        yield session
