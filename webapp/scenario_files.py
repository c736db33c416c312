"""Which scenario files a page may plan: the bundled examples and the variants saved from the editor.

A form names a scenario by key ('example:reference', 'saved:my-variant'); only keys from
these two folders resolve to a path, so no request can point the planner at another file.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from flask import current_app

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def examples_folder() -> Path:
    """The bundled example scenarios (the sample organisation and its variants)."""
    return Path(str(resources.files("scenarios") / "examples"))


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


def save_variant(name: str, resolved_yaml: str) -> Path:
    """Write a resolved scenario under a file name made safe from its name."""
    folder = saved_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{SAFE_NAME.sub('-', name).strip('.-') or 'scenario'}.yaml"
    path.write_text(resolved_yaml, encoding="utf-8")
    return path
