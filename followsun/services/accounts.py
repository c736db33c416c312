"""Accounts and calendar feed tokens: hashing and checking secrets, over the store.

Passwords are stored as werkzeug's salted scrypt hashes; calendar tokens as their
SHA-256 (they are long random strings, so a fast hash is enough) and compared by lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from followsun.errors import InputError
from followsun.store import init_db, session_scope
from followsun.store.users import (
    CalendarFeed,
    Role,
    UserRecord,
    add_calendar_token,
    calendar_feed_by_hash,
    create_user,
    password_hash_of,
)

MIN_PASSWORD_CHARS = 12
# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


def add_user(
    username: str, role: str, password: str, database_url: str | None = None
) -> UserRecord:
    """Create (or reset) the account `username` with `role` and a hash of `password`.

    Raises:
        InputError: an unknown role, or a password shorter than MIN_PASSWORD_CHARS.
    """
    try:
        parsed = Role(role)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InputError(f"user: role {role!r} is not one of {names}") from None
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"user: the password must have at least {MIN_PASSWORD_CHARS} characters")
    engine = init_db(database_url)
    try:
        with session_scope(engine) as session:
            return create_user(session, username, generate_password_hash(password), parsed)
    finally:
        engine.dispose()


def authenticate(session: Session, username: str, password: str) -> UserRecord | None:
    """The account when `password` is its password, else None (same cost either way)."""
    found = password_hash_of(session, username)
    if found is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    user, stored = found
    return user if check_password_hash(stored, password) else None


def token_hash(token: str) -> str:
    """The stored form of a calendar token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new calendar token: shown once to whoever issued it, then only its hash remains."""

    token: str
    feed: CalendarFeed


def issue_calendar_token(session: Session, scenario_name: str, agent_id: str) -> IssuedToken:
    """A new secret token for `agent_id`'s feed of `scenario_name`'s published roster."""
    token = secrets.token_urlsafe(32)
    return IssuedToken(
        token, add_calendar_token(session, scenario_name, agent_id, token_hash(token))
    )


def feed_for_token(session: Session, token: str) -> CalendarFeed | None:
    """The live feed this token opens, or None (unknown or revoked)."""
    return calendar_feed_by_hash(session, token_hash(token))
