"""Reading scenario YAML: `extends:` chains, merging, and field-path error messages.

Merging rules for `extends:` (a path relative to the extending file, or the name of a
bundled example when no such file is there): mappings merge key
by key, except that a mapping whose `kind` differs from the base's replaces it; lists of
keyed mappings merge item by item, keyed by `id` (queues by channel, language and tier):
an item with `remove: true` drops that key and a new key is appended; any other list or
value replaces the base's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from forecasting.errors import InputError
from scenarios.spec import Scenario
from scenarios.yamlfile import read_yaml

MAX_EXTENDS_DEPTH = 10
_BOUNDS = frozenset({"less_than_equal", "too_long"})
_SCALE_BOUND = 100  # upper bounds from here on are sizes (spec.MAX_*), not domain ranges


def merge(base: Any, override: Any) -> Any:
    """Merge `override` onto `base` by the rules in the module docstring."""
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        if "kind" in override and override["kind"] != base.get("kind"):
            return dict(override)
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if _is_keyed_list(base) and _is_keyed_list(override):
        items = {_item_key(item): item for item in base}
        for item in override:
            key = _item_key(item)
            if item.get("remove") is True:
                items.pop(key, None)
            elif key in items:
                items[key] = merge(items[key], item)
            else:
                items[key] = item
        return list(items.values())
    return override


_QUEUE_KEY = ("channel", "language", "tier")


def _item_key(item: Mapping[str, Any]) -> tuple[Any, ...]:
    if "id" in item:
        return ("id", item["id"])
    return tuple(item[k] for k in _QUEUE_KEY)


def _is_keyed_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(i, Mapping) and ("id" in i or all(k in i for k in _QUEUE_KEY)) for i in value
    )


def read_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario mapping at `path` with its `extends:` chain resolved (no validation)."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise InputError(f"{path}: `extends` forms a cycle: {cycle}")
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(f"{path}: `extends` chain deeper than {MAX_EXTENDS_DEPTH}")
    data = read_yaml(path, "scenario file")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of scenario fields at the top level")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends: expected a file path, got {parent!r}")
    base = read_raw(_parent_file(path, parent), (*_chain, resolved))
    return merge(base, data)


def bundled_examples() -> Path:
    """The example scenarios shipped with the package (the sample organisation and variants)."""
    return Path(str(resources.files("scenarios") / "examples"))


def _parent_file(path: Path, parent: str) -> Path:
    """The file `extends: parent` names: beside `path`, else a bundled example of that name."""
    beside = path.parent / parent
    bundled = bundled_examples() / parent
    if not beside.exists() and Path(parent).name == parent and bundled.is_file():
        return bundled
    return beside


def override_of(base: Any, edited: Any) -> Any:
    """What a file extending `base` must say so that `merge(base, ...)` gives `edited`.

    The inverse of `merge`: unchanged keys are left out, keyed lists give only the items
    changed, added or removed (`remove: true`); a mapping whose `kind` changed, and any
    other value that differs, is given whole. Returns NOTHING when there is no change.
    """
    if isinstance(base, Mapping) and isinstance(edited, Mapping):
        if "kind" in edited and edited["kind"] != base.get("kind"):
            return dict(edited)
        out = {}
        for key, value in edited.items():
            change = override_of(base[key], value) if key in base else value
            if change is not NOTHING:
                out[key] = change
        return out if out else NOTHING
    if _is_keyed_list(base) and _is_keyed_list(edited) and base:
        return _keyed_override(base, edited)
    return NOTHING if _same(base, edited) else edited


def variant_override(
    base: Mapping[str, Any], edited: Mapping[str, Any], compare_to: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """What a file with `extends:` `base` says to give the scenario `edited`, its name first.

    Changes are found against `compare_to` (default `base`: the base as the editor shows
    it, with its defaults spelled out); None when merging them onto `base` would not give
    the same scenario (then save it whole).
    """
    changes = override_of(base if compare_to is None else compare_to, edited)
    changes = {} if changes is NOTHING else changes
    override = {"name": edited.get("name"), **{k: v for k, v in changes.items() if k != "name"}}
    try:
        same = parse_scenario(merge(base, override)) == parse_scenario(edited)
    except InputError:
        same = False
    return override if same else None


NOTHING: Any = type("Nothing", (), {"__repr__": lambda self: "NOTHING"})()


def _keyed_override(base: list[Any], edited: list[Any]) -> Any:
    old = {_item_key(item): item for item in base}
    new = {_item_key(item): item for item in edited}
    kept = [k for k in old if k in new]
    if len(old) != len(base) or len(new) != len(edited):
        return NOTHING if _same(base, edited) else list(edited)  # keys repeat: no merge rule
    if kept != list(new)[: len(kept)]:
        # Merge keeps the base's order and appends new keys: to reorder, remove all, add all.
        return [{**_key_fields(item), "remove": True} for item in base] + list(edited)
    out: list[Any] = []
    for key, item in new.items():
        if key not in old:
            out.append(item)
            continue
        change = override_of(old[key], item)
        if change is not NOTHING:
            out.append({**_key_fields(item), **change})
    out += [{**_key_fields(item), "remove": True} for key, item in old.items() if key not in new]
    return out if out else NOTHING


def _key_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    if "id" in item:
        return {"id": item["id"]}
    return {k: item[k] for k in _QUEUE_KEY}


def _same(a: Any, b: Any) -> bool:
    """Equal as YAML would write them (1 == 1.0; a date and its ISO text)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, date | time) or isinstance(b, date | time):
        return str(_plain_time(a)) == str(_plain_time(b))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) in (type(b), int, float) and type(b) in (type(a), int, float)


def _plain_time(value: Any) -> Any:
    return value.strftime("%H:%M") if isinstance(value, time) else value


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `sites[2].timezone`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("hours", "24x5", "24x7") and out.endswith("coverage"):
            continue  # the discriminator tag adds nothing a user wrote
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def describe(error: Mapping[str, Any]) -> str:
    """One line for one pydantic error: path, the value given, and what was expected."""
    path = field_path(tuple(error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    kind = error["type"]
    limit = (error.get("ctx") or {}).get("le", (error.get("ctx") or {}).get("max_length"))
    if kind in _BOUNDS and isinstance(limit, int | float) and limit >= _SCALE_BOUND:
        return (
            f"{path}: {error.get('input')!r} is invalid: {message} (a bound far beyond "
            "any real organisation, so that no stage's work grows without limit)"
        )
    if kind == "missing":
        return f"{path}: required field is missing"
    if kind == "extra_forbidden":
        return f"{path}: unknown field (check the spelling; see docs/SCENARIO.md)"
    if kind == "value_error" and repr(error.get("input"))[:60] in message:
        return f"{path}: {message}"
    if kind == "value_error" and not isinstance(error.get("input"), dict | list):
        return f"{path}: {error.get('input')!r}: {message}"
    if isinstance(error.get("input"), dict | list):
        return f"{path}: {message}"
    return f"{path}: {error.get('input')!r} is invalid: {message}"


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; every problem is listed by field path in the InputError."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [describe(err) for err in exc.errors(include_url=False)]
        noun = "problem" if len(problems) == 1 else "problems"
        raise InputError(f"{source}: {len(problems)} {noun} in the scenario", problems) from exc


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve `extends:` and validate the scenario file at `path`."""
    return parse_scenario(read_raw(Path(path)), str(path))


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML (what a run used, written beside its outputs)."""
    data = json.loads(scenario.model_dump_json(exclude_defaults=False))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def json_schema() -> dict[str, Any]:
    """The scenario's JSON Schema (for the web app's forms and editors)."""
    return Scenario.model_json_schema()
