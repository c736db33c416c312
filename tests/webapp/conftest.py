"""Fixtures for the web app: an app on a migrated store, accounts of every role, clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from followsun.services.accounts import add_user
from followsun.store.users import Role

PASSWORDS = {role: f"{role.value}-password-long" for role in Role}
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def db_url(engine: Engine) -> str:
    """The URL of the migrated test store (each backend)."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the test store, with one account per role named after it."""
    from webapp import create_app

    for role in Role:
        add_user(role.value, role.value, PASSWORDS[role], db_url)
    made = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": db_url,
            "OUTPUT_DIR": str(tmp_path / "out"),
            "TESTING": True,
        }
    )
    yield made
    made.extensions["followsun_engine"].dispose()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    found = CSRF_META.search(page)
    assert found is not None, f"no CSRF token on {path}"
    return found.group(1)


def log_in(client: FlaskClient, role: Role) -> None:
    """Log in through the form (with its CSRF token) as the account of `role`."""
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": role.value, "password": PASSWORDS[role], "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def client_as(app: Flask, db_url: str) -> Callable[[Role | None], FlaskClient]:
    """A new client with the session of `role`'s account (None: anonymous).

    The session is set directly (the login form is tested on its own), which keeps the
    matrix from hashing a password for every request.
    """
    from followsun.store import create_store_engine, session_scope
    from followsun.store.users import list_users

    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        ids = {user.role: user.id for user in list_users(session)}
    engine.dispose()

    def make(role: Role | None) -> FlaskClient:
        client = app.test_client()
        if role is not None:
            with client.session_transaction() as session:
                session["user_id"] = ids[role]
        return client

    return make
