"""The scenario editor: YAML checked against the scenario schema, problems shown by field."""

from __future__ import annotations

from typing import Any

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.store.users import Role
from scenarios.loader import dump_scenario, json_schema, merge, parse_scenario, read_raw
from scenarios.spec import Scenario
from webapp.auth import requires
from webapp.scenario_files import (
    examples_folder,
    save_variant,
    scenario_choices,
    scenario_file,
)

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")

MAX_SCENARIO_CHARS = 200_000
TOP_LEVEL = "(top level)"


def field_of(problem: str) -> str:
    """The top-level field a problem line names ('sites[2].timezone: ...' -> 'sites')."""
    path = problem.split(":", 1)[0]
    return path.split(".", 1)[0].split("[", 1)[0].strip() or TOP_LEVEL


def check_text(text: str) -> tuple[Scenario | None, dict[str, list[str]]]:
    """Parse and validate scenario YAML; `extends:` may name a bundled example only.

    Returns:
        The scenario (None when invalid) and the problems per top-level field.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, {TOP_LEVEL: [f"not YAML: {exc}"]}
    if not isinstance(data, dict):
        return None, {TOP_LEVEL: ["expected a mapping of scenario fields"]}
    parent = data.pop("extends", None)
    try:
        if parent is not None:
            base = scenario_file(f"example:{str(parent).removesuffix('.yaml')}")
            if base is None:
                return None, {"extends": [f"extends: {parent!r} is not a bundled example"]}
            data = merge(read_raw(base), data)
        scenario = parse_scenario(data, "the scenario")
    except InputError as exc:
        problems: dict[str, list[str]] = {}
        for line in exc.problems or [str(exc)]:
            problems.setdefault(field_of(line), []).append(line)
        return None, problems
    return scenario, {}


def schema_fields() -> list[dict[str, Any]]:
    """The scenario schema's top-level fields: name, type, description, required."""
    schema = json_schema()
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": spec.get("type") or ("object" if "$ref" in spec else "see schema"),
            "description": spec.get("description", ""),
            "required": name in required,
        }
        for name, spec in schema.get("properties", {}).items()
    ]


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """The plannable scenarios and the editor on one of them."""
    key = request.args.get("scenario", "example:reference")
    path = scenario_file(key)
    if path is None:
        abort(404)
    return render_template(
        "scenarios.html",
        choices=scenario_choices(),
        key=key,
        text=path.read_text(encoding="utf-8"),
        fields=schema_fields(),
        problems={},
        checked=False,
    )


@bp.route("/check", methods=["POST"])
@requires(Role.VIEWER)
def check() -> tuple[str, int]:
    """Validate the edited text and show the problems beside their fields (nothing is saved)."""
    text = _text()
    _scenario, problems = check_text(text)
    return _editor(text, problems), 200 if not problems else 422


@bp.route("/save", methods=["POST"])
@requires(Role.SCHEDULER)
def save() -> Any:
    """Save a valid variant (resolved) so plans can use it."""
    text = _text()
    scenario, problems = check_text(text)
    if scenario is None:
        return _editor(text, problems), 422
    path = save_variant(scenario.name, dump_scenario(scenario))
    flash(f"Saved {scenario.name}: plan it from the Plans page.", "info")
    return redirect(url_for("scenarios.index", scenario=f"saved:{path.stem}"))


@bp.route("/schema.json")
@requires(Role.VIEWER)
def schema() -> Any:
    """The scenario JSON Schema."""
    return json_schema()


def _text() -> str:
    text = request.form.get("text", "")
    if len(text) > MAX_SCENARIO_CHARS:
        abort(413)
    return text


def _editor(text: str, problems: dict[str, list[str]]) -> str:
    return render_template(
        "scenarios.html",
        choices=scenario_choices(),
        key=request.form.get("key", ""),
        text=text,
        fields=schema_fields(),
        problems=problems,
        checked=True,
        examples=examples_folder(),
    )
