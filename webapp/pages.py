"""Every area's blueprint, registered in one list (new areas add one line)."""

from __future__ import annotations

import importlib

from flask import Flask

# Each module defines `bp`, a Blueprint whose views all declare `@requires(role)` or `@public`.
AREAS = [
    "webapp.views.dashboard",
    "webapp.views.plans",
    "webapp.views.rosters",
    "webapp.views.forecasts",
    "webapp.views.scenarios",
    "webapp.views.imports",
    "webapp.views.jobs",
    "webapp.views.users",
    "webapp.views.calendar",
    "webapp.views.agents",
    "webapp.views.absences",
    "webapp.views.versions",
    "webapp.views.myshifts",
    "webapp.views.api_scheduling",
    "webapp.views.api",
]


def register(app: Flask) -> None:
    """Register every area's blueprint on `app`."""
    for name in AREAS:
        app.register_blueprint(importlib.import_module(name).bp)
