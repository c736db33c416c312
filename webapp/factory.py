"""The application factory: configuration, security, the store, and one blueprint per area."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from followsun.jobs.executor import EXECUTOR_ENV
from followsun.store import database_url, init_db
from webapp import auth, pages
from webapp.ratelimit import LoginLimiter

SECRET_KEY_ENV = "FOLLOWSUN_SECRET_KEY"
SESSION_HOURS = 8


def build_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """A configured app: the store migrated once here, CSRF on every form, secure cookies.

    Args:
        test_config: settings overriding the defaults (SECRET_KEY, DATABASE_URL,
            JOB_EXECUTOR, OUTPUT_DIR, ...).

    Raises:
        RuntimeError: no secret key (FOLLOWSUN_SECRET_KEY unset and none given).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get(SECRET_KEY_ENV, ""),
        DATABASE_URL=database_url(),
        JOB_EXECUTOR=os.environ.get(EXECUTOR_ENV) or "thread",
        OUTPUT_DIR=str(Path(".followsun") / "web"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        LOGIN_MAX_FAILURES=5,
        LOGIN_WINDOW_S=900.0,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(f"no secret key: set {SECRET_KEY_ENV}")
    app.extensions["followsun_engine"] = init_db(app.config["DATABASE_URL"])
    app.extensions["followsun_login_limiter"] = LoginLimiter(
        app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_WINDOW_S"]
    )
    CSRFProtect(app)
    auth.init_app(app)
    pages.register(app)
    app.register_error_handler(HTTPException, error_page)
    return app


def error_page(error: HTTPException) -> Any:
    """Errors as JSON under /api, as a page elsewhere (never a traceback)."""
    code = error.code or 500
    if request.path.startswith("/api/"):
        return jsonify(error=error.description or error.name), code
    return render_template(
        "error.html", code=code, name=error.name, description=error.description
    ), code
