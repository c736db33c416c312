"""Logging in and out, and who may open what: every view declares its role or is public.

Access is checked before every request and fails closed: a view that declares neither
`@requires(role)` nor `@public` answers 403 to everyone. Anonymous visitors are sent to
the login page (the JSON API answers 401).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from followsun.services.accounts import authenticate
from followsun.store.users import Role, UserRecord, get_user
from webapp.db import store
from webapp.ratelimit import LoginLimiter

View = TypeVar("View", bound=Callable[..., Any])

bp = Blueprint("auth", __name__)


def requires(role: Role) -> Callable[[View], View]:
    """Mark a view as open to `role` and the roles above it."""

    def mark(view: View) -> View:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def public(view: View) -> View:
    """Mark a view as open without logging in."""
    view.public = True  # type: ignore[attr-defined]
    return view


def current_user() -> UserRecord | None:
    """The logged-in account of this request (read from the store, so role changes apply at once)."""
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = None
        if user_id is not None:
            with store() as db:
                g.user = get_user(db, int(user_id))
    user: UserRecord | None = g.user
    return user


def may(role: str) -> bool:
    """Whether the current user has `role` or a higher one (for templates)."""
    user = current_user()
    return user is not None and user.role.allows(Role(role))


def check_access() -> Response | None:
    """Before each request: send anonymous visitors to log in; refuse roles too low (403)."""
    if request.endpoint is None:
        return None
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "public", False):
        return None
    user = current_user()
    if user is None:
        if request.path.startswith("/api/"):
            response = jsonify(error="log in first")
            response.status_code = 401
            return response
        return redirect(url_for("auth.login", next=request.path))
    needed = getattr(view, "required_role", None)
    if needed is None or not user.role.allows(needed):
        abort(403)
    return None


def secure_headers(response: Response) -> Response:
    """No framing, no sniffing, no caching of pages that show plans to logged-in users."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-eval'; "
        "img-src 'self' data:; frame-ancestors 'none'",
    )
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Attach the access check, the headers, the template helpers and the login pages."""
    app.before_request(check_access)
    app.after_request(secure_headers)
    app.jinja_env.globals.update(current_user=current_user, may=may)
    setattr(app.view_functions["static"], "public", True)  # noqa: B010
    app.register_blueprint(bp)


def _limiter() -> LoginLimiter:
    limiter: LoginLimiter = current_app.extensions["followsun_login_limiter"]
    return limiter


def _safe_next(target: str | None) -> str:
    """A local path to return to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """The login form; too many failures for a name from one address are refused for a while."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or "?"
    limiter = _limiter()
    if limiter.blocked(username, address):
        flash("Too many failed attempts: try again later.", "error")
        return render_template("login.html", next=""), 429
    with store() as db:
        user = authenticate(db, username, password)
    if user is None:
        limiter.failed(username, address)
        flash("Wrong username or password.", "error")
        return render_template("login.html", next=""), 401
    limiter.succeeded(username, address)
    session.clear()
    session["user_id"] = user.id
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
@requires(Role.VIEWER)
def logout() -> Any:
    """End the session."""
    session.clear()
    return redirect(url_for("auth.login"))
