"""A small JSON-over-HTTP client on the standard library, with bounded, polite retries.

Vendors rate-limit their APIs (Zendesk's incremental export allows 10 requests a minute;
Freshdesk a plan-dependent number per minute) and answer HTTP 429 with a `Retry-After`
header: the client waits exactly that long. A 5xx answer or a dropped connection is
retried with exponential backoff up to a bound; any other error is raised at once,
because retrying a 401 or a 404 cannot succeed.

Credentials are guarded here, in one place: the base URL must be HTTPS (plain HTTP
only to a loopback address, and only when the caller allows it, for a local stand-in);
a URL carrying a user or password is refused (secrets come from the environment); and
the `Authorization` header is dropped when a redirect leads to another scheme, host or
port, so a vendor's redirect can never hand the token to a third party.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Sleep = Callable[[float], None]


class HttpError(Exception):
    """A request that failed for good (after any retries): status 0 means no answer at all.

    Attributes:
        status: the HTTP status of the last answer, 0 when the connection failed.
        url: the URL requested, without credentials.
        detail: the start of the answer's body or the connection error, for the message.
    """

    def __init__(self, status: int, url: str, detail: str) -> None:
        self.status = status
        self.url = url
        self.detail = detail
        what = f"HTTP {status}" if status else "no answer"
        super().__init__(f"GET {url}: {what}: {detail}")

    @property
    def is_auth(self) -> bool:
        """True when the vendor refused the credentials (401 or 403)."""
        return self.status in (401, 403)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        max_attempts: requests per URL in all (the first one included).
        backoff_s: the wait before the first retry of a 5xx or a dropped connection;
            doubled on every further retry.
        max_backoff_s: the longest backoff between two attempts.
        max_retry_after_s: the longest `Retry-After` waited for as asked; a longer one
            ends the import (resume it later from its cursor).
        timeout_s: the socket timeout of one request.
    """

    max_attempts: int = 6
    backoff_s: float = 1.0
    max_backoff_s: float = 120.0
    max_retry_after_s: float = 900.0
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_s < 0 or self.max_backoff_s < 0 or self.timeout_s <= 0:
            raise ValueError("backoff_s and max_backoff_s must be >= 0 and timeout_s > 0")


@dataclass(frozen=True)
class Response:
    """A decoded JSON answer.

    Attributes:
        body: the parsed JSON document.
        headers: the answer's headers (names lower-cased).
        attempts: requests it took (1 when nothing was retried).
    """

    body: Any
    headers: Mapping[str, str]
    attempts: int


def redacted(url: str) -> str:
    """`url` without any user or password, safe to print or store."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:
        return "(an unreadable URL)"
    if ":" in host:
        host = f"[{host}]"
    return urllib.parse.urlunsplit((parsed.scheme, host + port, parsed.path, "", ""))


def is_loopback(host: str | None) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, allow_http_loopback: bool = False) -> str:
    """A vendor base URL fit to receive credentials, without a trailing slash.

    Raises:
        ValueError: not https://host (plain http only to a loopback address when
            `allow_http_loopback`), or a user or password written into the URL. The
            message never repeats the password.
    """
    shown = redacted(url)
    try:
        parsed = urllib.parse.urlsplit(url.strip())
        parsed.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"URL {shown}: not a valid URL ({exc})") from None
    if parsed.username is not None or parsed.password is not None:
        raise ValueError(
            f"URL {shown}: a user or password inside the URL is refused (it would be "
            "stored and printed); give the secret through its environment variable"
        )
    if not parsed.hostname or parsed.scheme not in ("http", "https"):
        raise ValueError(f"URL {shown}: expected https://host[:port][/prefix]")
    if parsed.scheme == "http":
        if not is_loopback(parsed.hostname):
            raise ValueError(
                f"URL {shown}: plain http would send the credentials unencrypted; use https"
            )
        if not allow_http_loopback:
            raise ValueError(
                f"URL {shown}: plain http to a local stand-in needs --allow-http-loopback"
            )
    return url.strip().rstrip("/")


class _SameOriginAuthRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but drop `Authorization` when the origin changes."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(new.full_url) != _origin(req.full_url):
            for held in (new.headers, new.unredirected_hdrs):
                for name in [k for k in held if k.lower() == "authorization"]:
                    del held[name]
        return new


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    return (parsed.scheme, (parsed.hostname or "").lower(), parsed.port or default)


_OPENER = urllib.request.build_opener(_SameOriginAuthRedirects())


def basic_auth(user: str, password: str) -> str:
    """The value of an HTTP Basic `Authorization` header for `user` and `password`."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay in seconds, or an HTTP date).

    Returns None when the header is absent or unreadable (the caller backs off instead).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class JsonClient:
    """GET JSON documents below one base URL, retrying 429, 5xx and dropped connections.

    Args:
        base_url: scheme and host (and a path prefix), e.g. https://acme.zendesk.com; a
            local server can stand in for the vendor.
        authorization: the `Authorization` header value, e.g. from `basic_auth`.
        policy: the retry bounds.
        sleep: how to wait (injectable so tests do not wait).
        allow_http_loopback: accept plain http to a loopback address (a local stand-in).

    Raises:
        ValueError: the base URL is refused (see `check_base_url`).
    """

    def __init__(
        self,
        base_url: str,
        authorization: str | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        *,
        allow_http_loopback: bool = False,
    ) -> None:
        self.base_url = check_base_url(base_url, allow_http_loopback)
        self._authorization = authorization
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self.requests = 0  # requests sent, retries included (for progress and tests)
        self.waited_s = 0.0  # total time asked to sleep between attempts

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The absolute URL of `path` (below the base URL) with query `params`."""
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
        return f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        """GET `path` with `params` and decode its JSON body.

        Raises:
            HttpError: a non-retryable answer, a body that is not JSON, or the retries
                ran out.
        """
        url = self.url(path, params)
        headers = {"Accept": "application/json", "User-Agent": "followsun-import/1"}
        if self._authorization:
            headers["Authorization"] = self._authorization
        backoff_s = self.policy.backoff_s
        for attempt in range(1, self.policy.max_attempts + 1):
            self.requests += 1
            wait_s: float
            try:
                request = urllib.request.Request(url, headers=headers, method="GET")
                with _OPENER.open(request, timeout=self.policy.timeout_s) as answer:
                    raw = answer.read()
                    got = {k.lower(): v for k, v in answer.headers.items()}
                try:
                    return Response(json.loads(raw), got, attempt)
                except ValueError as exc:
                    raise HttpError(200, url, f"the body is not JSON ({exc})") from exc
            except urllib.error.HTTPError as exc:
                detail = _body_start(exc)
                if exc.code == 429:
                    asked = retry_after_s(exc.headers.get("Retry-After"))
                    if asked is not None and asked > self.policy.max_retry_after_s:
                        raise HttpError(429, url, f"rate limited for {asked:.0f} s") from exc
                    wait_s = min(backoff_s, self.policy.max_backoff_s) if asked is None else asked
                elif exc.code >= 500:
                    wait_s = backoff_s
                    backoff_s = min(backoff_s * 2, self.policy.max_backoff_s)
                else:
                    raise HttpError(exc.code, url, detail) from exc
                last = HttpError(exc.code, url, detail)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = HttpError(0, url, str(reason))
                wait_s = backoff_s
                backoff_s = min(backoff_s * 2, self.policy.max_backoff_s)
            if attempt == self.policy.max_attempts:
                raise last
            self.waited_s += wait_s
            self._sleep(wait_s)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _body_start(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(300).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or str(error.reason)
