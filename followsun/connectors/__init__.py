"""Helpdesk connectors: Zendesk, Freshdesk and CSV exports into the canonical tickets table.

Each connector is a pure mapping (vendor record -> canonical row, or a reason to refuse
it) and a lazy page iterator over its API or file; `run_import` stores each page with its
cursor in one transaction. See the modules' docstrings for each vendor's rules.
"""

from followsun.connectors.base import (
    DELETED_STATUS,
    ImportResult,
    Page,
    RecordError,
    Reject,
    rows_frame,
    run_import,
)
from followsun.connectors.csv_import import (
    CsvMapping,
    CsvPreview,
    csv_pages,
    load_mapping,
    map_chunk,
    preview_csv,
)
from followsun.connectors.freshdesk import FreshdeskMapping, FreshdeskSource, freshdesk_pages
from followsun.connectors.http import HttpError, JsonClient, RetryPolicy, basic_auth
from followsun.connectors.runner import import_source, source_pages
from followsun.connectors.sources import SourceConfig, load_sources, save_source, sources_path
from followsun.connectors.zendesk import ZendeskMapping, ZendeskSource, zendesk_pages

__all__ = [
    "DELETED_STATUS",
    "CsvMapping",
    "CsvPreview",
    "FreshdeskMapping",
    "FreshdeskSource",
    "HttpError",
    "ImportResult",
    "JsonClient",
    "Page",
    "RecordError",
    "Reject",
    "RetryPolicy",
    "SourceConfig",
    "ZendeskMapping",
    "ZendeskSource",
    "basic_auth",
    "csv_pages",
    "freshdesk_pages",
    "import_source",
    "load_mapping",
    "load_sources",
    "map_chunk",
    "preview_csv",
    "rows_frame",
    "run_import",
    "save_source",
    "source_pages",
    "sources_path",
    "zendesk_pages",
]
