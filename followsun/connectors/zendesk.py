"""Zendesk: the cursor-based incremental ticket export into canonical tickets.

    GET {url}/api/v2/incremental/tickets/cursor.json?start_time=EPOCH&include=metric_sets,users
    GET {url}/api/v2/incremental/tickets/cursor.json?cursor=AFTER_CURSOR&include=...

Each answer holds `tickets`, the side-loaded `metric_sets` (first reply and solve
times) and `users` (the requester's locale), `after_cursor` and `end_of_stream`. The
pages are requested from the configured base URL (never from the vendor's `after_url`),
so a local server can stand in for Zendesk. Authentication is an API token:
`{email}/token:{token}` in HTTP Basic.

Mapping rules (`map_ticket`):
- `channel`: `via.channel` through `ZendeskMapping.channels` (voice -> phone,
  native_messaging -> chat, twitter -> social, ...); an unlisted one -> `other_channel`.
- `language`: a custom field (`language_field_id`, its values through
  `language_values`) when set and filled, else the requester's locale ('en-US' -> 'en'),
  else `default_language`.
- `first_reply_at`: `created_at` + `metric_set.reply_time_in_minutes.calendar`;
  `solved_at`: `metric_set.solved_at`. Without a metric set both are empty.
- `escalated`: the ticket went through more than one group (`group_stations` > 1) or
  carries one of `escalation_tags`; `tier` is 2 with one of `tier2_tags`, else 1.
- `csat`: `satisfaction_rating.score` good -> 1.0, bad -> 0.0, otherwise empty.
- Deleted tickets (status `deleted`) are kept and marked: their row is stored with
  status `deleted` (never removed), so re-runs stay idempotent and history can show
  them; `forecasting.kpis` leaves them out of every figure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from followsun.connectors.base import (
    UNKNOWN_LANGUAGE,
    Page,
    RecordError,
    Reject,
    language_tag,
    map_items,
    optional_instant,
    parse_instant,
    rows_frame,
)
from followsun.connectors.http import JsonClient, basic_auth

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
SIDE_LOADS = "metric_sets,users"
MAX_PER_PAGE = 1000  # the export's documented maximum

DEFAULT_CHANNELS: Mapping[str, str] = {
    "web": "web",
    "web_form": "web",
    "web_widget": "web",
    "mobile": "web",
    "mobile_sdk": "web",
    "api": "web",
    "email": "email",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "voice": "phone",
    "phone": "phone",
    "twitter": "social",
    "facebook": "social",
    "instagram_dm": "social",
    "whatsapp": "social",
    "sms": "social",
}


@dataclass(frozen=True)
class ZendeskMapping:
    """How Zendesk fields become canonical columns (see the module docstring).

    Attributes:
        channels: `via.channel` -> our channel.
        other_channel: the channel of a `via.channel` not in `channels`.
        language_field_id: the custom field holding the customer's language, if any.
        language_values: that field's values -> language tags (unlisted: used as given).
        default_language: the language when neither the field nor the locale says.
        tier2_tags: tags marking a Tier 2 ticket.
        escalation_tags: tags marking an escalated ticket.
        handle_field_id: a custom field holding the handle time in seconds, if any.
    """

    channels: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    other_channel: str = "other"
    language_field_id: int | None = None
    language_values: Mapping[str, str] = field(default_factory=dict)
    default_language: str = UNKNOWN_LANGUAGE
    tier2_tags: tuple[str, ...] = ()
    escalation_tags: tuple[str, ...] = ()
    handle_field_id: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ZendeskMapping:
        """Build from a mapping file's contents; `channels` extend the defaults."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown Zendesk mapping key(s) {', '.join(unknown)}")
        args: dict[str, Any] = dict(data)
        args["channels"] = {
            **DEFAULT_CHANNELS,
            **{str(k): str(v) for k, v in data.get("channels", {}).items()},
        }
        args["language_values"] = {
            str(k): str(v) for k, v in data.get("language_values", {}).items()
        }
        for name in ("tier2_tags", "escalation_tags"):
            args[name] = tuple(str(t) for t in data.get(name, ()))
        return cls(**args)


def map_ticket(
    ticket: Mapping[str, Any],
    metric_set: Mapping[str, Any] | None,
    requester: Mapping[str, Any] | None,
    mapping: ZendeskMapping,
    source: str,
) -> dict[str, Any]:
    """One exported ticket (with its side-loaded metric set and requester) as a canonical row.

    Raises:
        RecordError: the ticket has no id, or no readable `created_at` / `updated_at`.
    """
    ticket_id = ticket.get("id")
    if ticket_id is None or isinstance(ticket_id, bool) or str(ticket_id).strip() == "":
        raise RecordError("ticket has no id")
    created_at = parse_instant(ticket.get("created_at"), "created_at")
    updated_at = parse_instant(ticket.get("updated_at"), "updated_at")
    status = ticket.get("status")
    if not isinstance(status, str) or not status:
        raise RecordError(f"status {status!r} is not a status name")
    via = _object(ticket.get("via"))
    via_channel = str(via.get("channel") or "")
    channel = mapping.channels.get(via_channel, mapping.other_channel)
    tags = {str(t) for t in ticket.get("tags") or ()}
    fields = _custom_fields(ticket)
    first_reply_at = solved_at = None
    group_stations = 0
    if metric_set is not None:
        reply = metric_set.get("reply_time_in_minutes")
        minutes = reply.get("calendar") if isinstance(reply, Mapping) else None
        if isinstance(minutes, int | float) and not isinstance(minutes, bool):
            if minutes < 0:
                raise RecordError(f"reply_time_in_minutes.calendar {minutes} is negative")
            first_reply_at = created_at + timedelta(minutes=float(minutes))
        solved_at = optional_instant(metric_set.get("solved_at"), "metric_set.solved_at")
        stations = metric_set.get("group_stations")
        group_stations = int(stations) if isinstance(stations, int) else 0
    handle_seconds = None
    if mapping.handle_field_id is not None:
        handle_seconds = _number(fields.get(mapping.handle_field_id), "handle time field")
    return {
        "source": source,
        "ticket_id": str(ticket_id),
        "created_at": created_at,
        "updated_at": updated_at,
        "status": status,
        "channel": channel,
        "language": _language(fields, requester, mapping),
        "tier": 2 if tags & set(mapping.tier2_tags) else 1,
        "first_reply_at": first_reply_at,
        "solved_at": solved_at,
        "handle_seconds": handle_seconds,
        "escalated": group_stations > 1 or bool(tags & set(mapping.escalation_tags)),
        "csat": _csat(ticket.get("satisfaction_rating")),
        "region": None,
        "agent_id": None if ticket.get("assignee_id") is None else str(ticket["assignee_id"]),
    }


def map_page(
    body: Mapping[str, Any], mapping: ZendeskMapping, source: str
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Every ticket of one export answer as canonical rows, or as a refusal with its reason."""
    tickets = body.get("tickets")
    if not isinstance(tickets, list):
        raise RecordError("the export answer has no 'tickets' list")
    metrics = _by_key(body.get("metric_sets"), "ticket_id")
    users = _by_key(body.get("users"), "id")
    return map_items(
        tickets,
        lambda ticket: map_ticket(
            ticket,
            metrics.get(_key(ticket.get("id"))),
            users.get(_key(ticket.get("requester_id"))),
            mapping,
            source,
        ),
    )


def _key(value: Any) -> int | str | None:
    """An id usable as a key; None for anything else (a list or object where an id belongs)."""
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _by_key(items: Any, key: str) -> dict[int | str | None, Mapping[str, Any]]:
    """Side-loaded records by their id; a side-load that is not a list counts as absent."""
    if not isinstance(items, list):
        return {}
    found = {_key(i.get(key)): i for i in items if isinstance(i, Mapping)}
    found.pop(None, None)
    return found


@dataclass(frozen=True)
class ZendeskSource:
    """Where and how to read one Zendesk account (the token itself stays in the environment).

    Attributes:
        url: the account's base URL, e.g. https://acme.zendesk.com (or a local stand-in).
        email: the agent email the API token belongs to.
        token_env: the name of the environment variable holding the API token.
        mapping: the field mapping.
        per_page: tickets per export page (at most 1000).
    """

    url: str
    email: str
    token_env: str
    mapping: ZendeskMapping = field(default_factory=ZendeskMapping)
    per_page: int = MAX_PER_PAGE

    def client(self, token: str, **kwargs: Any) -> JsonClient:
        """An HTTP client authenticated with `token` (kwargs: JsonClient's policy, sleep)."""
        return JsonClient(self.url, basic_auth(f"{self.email}/token", token), **kwargs)


def zendesk_pages(
    client: JsonClient,
    source: str,
    mapping: ZendeskMapping,
    *,
    start: datetime | None = None,
    cursor: str | None = None,
    per_page: int = MAX_PER_PAGE,
) -> Iterator[Page]:
    """The export as pages, fetched one at a time, from `cursor` or else from `start`.

    Args:
        client: the authenticated client on the account's base URL.
        source: the source name written on every ticket.
        mapping: the field mapping.
        start: export tickets updated at or after this instant (default the epoch).
        cursor: resume after this stored `after_cursor` (wins over `start`).
        per_page: tickets per page, 1 to 1000.

    Raises:
        HttpError: an answer that retries could not fix.
        RecordError: an answer that is not an export page.
    """
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page {per_page}: expected 1 to {MAX_PER_PAGE}")
    while True:
        params: dict[str, Any] = {"include": SIDE_LOADS, "per_page": per_page}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            begin = start or datetime(1970, 1, 1, tzinfo=UTC)
            params["start_time"] = int(begin.timestamp())
        body = client.get(EXPORT_PATH, params).body
        if not isinstance(body, Mapping):
            raise RecordError("the export answer is not a JSON object")
        rows, rejects = map_page(body, mapping, source)
        after = body.get("after_cursor")
        end = bool(body.get("end_of_stream"))
        if not after and not end:
            raise RecordError("the export answer has neither after_cursor nor end_of_stream")
        stuck = after == cursor and not rows and not rejects
        cursor = str(after) if after else cursor
        yield Page(rows_frame(rows), rejects, cursor=cursor, fetched=len(body["tickets"]))
        if end or stuck:
            return


def _custom_fields(ticket: Mapping[str, Any]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for item in ticket.get("custom_fields") or ():
        if isinstance(item, Mapping) and isinstance(item.get("id"), int):
            found[item["id"]] = item.get("value")
    return found


def _language(
    fields: Mapping[int, Any], requester: Mapping[str, Any] | None, mapping: ZendeskMapping
) -> str:
    if mapping.language_field_id is not None:
        value = fields.get(mapping.language_field_id)
        if isinstance(value, str) and value.strip():
            return mapping.language_values.get(value, value.strip())
    if requester is not None:
        tag = language_tag(requester.get("locale"))
        if tag:
            return tag
    return mapping.default_language


def _csat(rating: Any) -> float | None:
    score = rating.get("score") if isinstance(rating, Mapping) else None
    return {"good": 1.0, "bad": 0.0}.get(score) if isinstance(score, str) else None


def _number(value: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{what} {value!r} is not a number") from exc
    if not number >= 0:
        raise RecordError(f"{what} {value!r} is not a number of seconds >= 0")
    return number


def _object(value: Any) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else an empty one (a missing or null sub-object)."""
    return value if isinstance(value, Mapping) else {}
