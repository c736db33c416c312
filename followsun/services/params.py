"""A service's request dataclass as a job's JSON parameters, and back (paths and dates as text)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

Request = TypeVar("Request")


def to_params(request: Any) -> dict[str, Any]:
    """The fields of a request dataclass as JSON values: paths (and tuples of them) as text, dates ISO 8601."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(request):
        value = getattr(request, field.name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple) and all(isinstance(v, Path) for v in value):
            value = [str(v) for v in value]
        elif isinstance(value, date):
            value = value.isoformat()
        out[field.name] = value
    return out


def from_params(cls: type[Request], params: dict[str, Any]) -> Request:
    """The request dataclass `cls` from JSON parameters written by `to_params`.

    Raises:
        TypeError: a parameter `cls` does not have, or a required one missing.
    """
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in params.items():
        hint = hints.get(name)
        kinds = typing.get_args(hint) or (hint,)
        if typing.get_origin(hint) is tuple and Path in kinds:
            value = tuple(Path(v) for v in value)
        elif value is not None and Path in kinds:
            value = Path(value)
        elif value is not None and date in kinds:
            value = date.fromisoformat(value)
        values[name] = value
    return cls(**values)
