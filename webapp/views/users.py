"""Accounts (admins only): list, add or reset, remove."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.services.accounts import MIN_PASSWORD_CHARS, add_user
from followsun.store.users import Role, delete_user, list_users
from webapp.auth import current_user, requires
from webapp.db import database_url, store

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@requires(Role.ADMIN)
def index() -> str:
    """Every account and the form to add one."""
    with store() as db:
        users = list_users(db)
    return render_template(
        "users.html", users=users, roles=[r.value for r in Role], min_chars=MIN_PASSWORD_CHARS
    )


@bp.route("/", methods=["POST"])
@requires(Role.ADMIN)
def add() -> Any:
    """Add an account, or reset its password and role."""
    try:
        user = add_user(
            request.form.get("username", "").strip(),
            request.form.get("role", ""),
            request.form.get("password", ""),
            database_url(),
        )
    except InputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.index")), 303
    flash(f"Account {user.username} ({user.role.value}) saved.", "info")
    return redirect(url_for("users.index")), 303


@bp.route("/<int:user_id>/delete", methods=["POST"])
@requires(Role.ADMIN)
def delete(user_id: int) -> Any:
    """Remove an account (not one's own)."""
    me = current_user()
    if me is not None and me.id == user_id:
        abort(400, "you cannot remove your own account")
    with store() as db:
        if not delete_user(db, user_id):
            abort(404)
    flash("Account removed.", "info")
    return redirect(url_for("users.index")), 303
