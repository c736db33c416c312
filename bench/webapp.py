"""Web app bench: the roster page for 500 agents over 4 weeks, and API latency under 20 clients.

The page is timed through the Flask test client (server-side work: store read, figure,
template). The API is served by waitress on loopback (as `followsun serve` does) and
hit by 20 client threads, each logged in with its own session, a bounded number of
requests each; p50 and p95 are over every request.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import multiprocessing
import os
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

AGENTS = 500
DAYS = 28
PAGE_RUNS = 5
CLIENTS = 20
REQUESTS_PER_CLIENT = 50
API_PATHS = ("/api/jobs", "/api/rosters", "/api/runs")
PASSWORD = "bench-password-long"
PAGE_TARGET_S = 1.0
THREADS = int(os.environ.get("FOLLOWSUN_BENCH_THREADS", "8"))
P95_TARGET_MS = 200.0


def synthetic_roster(agents: int, days: int):  # type: ignore[no-untyped-def]
    """`agents` agents on three sites, five 8-hour shifts a week each, for `days` days."""
    import pandas as pd

    sites = (("ams", "Europe/Amsterdam"), ("tpe", "Asia/Taipei"), ("sjc", "America/Los_Angeles"))
    rows = []
    for a in range(agents):
        site, zone = sites[a % len(sites)]
        for d in range(days):
            if (d + a) % 7 >= 5:
                continue
            day = date(2027, 3, 1) + timedelta(days=d)
            start = pd.Timestamp(f"{day.isoformat()} 09:00", tz=zone)
            rows.append(
                {
                    "agent_id": f"{site}-{a}",
                    "site": site,
                    "timezone": zone,
                    "date_local": day.isoformat(),
                    "start_local": "09:00",
                    "end_local": "17:00",
                    "start_utc": start.tz_convert("UTC"),
                    "end_utc": (start + pd.Timedelta(hours=8)).tz_convert("UTC"),
                    "shift": "day",
                    "tier": 1 + a % 2,
                    "skills": "chat/en;email/en",
                    "breaks": "",
                }
            )
    return pd.DataFrame(rows)


def _logged_in(base: str) -> tuple[urllib.request.OpenerDirector, str]:
    """An opener logged in as the bench account (through the form, with CSRF), and its cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found is not None
    form = {"username": "bench", "password": PASSWORD, "csrf_token": found.group(1)}
    opener.open(f"{base}/login", urllib.parse.urlencode(form).encode()).read()
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def api_latencies(base: str, keep_alive: bool) -> list[float]:
    """Seconds per request of CLIENTS concurrent clients, REQUESTS_PER_CLIENT each.

    Without keep-alive each request opens a connection of its own (urllib); with it, each
    client sends all its requests over one connection, as a browser does.
    """
    sessions = [_logged_in(base) for _ in range(CLIENTS)]
    latencies: list[float] = []
    lock = threading.Lock()
    start_line = threading.Barrier(CLIENTS)
    host = urllib.parse.urlsplit(base)

    def client(opener: urllib.request.OpenerDirector, cookie: str) -> None:
        mine = []
        connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=60)
        start_line.wait()
        for i in range(REQUESTS_PER_CLIENT):
            path = API_PATHS[i % len(API_PATHS)]
            begin = time.perf_counter()
            if keep_alive:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                status = response.status
            else:
                with opener.open(base + path) as answer:
                    answer.read()
                    status = answer.status
            mine.append(time.perf_counter() - begin)
            assert status == 200, status
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=session) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def _load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(latencies)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def run() -> str:
    """Measure and return the Markdown section."""
    import logging

    import waitress.server

    from followsun.services.accounts import add_user
    from followsun.store import init_db, session_scope
    from followsun.store.rosters import save_roster
    from webapp import create_app

    load_before = _load()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        engine = init_db(url)
        frame = synthetic_roster(AGENTS, DAYS)
        with session_scope(engine) as session:
            roster_id = save_roster(session, "bench", frame).id
            warm_id = save_roster(session, "warm-up", synthetic_roster(3, 7)).id
        engine.dispose()
        add_user("bench", "viewer", PASSWORD, url)
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
                "OUTPUT_DIR": folder,
                "SESSION_COOKIE_SECURE": False,
            }
        )
        client = app.test_client()
        with client.session_transaction() as session:
            session["user_id"] = 1
        # Imports and templates load on the app's first page: another roster's, not timed.
        assert client.get(f"/rosters/{warm_id}").status_code == 200
        page_times = []
        for _ in range(PAGE_RUNS + 1):
            begin = time.perf_counter()
            response = client.get(f"/rosters/{roster_id}")
            page_times.append(time.perf_counter() - begin)
            assert response.status_code == 200 and f"{AGENTS} agents" in response.text
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" lines
        server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=THREADS)
        serving = threading.Thread(target=server.run, daemon=True)
        serving.start()
        try:
            base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
            # The clients run in a process of their own, as real clients would: in the
            # server's process their threads would compete with it for the GIL.
            with multiprocessing.get_context("spawn").Pool(1) as clients:
                latencies = {
                    keep: clients.apply(api_latencies, (base, keep)) for keep in (False, True)
                }
        finally:
            server.task_dispatcher.shutdown()  # type: ignore[union-attr]
            server.close()
            serving.join(timeout=10)
    first_s, page_s = page_times[0], statistics.median(page_times[1:])
    load_after = _load()
    fresh, kept = _percentiles(latencies[False]), _percentiles(latencies[True])
    requests = len(latencies[True])
    return f"""## Web app

The roster page (`/rosters/ID`, every agent drawn) for {AGENTS} agents over {DAYS} days
({len(frame)} shifts) through the Flask test client: the version's first request (shifts
read from the store, figure built; the app has served another roster page before, so
imports and templates are loaded) and the median of the {PAGE_RUNS} after it (the
version's drawn timeline kept in memory). The JSON API ({", ".join(API_PATHS)} in turn) served by waitress
({THREADS} threads) on loopback to {CLIENTS} concurrent logged-in clients in a process of
their own, {REQUESTS_PER_CLIENT} requests each ({requests} in all), once with a new
connection per request and once over one kept-alive connection per client (as browsers
do), on a SQLite store (`python -m bench webapp`).

| measure | value | target |
|---|---|---|
| roster page, {AGENTS} agents x {DAYS} days, version's first request | {first_s:.3f} s | < {PAGE_TARGET_S:g} s |
| roster page, {AGENTS} agents x {DAYS} days, again | {page_s:.3f} s | < {PAGE_TARGET_S:g} s |
| API p50, {CLIENTS} clients, a connection per request | {fresh[0]:.1f} ms | |
| API p95, {CLIENTS} clients, a connection per request | {fresh[1]:.1f} ms | < {P95_TARGET_MS:g} ms |
| API p50, {CLIENTS} clients, kept-alive connections | {kept[0]:.1f} ms | |
| API p95, {CLIENTS} clients, kept-alive connections | {kept[1]:.1f} ms | < {P95_TARGET_MS:g} ms |

Load average at the start: {load_before}; at the end: {load_after} (`uptime`: the machine
is shared, and every figure here grows with the load).
"""
