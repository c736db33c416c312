"""Credentials: HTTPS only, never across a redirect to another host, never stored or printed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from followsun.cli import main
from followsun.connectors import JsonClient, SourceConfig, save_source
from followsun.connectors.http import basic_auth, check_base_url, redacted
from followsun.errors import InputError

SECRET = "s3cr3t-token"


@pytest.mark.parametrize(
    ("url", "allow", "expected"),
    [
        ("http://acme.zendesk.com", True, "plain http would send the credentials unencrypted"),
        ("http://127.0.0.1:8080", False, "needs --allow-http-loopback"),
        ("ftp://acme.zendesk.com", True, "expected https://host"),
        ("https://", True, "expected https://host"),
        ("https://acme.zendesk.com:99999", True, "not a valid URL"),
        (f"https://agent:{SECRET}@acme.zendesk.com", True, "a user or password inside the URL"),
        (f"https://{SECRET}@acme.zendesk.com", True, "a user or password inside the URL"),
    ],
)
def test_refused_urls(url: str, allow: bool, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as caught:
        check_base_url(url, allow)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "allow"),
    [
        ("https://acme.zendesk.com/", False),
        ("http://127.0.0.1:8080", True),
        ("http://localhost", True),
        ("http://[::1]:9000/api", True),
    ],
)
def test_accepted_urls(url: str, allow: bool) -> None:
    assert check_base_url(url, allow) == url.rstrip("/")


def test_redacted_drops_user_and_password() -> None:
    assert redacted(f"https://a:{SECRET}@h.example:8443/x?q=1") == "https://h.example:8443/x"


@contextmanager
def server(
    seen: list[dict[str, str]], redirect_to: str | None = None, host: str = "127.0.0.1"
) -> Iterator[str]:
    """A loopback server recording each request's headers; it answers JSON, or redirects
    to `redirect_to` (a base URL: the same path there; or a path on this server)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            seen.append(dict(self.headers.items()))
            if redirect_to is not None and self.path != redirect_to:
                self.send_response(302)
                local = redirect_to.startswith("/")
                self.send_header("Location", redirect_to if local else redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps({"ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    httpd = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("other_host", [True, False])
def test_authorization_is_not_sent_across_a_redirect_to_another_origin(other_host: bool) -> None:
    first: list[dict[str, str]] = []
    final: list[dict[str, str]] = []
    # 127.0.0.2 is loopback too but another host; the same host on another port is
    # another origin as well.
    host = "127.0.0.2" if other_host else "127.0.0.1"
    with server(final, host=host) as elsewhere, server(first, redirect_to=elsewhere) as start:
        client = JsonClient(start, basic_auth("me", SECRET), allow_http_loopback=True)
        assert client.get("api/v2/tickets").body == {"ok": True}
    assert first[0]["Authorization"] == basic_auth("me", SECRET)
    assert len(final) == 1 and "Authorization" not in final[0]


def test_authorization_follows_a_redirect_within_the_origin() -> None:
    seen: list[dict[str, str]] = []
    with server(seen, redirect_to="/new") as url:
        JsonClient(url, basic_auth("me", SECRET), allow_http_loopback=True).get("old")
    assert [h.get("Authorization") for h in seen] == [basic_auth("me", SECRET)] * 2


def test_a_source_is_checked_before_it_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "sources.json"
    bad = [
        SourceConfig("zd", "zendesk", "http://acme.zendesk.com", "ZD_TOKEN", "a@b.c"),
        SourceConfig("zd", "zendesk", f"https://u:{SECRET}@acme.zendesk.com", "ZD_TOKEN", "a@b.c"),
        SourceConfig("zd", "zendesk", "https://acme.zendesk.com", SECRET, "a@b.c"),  # a secret
        SourceConfig("zd", "zendesk", "https://acme.zendesk.com", "ZD_TOKEN", None),
    ]
    for config in bad:
        with pytest.raises(InputError) as caught:
            save_source(config, path)
        assert SECRET not in str(caught.value) + " ".join(caught.value.problems)
    assert not path.exists()
    save_source(
        SourceConfig("zd", "zendesk", "https://acme.zendesk.com", "ZD_TOKEN", "a@b.c"), path
    )
    assert json.loads(path.read_text())["sources"][0]["url"] == "https://acme.zendesk.com"


def test_import_command_refuses_credentials_in_the_url_without_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZD_TOKEN", "x")
    url = f"https://agent:{SECRET}@acme.zendesk.com"
    args = ["import", "zendesk", "--url", url, "--email", "a@b.c", "--token-env", "ZD_TOKEN"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "a user or password inside the URL" in err and SECRET not in err
    assert not (tmp_path / ".followsun" / "sources.json").exists()
    plain = ["import", "freshdesk", "--url", "http://acme.freshdesk.com", "--key-env", "ZD_TOKEN"]
    assert main(plain) == 2
    assert "use https" in capsys.readouterr().err
