"""Import helpdesk tickets into the store: one API source, a CSV export, or every configured source.

Every page is committed with its cursor, so an import stopped part-way (killed, network
down, cancelled between pages) is continued by running it again or by `sync_sources`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from followsun.connectors import (
    CsvMapping,
    CsvPreview,
    HttpError,
    ImportResult,
    SourceConfig,
    csv_pages,
    import_source,
    load_mapping,
    load_sources,
    preview_csv,
    run_import,
    save_source,
    sources_path,
)
from followsun.connectors.base import RecordError
from followsun.connectors.sources import Kind
from followsun.jobs import JobResult
from followsun.services.progress import Progress, no_progress
from followsun.store import init_db
from forecasting.errors import InputError
from planner import cancellation
from scenarios.yamlfile import read_yaml

# Records per page each vendor's API allows at most.
MAX_PER_PAGE = {"zendesk": 1000, "freshdesk": 100}


@dataclass(frozen=True)
class ApiSource:
    """A Zendesk or Freshdesk source as the user names it (the secret by its variable only).

    Attributes:
        kind: 'zendesk' or 'freshdesk'.
        name: the source name tickets are stored under.
        url: the helpdesk's base URL.
        secret_env: the environment variable holding the token or API key.
        email: the agent email of a Zendesk token.
        mapping: a YAML field mapping (channels, language field), if any.
        per_page: records per page.
        allow_http_loopback: accept a plain http:// URL to this machine (a local stand-in).
    """

    kind: Kind
    name: str
    url: str
    secret_env: str
    email: str | None = None
    mapping: Path | None = None
    per_page: int | None = None
    allow_http_loopback: bool = False

    def config(self) -> SourceConfig:
        """The connector's configuration, the mapping file read.

        Raises:
            InputError: per_page out of the vendor's range, or an unreadable mapping.
        """
        per_page = MAX_PER_PAGE[self.kind] if self.per_page is None else self.per_page
        if not 1 <= per_page <= MAX_PER_PAGE[self.kind]:
            raise InputError(f"--per-page {per_page}: out of the vendor's range")
        return SourceConfig(
            name=self.name,
            kind=self.kind,
            url=self.url,
            secret_env=self.secret_env,
            email=self.email,
            mapping=read_mapping(self.mapping),
            per_page=per_page,
            allow_http_loopback=self.allow_http_loopback,
        )


@dataclass(frozen=True)
class ImportRun:
    """What one import stored, or why it stopped part-way (the pages before are stored)."""

    source: str
    result: ImportResult | None
    stopped: str | None = None


@dataclass(frozen=True)
class SourceSync:
    """One configured source's sync: its import, or the error that refused it."""

    source: str
    run: ImportRun | None
    refused: InputError | None = None


def import_api(
    source: ApiSource,
    since: datetime | None = None,
    *,
    database_url: str | None = None,
    progress: Progress = no_progress,
) -> ImportRun:
    """Import an API source from its stored cursor (or `since`) and remember it for `sync_sources`.

    Raises:
        InputError: bad settings, the secret's variable unset, or credentials refused.
    """
    config = source.config()
    config.check()
    config.secret()  # fail before remembering a source that cannot run
    save_source(config)
    return _import_config(config, since, database_url, progress)


def _import_config(
    config: SourceConfig, since: datetime | None, database_url: str | None, progress: Progress
) -> ImportRun:
    """Import one configured source, one committed page at a time."""
    engine = init_db(database_url)
    try:
        result = import_source(engine, config, since, _page_progress(progress))
    except HttpError as exc:
        if exc.is_auth:
            raise InputError(
                f"{config.name}: {config.url} refused the credentials in ${config.secret_env}"
            ) from exc
        stopped = (
            f"{config.name} stopped: {exc}; the pages before it are stored: run "
            "`followsun sync` to continue"
        )
        return ImportRun(config.name, None, stopped)
    except RecordError as exc:
        return ImportRun(config.name, None, f"{config.name}: unexpected answer: {exc}")
    finally:
        engine.dispose()
    return ImportRun(config.name, result)


def import_csv(
    file: Path,
    mapping: Path,
    chunk_rows: int = 50_000,
    *,
    database_url: str | None = None,
    progress: Progress = no_progress,
) -> ImportRun:
    """Import a CSV export through its YAML mapping, `chunk_rows` rows per committed page.

    Raises:
        InputError: a bad mapping, a missing file, or chunk_rows below 1.
    """
    csv_mapping = _csv_mapping(file, mapping, chunk_rows)
    engine = init_db(database_url)
    try:
        pages = csv_pages(file, csv_mapping, chunk_rows)
        result = run_import(engine, csv_mapping.source, pages, _page_progress(progress))
    finally:
        engine.dispose()
    return ImportRun(csv_mapping.source, result)


def csv_import_job(params: dict[str, Any], progress: Progress) -> JobResult:
    """`import_csv` as a job (`followsun.jobs.submit`): params `file`, `mapping`, `database_url`."""
    run = import_csv(
        Path(params["file"]),
        Path(params["mapping"]),
        database_url=params.get("database_url"),
        progress=progress,
    )
    summary: dict[str, Any] = {"source": run.source}
    if run.result is not None:
        summary |= {
            "pages": run.result.pages,
            "fetched": run.result.fetched,
            "quarantined": run.result.quarantined,
        }
    return JobResult(summary=summary)


def sync_sources(
    names: list[str] | None = None,
    *,
    database_url: str | None = None,
    progress: Progress = no_progress,
) -> list[SourceSync]:
    """Continue every configured API source (or those named) from its cursor, one after another.

    One source refused (settings, credentials) does not stop the others.

    Raises:
        InputError: an unknown source name, or no source configured.
    """
    sources = load_sources()
    if names:
        unknown = sorted(set(names) - {s.name for s in sources})
        if unknown:
            raise InputError(f"unknown source(s) {', '.join(unknown)}")
        sources = [s for s in sources if s.name in names]
    if not sources:
        raise InputError(
            f"no sources configured in {sources_path()}",
            ["run `followsun import zendesk ...` or `followsun import freshdesk ...` first"],
        )
    synced = []
    for config in sources:
        try:
            run = _import_config(config, None, database_url, progress)
        except InputError as exc:
            synced.append(SourceSync(config.name, None, exc))
            continue
        synced.append(SourceSync(config.name, run))
    return synced


def preview_csv_import(
    file: Path, mapping: Path, rows: int = 10, chunk_rows: int = 50_000
) -> CsvPreview:
    """Read a CSV export as `import_csv` would, keeping the first `rows` of each outcome; store nothing.

    Raises:
        InputError: a bad mapping, a missing file, or chunk_rows below 1.
    """
    csv_mapping = _csv_mapping(file, mapping, chunk_rows)
    return preview_csv(file, csv_mapping, max(rows, 0), chunk_rows)


def _csv_mapping(file: Path, mapping: Path, chunk_rows: int) -> CsvMapping:
    """The mapping of a CSV import, once its settings and file are checked."""
    if chunk_rows < 1:
        raise InputError(f"--chunk-rows {chunk_rows}: expected 1 or more")
    csv_mapping = load_mapping(mapping)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    return csv_mapping


def read_mapping(path: Path | None) -> dict[str, Any]:
    """An API source's field mapping from YAML (empty without a file)."""
    if path is None:
        return {}
    data = read_yaml(path, "mapping file") or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of keys to values")
    return data


def _page_progress(progress: Progress) -> Callable[[ImportResult], None]:
    """The connectors' per-page report as Progress; between pages is a point of cancellation."""

    def on_page(result: ImportResult) -> None:
        c = result.counts
        progress(
            None,
            f"{result.source}: page {result.pages}: {result.fetched:,} records, "
            f"{c.inserted:,} new, {c.updated:,} updated, {result.quarantined:,} quarantined",
        )
        cancellation.current().check()

    return on_page
