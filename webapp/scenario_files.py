"""Which scenario files a page may plan: the bundled examples and the variants saved from the editor.

A form names a scenario by key ('example:reference', 'saved:my-variant'); only keys from
these two folders resolve to a path, so no request can point the planner at another file.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

from scenarios.loader import bundled_examples

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def examples_folder() -> Path:
    """The bundled example scenarios (the sample organisation and its variants)."""
    return bundled_examples()


def saved_folder() -> Path:
    """Where the editor saves variants (resolved, without `extends:`)."""
    return Path(current_app.config["OUTPUT_DIR"]).resolve() / "scenarios"


def scenario_choices() -> list[tuple[str, str]]:
    """(key, label) of every plannable scenario, examples first."""
    choices = [(f"example:{p.stem}", f"{p.stem} (example)") for p in _yaml(examples_folder())]
    return choices + [(f"saved:{p.stem}", f"{p.stem} (saved)") for p in _yaml(saved_folder())]


def _yaml(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def scenario_file(key: str) -> Path | None:
    """The file behind a choice key (a bare name means an example), or None if unknown."""
    kind, _, name = key.partition(":") if ":" in key else ("example", "", key)
    folder = {"example": examples_folder, "saved": saved_folder}.get(kind)
    if folder is None:
        return None
    for path in _yaml(folder()):
        if path.stem == name:
            return path
    return None


def variant_path(name: str) -> Path:
    """Where the variant called `name` is saved (a file name made safe from it)."""
    return saved_folder() / f"{SAFE_NAME.sub('-', name).strip('.-') or 'scenario'}.yaml"


def save_variant(name: str, text: str) -> Path:
    """Write a variant's YAML (resolved, or `extends:` plus its changes) under its name."""
    path = variant_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def extends_file(parent: str) -> Path | None:
    """The file an editor's `extends: NAME` means: a saved variant, else a bundled example.

    As the loader reads `extends:` in a saved variant (beside it first, then the bundled
    examples); only bare names, so no request reaches another folder.
    """
    name = parent.removesuffix(".yaml")
    if Path(parent).name != parent:
        return None
    return scenario_file(f"saved:{name}") or scenario_file(f"example:{name}")
