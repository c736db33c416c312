"""Freshdesk: the v2 tickets list by `updated_since` into canonical tickets.

    GET {url}/api/v2/tickets?updated_since=ISO&order_by=updated_at&order_type=asc
        &per_page=100&page=N&include=stats

Authentication is HTTP Basic with the API key as the user name and `X` as the password.
Pages are walked by key, not by number: after each page the next request starts at the
latest `updated_at` seen (page 1 again), so tickets updated while the export runs move to
its end instead of shifting the page numbers under it (which would skip tickets), and
the list's 300-page limit never applies. The page number only grows while a whole page
shares one `updated_at` second. The stored cursor is that instant (`updated_since`).

Mapping rules (`map_ticket`):
- `channel`: the numeric `source` through `FreshdeskMapping.channels` (1 email,
  2 portal -> web, 3 phone, 7 chat, 5/6 social, ...); unlisted -> `other_channel`.
- `status`: 2 open, 3 pending, 4 resolved -> solved, 5 closed; a custom status N ->
  'status_N'. A ticket flagged `deleted` is stored with status 'deleted', `spam` with
  'spam' (kept and marked, as for Zendesk).
- `first_reply_at`: `stats.first_responded_at`; `solved_at`: `stats.resolved_at`, else
  `stats.closed_at`.
- `language`: a custom field (`language_field`, values through `language_values`) when
  set and filled, else `default_language` (the ticket list carries no locale).
- `escalated`: `is_escalated` or one of `escalation_tags`; `tier` 2 with a `tier2_tags`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from followsun.connectors.base import (
    DELETED_STATUS,
    UNKNOWN_LANGUAGE,
    Page,
    RecordError,
    Reject,
    map_items,
    optional_instant,
    parse_instant,
    rows_frame,
)
from followsun.connectors.http import JsonClient, basic_auth

TICKETS_PATH = "/api/v2/tickets"
MAX_PER_PAGE = 100  # the list's documented maximum

DEFAULT_CHANNELS: Mapping[str, str] = {
    "1": "email",
    "2": "web",
    "3": "phone",
    "4": "web",  # forum
    "5": "social",  # Twitter
    "6": "social",  # Facebook
    "7": "chat",
    "8": "web",  # MobiHelp
    "9": "web",  # feedback widget
    "10": "email",  # outbound email
}
DEFAULT_STATUSES: Mapping[str, str] = {"2": "open", "3": "pending", "4": "solved", "5": "closed"}


@dataclass(frozen=True)
class FreshdeskMapping:
    """How Freshdesk fields become canonical columns (see the module docstring).

    Attributes:
        channels: `source` code (as text) -> our channel.
        other_channel: the channel of an unlisted source code.
        statuses: `status` code (as text) -> our status name.
        language_field: the custom field (its name) holding the customer's language.
        language_values: that field's values -> language tags (unlisted: used as given).
        default_language: the language when the field is absent or empty.
        tier2_tags: tags marking a Tier 2 ticket.
        escalation_tags: tags marking an escalated ticket (besides `is_escalated`).
    """

    channels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    other_channel: str = "other"
    statuses: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATUSES))
    language_field: str | None = None
    language_values: Mapping[str, str] = field(default_factory=dict)
    default_language: str = UNKNOWN_LANGUAGE
    tier2_tags: tuple[str, ...] = ()
    escalation_tags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FreshdeskMapping:
        """Build from a mapping file's contents; `channels` and `statuses` extend the defaults."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown Freshdesk mapping key(s) {', '.join(unknown)}")
        args: dict[str, Any] = dict(data)
        for name, default in (("channels", DEFAULT_CHANNELS), ("statuses", DEFAULT_STATUSES)):
            args[name] = {**default, **{str(k): str(v) for k, v in data.get(name, {}).items()}}
        args["language_values"] = {
            str(k): str(v) for k, v in data.get("language_values", {}).items()
        }
        for name in ("tier2_tags", "escalation_tags"):
            args[name] = tuple(str(t) for t in data.get(name, ()))
        return cls(**args)


def map_ticket(ticket: Mapping[str, Any], mapping: FreshdeskMapping, source: str) -> dict[str, Any]:
    """One listed ticket (with `include=stats`) as a canonical row.

    Raises:
        RecordError: no id, no readable `created_at` / `updated_at`, or no status.
    """
    ticket_id = ticket.get("id")
    if ticket_id is None or isinstance(ticket_id, bool) or str(ticket_id).strip() == "":
        raise RecordError("ticket has no id")
    created_at = parse_instant(ticket.get("created_at"), "created_at")
    updated_at = parse_instant(ticket.get("updated_at"), "updated_at")
    code = ticket.get("status")
    if code is None or isinstance(code, bool):
        raise RecordError(f"status {code!r} is not a status code")
    if ticket.get("deleted") is True:
        status = DELETED_STATUS
    elif ticket.get("spam") is True:
        status = "spam"
    else:
        status = mapping.statuses.get(str(code), f"status_{code}")
    stats = _object(ticket.get("stats"))
    solved_at = optional_instant(stats.get("resolved_at"), "stats.resolved_at")
    if solved_at is None:
        solved_at = optional_instant(stats.get("closed_at"), "stats.closed_at")
    tags = {str(t) for t in ticket.get("tags") or ()}
    return {
        "source": source,
        "ticket_id": str(ticket_id),
        "created_at": created_at,
        "updated_at": updated_at,
        "status": status,
        "channel": mapping.channels.get(str(ticket.get("source")), mapping.other_channel),
        "language": _language(ticket, mapping),
        "tier": 2 if tags & set(mapping.tier2_tags) else 1,
        "first_reply_at": optional_instant(
            stats.get("first_responded_at"), "stats.first_responded_at"
        ),
        "solved_at": solved_at,
        "handle_seconds": None,
        "escalated": ticket.get("is_escalated") is True
        or bool(tags & set(mapping.escalation_tags)),
        "csat": None,
        "region": None,
        "agent_id": None if ticket.get("responder_id") is None else str(ticket["responder_id"]),
    }


def map_page(
    body: Any, mapping: FreshdeskMapping, source: str
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Every ticket of one list answer as canonical rows, or as a refusal with its reason."""
    if not isinstance(body, list):
        raise RecordError("the tickets answer is not a JSON list")
    return map_items(body, lambda ticket: map_ticket(ticket, mapping, source))


@dataclass(frozen=True)
class FreshdeskSource:
    """Where and how to read one Freshdesk account (the key itself stays in the environment).

    Attributes:
        url: the account's base URL, e.g. https://acme.freshdesk.com (or a local stand-in).
        key_env: the name of the environment variable holding the API key.
        mapping: the field mapping.
        per_page: tickets per page (at most 100).
    """

    url: str
    key_env: str
    mapping: FreshdeskMapping = field(default_factory=FreshdeskMapping)
    per_page: int = MAX_PER_PAGE

    def client(self, key: str, **kwargs: Any) -> JsonClient:
        """An HTTP client authenticated with `key` (kwargs: JsonClient's policy, sleep)."""
        return JsonClient(self.url, basic_auth(key, "X"), **kwargs)


def freshdesk_pages(
    client: JsonClient,
    source: str,
    mapping: FreshdeskMapping,
    *,
    since: datetime | None = None,
    per_page: int = MAX_PER_PAGE,
) -> Iterator[Page]:
    """Tickets updated at or after `since` as pages, fetched one at a time.

    Args:
        client: the authenticated client on the account's base URL.
        source: the source name written on every ticket.
        mapping: the field mapping.
        since: the first update instant (default the epoch: without it Freshdesk lists
            only the last 30 days).
        per_page: tickets per page, 1 to 100.

    Raises:
        HttpError: an answer that retries could not fix.
        RecordError: an answer that is not a list of tickets.
    """
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page {per_page}: expected 1 to {MAX_PER_PAGE}")
    mark = (since or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    page = 1
    while True:
        params = {
            "updated_since": mark.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "order_by": "updated_at",
            "order_type": "asc",
            "per_page": per_page,
            "page": page,
            "include": "stats",
        }
        body = client.get(TICKETS_PATH, params).body
        rows, rejects = map_page(body, mapping, source)
        latest = max((r["updated_at"] for r in rows), default=mark).replace(microsecond=0)
        if latest > mark:
            mark, page = latest, 1
        else:
            page += 1  # a whole page within one second: step past it by number
        yield Page(rows_frame(rows), rejects, updated_since=mark, fetched=len(body))
        if len(body) < per_page:
            return


def _language(ticket: Mapping[str, Any], mapping: FreshdeskMapping) -> str:
    if mapping.language_field is not None:
        fields = ticket.get("custom_fields")
        value = fields.get(mapping.language_field) if isinstance(fields, Mapping) else None
        if isinstance(value, str) and value.strip():
            return mapping.language_values.get(value, value.strip())
    return mapping.default_language


def _object(value: Any) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else an empty one (a missing or null sub-object)."""
    return value if isinstance(value, Mapping) else {}
