"""Submitting long work from a request: a job on the app's store, run by the app's executor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app

from followsun.jobs import submit
from webapp.db import database_url


def submit_job(kind: str, fn: Callable[..., Any], params: Mapping[str, Any]) -> int:
    """Queue `fn(params, progress)` as a job of `kind`; returns its id at once."""
    return submit(database_url(), kind, fn, params, executor=current_app.config["JOB_EXECUTOR"])


def new_output_folder(kind: str) -> Path:
    """A fresh folder under the app's OUTPUT_DIR for one job's files."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = Path(current_app.config["OUTPUT_DIR"]).resolve() / kind / stamp
    folder.mkdir(parents=True, exist_ok=True)
    return folder
