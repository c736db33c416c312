"""Comparisons of scenario variants: the comparison.csv a `compare` run wrote, kept with its run.

A comparison belongs to a run of kind `compare` (`runs.record_run`), which holds when
it ran, how it ended and where its files are; the row keeps the variants' names, the
verdict in words and the CSV text, so the web app can list and show comparisons without
the output folder.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from followsun.store.runs import RunStatus

COMPARE_KIND = "compare"
"""The run kind of a comparison."""


@dataclass(frozen=True)
class ComparisonRecord:
    """One stored comparison.

    Attributes:
        run_id: its run (kind `compare`).
        started_at: when the run started (UTC).
        status: how the run ended.
        outputs_location: the folder it wrote comparison.csv and comparison.html into.
        variants: the scenario names, the first the base of every delta.
        verdict: the verdict in words, one sentence an item.
        csv: comparison.csv as written.
    """

    run_id: int
    started_at: datetime
    status: RunStatus
    outputs_location: str | None
    variants: tuple[str, ...]
    verdict: tuple[str, ...]
    csv: str

    def table(self) -> pd.DataFrame:
        """comparison.csv read back as a frame."""
        return pd.read_csv(io.StringIO(self.csv))


def save_comparison(
    session: Session, run_id: int, variants: Sequence[str], verdict: Sequence[str], csv: str
) -> None:
    """Store run `run_id`'s comparison, replacing any stored for it.

    Raises:
        InputError: there is no such run, it is not a compare run, or no variant is named.
    """
    run = session.get(models.Run, run_id)
    if run is None:
        raise InputError(f"comparison: no run with id {run_id}")
    if run.kind != COMPARE_KIND:
        raise InputError(f"comparison: run {run_id} is a {run.kind!r} run, not {COMPARE_KIND!r}")
    if not variants:
        raise InputError("comparison: name at least one variant")
    row = session.get(models.ComparisonRow, run_id)
    if row is None:
        row = models.ComparisonRow(run_id=run_id)
        session.add(row)
    row.variants = list(variants)
    row.verdict = list(verdict)
    row.csv = csv
    session.flush()


def _record(run: models.Run, row: models.ComparisonRow) -> ComparisonRecord:
    return ComparisonRecord(
        run_id=run.id,
        started_at=run.started_at,
        status=RunStatus(run.status),
        outputs_location=run.outputs_location,
        variants=tuple(row.variants),
        verdict=tuple(row.verdict),
        csv=row.csv,
    )


def get_comparison(session: Session, run_id: int) -> ComparisonRecord:
    """The comparison of run `run_id`.

    Raises:
        InputError: that run stored none.
    """
    row = session.get(models.ComparisonRow, run_id)
    run = session.get(models.Run, run_id)
    if row is None or run is None:
        raise InputError(f"no comparison stored for run {run_id}")
    return _record(run, row)


def recent_comparisons(session: Session, limit: int = 20) -> list[ComparisonRecord]:
    """The newest stored comparisons, newest first, at most `limit`."""
    query = (
        select(models.Run, models.ComparisonRow)
        .join(models.ComparisonRow, models.ComparisonRow.run_id == models.Run.id)
        .order_by(models.Run.started_at.desc(), models.Run.id.desc())
        .limit(limit)
    )
    return [_record(run, row) for run, row in session.execute(query).all()]
