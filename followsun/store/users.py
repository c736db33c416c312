"""Web app accounts and agents' calendar tokens: stored hashes only, never secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models


class Role(StrEnum):
    """What an account may do: each role may do everything the roles before it may."""

    VIEWER = "viewer"
    SCHEDULER = "scheduler"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """0 for viewer, 1 for scheduler, 2 for admin."""
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class UserRecord:
    """One account as the app sees it (the hash stays in the store).

    Attributes:
        id: its key.
        username: the unique login name.
        role: viewer, scheduler or admin.
        created_at: when it was made (UTC).
    """

    id: int
    username: str
    role: Role
    created_at: datetime


def _user(row: models.User) -> UserRecord:
    return UserRecord(row.id, row.username, Role(row.role), row.created_at)


def create_user(session: Session, username: str, password_hash: str, role: Role) -> UserRecord:
    """Add an account, or replace the password and role of the one with that name.

    Raises:
        InputError: the username is empty.
    """
    if not username.strip():
        raise InputError("user: the username must not be empty")
    row = session.scalars(select(models.User).where(models.User.username == username)).first()
    if row is None:
        row = models.User(username=username, created_at=datetime.now(UTC))
        session.add(row)
    row.password_hash = password_hash
    row.role = role.value
    session.flush()
    return _user(row)


def password_hash_of(session: Session, username: str) -> tuple[UserRecord, str] | None:
    """The account named `username` and its stored password hash, or None."""
    row = session.scalars(select(models.User).where(models.User.username == username)).first()
    return None if row is None else (_user(row), row.password_hash)


def get_user(session: Session, user_id: int) -> UserRecord | None:
    """The account with key `user_id`, or None."""
    row = session.get(models.User, user_id)
    return None if row is None else _user(row)


def list_users(session: Session) -> list[UserRecord]:
    """Every account, by name."""
    return [_user(r) for r in session.scalars(select(models.User).order_by(models.User.username))]


def delete_user(session: Session, user_id: int) -> bool:
    """Remove an account; False when there was none."""
    row = session.get(models.User, user_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


@dataclass(frozen=True)
class CalendarFeed:
    """One agent's calendar feed token (its hash is stored, the token itself is not).

    Attributes:
        id: its key.
        scenario_name: the scenario whose published roster the feed shows.
        agent_id: the agent.
        revoked: whether the token no longer opens the feed.
        created_at: when it was issued (UTC).
    """

    id: int
    scenario_name: str
    agent_id: str
    revoked: bool
    created_at: datetime


def _feed(row: models.CalendarToken) -> CalendarFeed:
    return CalendarFeed(row.id, row.scenario_name, row.agent_id, row.revoked, row.created_at)


def add_calendar_token(
    session: Session, scenario_name: str, agent_id: str, token_hash: str
) -> CalendarFeed:
    """Store a new feed token's hash for an agent."""
    row = models.CalendarToken(
        scenario_name=scenario_name,
        agent_id=agent_id,
        token_hash=token_hash,
        revoked=False,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return _feed(row)


def calendar_feed_by_hash(session: Session, token_hash: str) -> CalendarFeed | None:
    """The live (not revoked) feed whose token has this hash, or None."""
    query = select(models.CalendarToken).where(
        models.CalendarToken.token_hash == token_hash, models.CalendarToken.revoked.is_(False)
    )
    row = session.scalars(query).first()
    return None if row is None else _feed(row)


def calendar_feeds(session: Session) -> list[CalendarFeed]:
    """Every feed token issued, newest first."""
    query = select(models.CalendarToken).order_by(models.CalendarToken.id.desc())
    return [_feed(row) for row in session.scalars(query)]


def revoke_calendar_token(session: Session, feed_id: int) -> bool:
    """Revoke a feed token; False when there was none."""
    result = session.execute(
        update(models.CalendarToken)
        .where(models.CalendarToken.id == feed_id)
        .values(revoked=True)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
