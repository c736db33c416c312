"""Logging in: hashed passwords, rate limiting, session cookies, safe redirects, the secret key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from followsun.cli import main
from followsun.services.accounts import authenticate
from followsun.store import create_store_engine, session_scope
from followsun.store.users import Role, password_hash_of
from tests.webapp.conftest import PASSWORDS, csrf_token, log_in
from webapp.ratelimit import LoginLimiter


def post_login(client: FlaskClient, username: str, password: str, next_path: str = "") -> int:
    token = csrf_token(client)
    form = {"username": username, "password": password, "csrf_token": token, "next": next_path}
    response = client.post("/login", data=form)
    return response.status_code


def test_a_good_login_opens_the_pages_and_logout_closes_them(app: Flask) -> None:
    client = app.test_client()
    log_in(client, Role.VIEWER)
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_are_refused_alike(app: Flask) -> None:
    client = app.test_client()
    assert post_login(client, "viewer", "not-the-password") == 401
    assert post_login(client, "nobody", "not-the-password") == 401
    assert client.get("/").status_code == 302


def test_repeated_failures_block_that_name_from_that_address(app: Flask) -> None:
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert post_login(client, "viewer", "guess") == 401
    # Even the right password is refused while blocked; another account is not affected.
    assert post_login(client, "viewer", PASSWORDS[Role.VIEWER]) == 429
    assert post_login(client, "scheduler", PASSWORDS[Role.SCHEDULER]) == 302


def test_the_session_cookie_is_secure_http_only_and_same_site(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORDS[Role.ADMIN], "csrf_token": token},
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_to_another_site(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORDS[Role.VIEWER],
            "csrf_token": token,
            "next": target,
        },
    )
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_hashed(app: Flask, db_url: str) -> None:
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        found = password_hash_of(session, "admin")
        assert found is not None
        assert PASSWORDS[Role.ADMIN] not in found[1]
        assert authenticate(session, "admin", PASSWORDS[Role.ADMIN]) is not None
        assert authenticate(session, "admin", PASSWORDS[Role.VIEWER]) is None
    engine.dispose()


def test_a_removed_account_loses_its_session_at_once(
    app: Flask, client_as: Callable[[Role | None], FlaskClient], db_url: str
) -> None:
    viewer = client_as(Role.VIEWER)
    assert viewer.get("/").status_code == 200
    admin = client_as(Role.ADMIN)
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        found = password_hash_of(session, "viewer")
        assert found is not None
        viewer_id = found[0].id
    engine.dispose()
    token = csrf_token(admin, "/users/")
    assert admin.post(f"/users/{viewer_id}/delete", data={"csrf_token": token}).status_code == 303
    assert viewer.get("/").status_code == 302


def test_the_app_refuses_to_start_without_a_secret_key(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webapp import create_app

    monkeypatch.delenv("FOLLOWSUN_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FOLLOWSUN_SECRET_KEY"):
        create_app({"DATABASE_URL": db_url})


def test_serve_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWSUN_SECRET_KEY", raising=False)
    assert main(["serve", "--port", "0"]) == 2


def test_user_add_reads_the_password_from_the_environment(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", db_url)
    monkeypatch.setenv("NEW_PASSWORD", "a-new-password-long")
    assert (
        main(
            [
                "user",
                "add",
                "--username",
                "ana",
                "--role",
                "scheduler",
                "--password-env",
                "NEW_PASSWORD",
            ]
        )
        == 0
    )
    monkeypatch.delenv("UNSET_PASSWORD", raising=False)
    assert (
        main(
            [
                "user",
                "add",
                "--username",
                "bo",
                "--role",
                "viewer",
                "--password-env",
                "UNSET_PASSWORD",
            ]
        )
        == 2
    )
    monkeypatch.setenv("SHORT_PASSWORD", "short")
    assert (
        main(
            [
                "user",
                "add",
                "--username",
                "cy",
                "--role",
                "viewer",
                "--password-env",
                "SHORT_PASSWORD",
            ]
        )
        == 2
    )
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        user = authenticate(session, "ana", "a-new-password-long")
        assert user is not None and user.role is Role.SCHEDULER
        assert password_hash_of(session, "bo") is None
        assert password_hash_of(session, "cy") is None
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limiter_forgets_failures_older_than_its_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(max_failures=3, window_s=60.0, clock=clock)
    for _ in range(3):
        limiter.failed("u", "1.2.3.4")
    assert limiter.blocked("u", "1.2.3.4")
    assert not limiter.blocked("u", "5.6.7.8")
    clock.now = 60.5
    assert not limiter.blocked("u", "1.2.3.4")


def test_a_success_clears_the_failures() -> None:
    limiter = LoginLimiter(max_failures=2, window_s=60.0, clock=Clock())
    limiter.failed("u", "a")
    limiter.succeeded("u", "a")
    limiter.failed("u", "a")
    assert not limiter.blocked("u", "a")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("wxyz")), max_size=200),
    st.integers(min_value=1, max_value=10),
)
def test_the_limiter_never_remembers_more_than_its_bound(
    attempts: list[tuple[str, str]], bound: int
) -> None:
    limiter = LoginLimiter(max_failures=2, window_s=60.0, max_keys=bound, clock=Clock())
    for name, address in attempts:
        limiter.failed(name, address)
        assert len(limiter) <= bound
    if attempts:
        # The pair that failed last is always still remembered.
        assert len(limiter) >= 1
