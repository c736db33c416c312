"""The scenario editor: a form generated from the scenario's JSON Schema, or its YAML.

Both check the scenario against the schema and show each problem beside its field; a
scheduler saves the result as a variant, whole or (from the form) as `extends:` the
scenario it was opened from plus only the fields changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.store.users import Role
from scenarios.loader import (
    dump_scenario,
    json_schema,
    merge,
    parse_scenario,
    read_raw,
    variant_override,
)
from scenarios.spec import Scenario
from webapp.auth import requires
from webapp.scenario_files import (
    examples_folder,
    extends_file,
    save_variant,
    scenario_choices,
    scenario_file,
    variant_path,
)
from webapp.schema_form import Problems, SchemaForm

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
            base = extends_file(str(parent))
            if base is None:
                return None, {
                    "extends": [f"extends: {parent!r} is not a bundled example or saved variant"]
                }
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
    """The plannable scenarios and the editor (form or YAML) on one of them."""
    key = request.args.get("scenario", "example:reference")
    path = scenario_file(key)
    if path is None:
        abort(404)
    if request.args.get("view") == "yaml":
        return _editor(path.read_text(encoding="utf-8"), {}, key=key, checked=False)
    try:
        data = read_raw(path)
    except InputError as exc:
        return _form_page({}, Problems.of([str(exc)]), key)
    return _form_page(data, Problems(), key)


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


def _editor(
    text: str, problems: dict[str, list[str]], key: str | None = None, checked: bool = True
) -> str:
    return render_template(
        "scenarios.html",
        view="yaml",
        choices=scenario_choices(),
        key=request.form.get("key", "") if key is None else key,
        text=text,
        fields=schema_fields(),
        problems=problems,
        checked=checked,
        examples=examples_folder(),
    )


def scenario_form() -> SchemaForm:
    """The form over the scenario's JSON Schema."""
    return SchemaForm(json_schema())


def _form_page(data: dict[str, Any], problems: Problems, key: str, checked: bool = False) -> str:
    fields = scenario_form().render(data, problems)
    return render_template(
        "scenarios.html",
        view="form",
        choices=scenario_choices(),
        key=key,
        form_fields=fields,
        left=problems.left(),
        valid=checked and not problems.by_path,
    )


def _submitted() -> tuple[dict[str, Any], str]:
    """The scenario mapping of a submitted form, and the key of the scenario it was opened from."""
    if sum(len(v) for v in request.form.values()) > MAX_SCENARIO_CHARS:
        abort(413)
    key = request.form.get("key", "")
    return scenario_form().read(request.form, add=request.form.get("add", "")), key


def validate(data: dict[str, Any]) -> tuple[Scenario | None, Problems]:
    """The scenario a mapping describes, or None and its problems by field path."""
    try:
        return parse_scenario(data, "the scenario"), Problems()
    except InputError as exc:
        return None, Problems.of(list(exc.problems or [str(exc)]))


@bp.route("/form", methods=["POST"])
@requires(Role.VIEWER)
def form() -> Any:
    """The form again: with an item added, another `kind`'s fields, checked, or as YAML."""
    data, key = _submitted()
    action = request.form.get("action", "")
    if action == "yaml":
        return _editor(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), {}, key, False)
    if action != "check" or request.form.get("add"):
        return _form_page(data, Problems(), key)
    scenario, problems = validate(data)
    return _form_page(data, problems, key, checked=True), 200 if scenario else 422


@bp.route("/form/save", methods=["POST"])
@requires(Role.SCHEDULER)
def save_form() -> Any:
    """Save the form's scenario: whole, or as `extends:` its base plus the fields changed."""
    data, key = _submitted()
    scenario, problems = validate(data)
    if scenario is None:
        return _form_page(data, problems, key, checked=True), 422
    text = dump_scenario(scenario)
    if request.form.get("as_variant"):
        base = scenario_file(key)
        if base is None:
            abort(400, "unknown base scenario")
        if variant_path(scenario.name).resolve() == base.resolve() or scenario_file(
            f"example:{variant_path(scenario.name).stem}"
        ):
            problems = Problems.of(["name: a variant needs a name of its own (not its base's)"])
            return _form_page(data, problems, key, checked=True), 422
        text = variant_text(base, data) or text
    path = save_variant(scenario.name, text)
    flash(f"Saved {scenario.name}: plan it from the Plans page.", "info")
    return redirect(url_for("scenarios.index", scenario=f"saved:{path.stem}"))


def variant_text(base: Path, data: dict[str, Any]) -> str | None:
    """`extends: BASE` and only what differs from it, or None when that would not do."""
    base_data = read_raw(base)
    override = variant_override(base_data, data, scenario_form().normalise(base_data))
    if override is None:
        return None
    body = yaml.safe_dump(override, sort_keys=False, allow_unicode=True)
    return f"extends: {base.name}\n{body}"
