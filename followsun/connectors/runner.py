"""Run one configured API source: resume from its stored cursor, or start at a given time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from followsun.connectors.base import ImportResult, Page, Progress, run_import
from followsun.connectors.freshdesk import FreshdeskMapping, FreshdeskSource, freshdesk_pages
from followsun.connectors.sources import SourceConfig
from followsun.connectors.zendesk import ZendeskMapping, ZendeskSource, zendesk_pages
from followsun.errors import InputError
from followsun.store import ImportCursor, get_cursor, session_scope


def source_pages(
    config: SourceConfig,
    stored: ImportCursor | None,
    since: datetime | None = None,
    **client_kwargs: Any,
) -> Iterator[Page]:
    """The pages of `config`'s export: from `since` when given, else after `stored`.

    Args:
        config: the source.
        stored: its stored cursor (None before its first import).
        since: start from this instant instead of the stored cursor.
        **client_kwargs: passed to the HTTP client (`policy`, `sleep`).

    Raises:
        InputError: the mapping is invalid or the secret's variable is unset.
    """
    config.check()
    client_kwargs.setdefault("allow_http_loopback", config.allow_http_loopback)
    try:
        if config.kind == "zendesk":
            if not config.email:
                raise InputError(f"source {config.name}: a Zendesk source needs an email")
            zendesk = ZendeskSource(
                config.url,
                config.email,
                config.secret_env,
                ZendeskMapping.from_dict(config.mapping),
                config.per_page or ZendeskSource.per_page,
            )
            client = zendesk.client(config.secret(), **client_kwargs)
            cursor = stored.cursor if stored is not None and since is None else None
            return zendesk_pages(
                client,
                config.name,
                zendesk.mapping,
                start=since,
                cursor=cursor,
                per_page=zendesk.per_page,
            )
        freshdesk = FreshdeskSource(
            config.url,
            config.secret_env,
            FreshdeskMapping.from_dict(config.mapping),
            config.per_page or FreshdeskSource.per_page,
        )
        client = freshdesk.client(config.secret(), **client_kwargs)
        start = since if since is not None or stored is None else stored.updated_since
        return freshdesk_pages(
            client, config.name, freshdesk.mapping, since=start, per_page=freshdesk.per_page
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"source {config.name}: {exc}") from exc


def import_source(
    engine: Engine,
    config: SourceConfig,
    since: datetime | None = None,
    progress: Progress | None = None,
    **client_kwargs: Any,
) -> ImportResult:
    """Import `config`'s tickets into the store, page by page, from its cursor or `since`."""
    with session_scope(engine) as session:
        stored = get_cursor(session, config.name)
    pages = source_pages(config, stored, since, **client_kwargs)
    return run_import(engine, config.name, pages, progress)
