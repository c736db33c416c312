"""Local stand-ins for the Zendesk and Freshdesk APIs, speaking their documented shapes.

`StandIn` runs an HTTP server on 127.0.0.1 in a thread. Faults are scripted by request
number (a 429 with Retry-After, a 500), and the server counts its successful answers so
tests can check that the importer fetches one page only after committing the previous.
Used by the connector tests and by bench/helpdesk.py.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], Any]


@dataclass
class StandIn:
    """A scripted HTTP server; `respond(path, query)` makes the answers of a vendor."""

    respond: Callable[[str, Mapping[str, str]], Answer]
    authorization: str | None = None
    faults: dict[int, tuple[int, dict[str, str]]] = field(default_factory=dict)
    requests: int = 0
    ok_answers: int = 0
    log: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Answer:
        self.requests += 1
        self.log.append(raw_path)
        fault = self.faults.get(self.requests)
        if fault is not None:
            return fault[0], fault[1], {"error": "scripted fault"}
        if self.authorization is not None and headers.get("Authorization") != self.authorization:
            return 401, {}, {"error": "Couldn't authenticate you"}
        parts = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        status, extra, body = self.respond(parts.path, query)
        if status == 200:
            self.ok_answers += 1
        return status, extra, body

    @contextmanager
    def serve(self) -> Iterator[StandIn]:
        """Run the server until the block ends; `self.url` is its base URL."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                status, extra, body = stand_in.answer(self.path, dict(self.headers.items()))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def iso(when: datetime) -> str:
    """ISO 8601 in UTC with a Z, as both vendors write it."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class ZendeskData:
    """Tickets, metric sets and users of a fake Zendesk account, exported by cursor.

    The export orders tickets by (updated_at, id); a cursor is that position, base64.
    `repeat_boundary` repeats the previous page's last ticket at the top of the next
    page, as the real export may when a ticket changes while it is read.
    """

    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    metric_sets: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    repeat_boundary: bool = False

    def add(
        self,
        ticket_id: int,
        created: datetime,
        *,
        updated: datetime | None = None,
        status: str = "open",
        channel: str = "web",
        locale: str = "en-US",
        reply_min: int | None = 30,
        solved: datetime | None = None,
        group_stations: int = 1,
        score: str | None = None,
        tags: tuple[str, ...] = (),
        drop: tuple[str, ...] = (),
    ) -> None:
        """Add or replace a ticket (with its metric set and requester)."""
        requester = 1000 + ticket_id % 7
        ticket: dict[str, Any] = {
            "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id}.json",
            "id": ticket_id,
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(created),
            "updated_at": iso(updated or created),
            "status": status,
            "requester_id": requester,
            "tags": list(tags),
            "custom_fields": [],
            "satisfaction_rating": {"score": score} if score else None,
            "generated_timestamp": int((updated or created).timestamp()),
        }
        for name in drop:
            ticket.pop(name, None)
        self.tickets[ticket_id] = ticket
        self.metric_sets[ticket_id] = {
            "ticket_id": ticket_id,
            "group_stations": group_stations,
            "replies": 1,
            "solved_at": iso(solved) if solved else None,
            "reply_time_in_minutes": {"calendar": reply_min, "business": reply_min},
        }
        self.users[requester] = {"id": requester, "locale": locale}

    def update(self, ticket_id: int, when: datetime, **changes: Any) -> None:
        """Change a ticket at `when` (it moves to the end of the export)."""
        ticket = self.tickets[ticket_id]
        ticket.update(changes)
        ticket["updated_at"] = iso(when)
        ticket["generated_timestamp"] = int(when.timestamp())

    def _position(self, ticket: Mapping[str, Any]) -> tuple[int, int]:
        return int(ticket["generated_timestamp"]), int(ticket["id"])

    def respond(self, path: str, query: Mapping[str, str]) -> Answer:
        if path != "/api/v2/incremental/tickets/cursor.json":
            return 404, {}, {"error": "InvalidEndpoint"}
        per_page = int(query.get("per_page", "1000"))
        ordered = sorted(self.tickets.values(), key=self._position)
        if "cursor" in query:
            ts, tid = base64.b64decode(query["cursor"]).decode().split("|")
            after = (int(ts), int(tid))
            rest = [t for t in ordered if self._position(t) > after]
            boundary = [t for t in ordered if self._position(t) == after]
        elif "start_time" in query:
            start = int(query["start_time"])
            after = (start - 1, 2**62)
            rest = [t for t in ordered if self._position(t)[0] >= start]
            boundary = []
        else:
            return 400, {}, {"error": "start_time or cursor required"}
        page = rest[:per_page]
        if self.repeat_boundary and boundary and page:
            page = boundary + page[: per_page - 1]
        last = self._position(page[-1]) if page else after
        cursor = base64.b64encode(f"{last[0]}|{last[1]}".encode()).decode()
        ids = {t["id"] for t in page}
        requesters = {t.get("requester_id") for t in page}
        body = {
            "tickets": page,
            "metric_sets": [m for k, m in self.metric_sets.items() if k in ids],
            "users": [u for k, u in self.users.items() if k in requesters],
            "after_url": f"/api/v2/incremental/tickets/cursor.json?cursor={cursor}",
            "after_cursor": cursor,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": len(rest) <= per_page,
        }
        return 200, {}, body


@dataclass
class FreshdeskData:
    """Tickets of a fake Freshdesk account, listed by updated_since and page number."""

    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        ticket_id: int,
        created: datetime,
        *,
        updated: datetime | None = None,
        status: int = 2,
        source: int = 2,
        first_response: timedelta | None = timedelta(minutes=20),
        resolved: datetime | None = None,
        escalated: bool = False,
        deleted: bool = False,
        drop: tuple[str, ...] = (),
    ) -> None:
        """Add or replace a ticket with its stats."""
        ticket: dict[str, Any] = {
            "id": ticket_id,
            "created_at": iso(created),
            "updated_at": iso(updated or created),
            "status": status,
            "source": source,
            "is_escalated": escalated,
            "tags": [],
            "custom_fields": {},
            "stats": {
                "first_responded_at": iso(created + first_response) if first_response else None,
                "resolved_at": iso(resolved) if resolved else None,
                "closed_at": None,
            },
        }
        if deleted:
            ticket["deleted"] = True
        for name in drop:
            ticket.pop(name, None)
        self.tickets[ticket_id] = ticket

    def update(self, ticket_id: int, when: datetime, **changes: Any) -> None:
        ticket = self.tickets[ticket_id]
        ticket.update(changes)
        ticket["updated_at"] = iso(when)

    def respond(self, path: str, query: Mapping[str, str]) -> Answer:
        if path != "/api/v2/tickets":
            return 404, {}, {"code": "invalid_path"}
        since = datetime.fromisoformat(query["updated_since"])
        per_page = int(query.get("per_page", "30"))
        page = int(query.get("page", "1"))
        chosen = [
            t
            for t in self.tickets.values()
            if "updated_at" not in t or datetime.fromisoformat(t["updated_at"]) >= since
        ]
        chosen.sort(key=lambda t: (t.get("updated_at", ""), t["id"]))
        body = chosen[(page - 1) * per_page : page * per_page]
        return 200, {}, body


@dataclass
class SyntheticZendesk:
    """A Zendesk export of `size` tickets made up page by page (nothing held in memory).

    Ticket i (1-based) is created and updated at `start` + i * `step_s` seconds; the
    cursor is the last ticket id. Used by bench/helpdesk.py at a million tickets.
    """

    size: int
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    step_s: int = 20

    def ticket(self, i: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        created = self.start + timedelta(seconds=i * self.step_s)
        requester = 10_000 + i % 5_000
        channel = ("web", "email", "chat", "voice", "api", "twitter")[i % 6]
        solved = i % 3 != 0
        ticket = {
            "url": f"https://example.zendesk.com/api/v2/tickets/{i}.json",
            "id": i,
            "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(created),
            "updated_at": iso(created + timedelta(hours=5)),
            "status": "solved" if solved else "open",
            "subject": "Bench ticket",
            "requester_id": requester,
            "tags": ["tier2"] if i % 9 == 0 else [],
            "custom_fields": [],
            "satisfaction_rating": {"score": "good" if i % 4 else "bad"} if i % 5 == 0 else None,
            "generated_timestamp": int(created.timestamp()),
        }
        metric = {
            "ticket_id": i,
            "group_stations": 2 if i % 7 == 0 else 1,
            "replies": 1,
            "solved_at": iso(created + timedelta(hours=4)) if solved else None,
            "reply_time_in_minutes": {"calendar": i % 240, "business": i % 240},
        }
        user = {"id": requester, "locale": ("en-US", "zh-TW", "ja", "nl")[requester % 4]}
        return ticket, metric, user

    def respond(self, path: str, query: Mapping[str, str]) -> Answer:
        if path != "/api/v2/incremental/tickets/cursor.json":
            return 404, {}, {"error": "InvalidEndpoint"}
        per_page = int(query.get("per_page", "1000"))
        after = int(base64.b64decode(query["cursor"]).decode()) if "cursor" in query else 0
        last = min(self.size, after + per_page)
        made = [self.ticket(i) for i in range(after + 1, last + 1)]
        users = {u["id"]: u for _, _, u in made}
        cursor = base64.b64encode(str(last).encode()).decode()
        body = {
            "tickets": [t for t, _, _ in made],
            "metric_sets": [m for _, m, _ in made],
            "users": list(users.values()),
            "after_cursor": cursor,
            "after_url": f"/api/v2/incremental/tickets/cursor.json?cursor={cursor}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": last >= self.size,
        }
        return 200, {}, body
