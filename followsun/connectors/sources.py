"""The configured sources `followsun sync` continues: where each one lives, never its secret.

Kept as JSON in `.followsun/sources.json` under the current directory (or the file named
by `$FOLLOWSUN_SOURCES_FILE`), beside the default database. A source records its kind,
base URL, account email, the NAME of the environment variable holding its token or key,
its field mapping and page size; the secret itself is read from the environment on every
run and is never written anywhere.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from followsun.connectors.http import check_base_url
from followsun.errors import InputError

SOURCES_FILE_ENV = "FOLLOWSUN_SOURCES_FILE"
DEFAULT_SOURCES_PATH = Path(".followsun") / "sources.json"
Kind = Literal["zendesk", "freshdesk"]
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


@dataclass(frozen=True)
class SourceConfig:
    """One configured API source.

    Attributes:
        name: the source name its tickets and cursor are stored under.
        kind: 'zendesk' or 'freshdesk'.
        url: the account's base URL (or a local stand-in).
        secret_env: the name of the environment variable holding the token or key.
        email: the agent email of a Zendesk API token (None for Freshdesk).
        mapping: the field mapping, as in a mapping file (empty: the defaults).
        per_page: records per page.
        allow_http_loopback: plain http is accepted because the URL is a local stand-in.
    """

    name: str
    kind: Kind
    url: str
    secret_env: str
    email: str | None = None
    mapping: Mapping[str, Any] = field(default_factory=dict)
    per_page: int | None = None
    allow_http_loopback: bool = False

    def check(self) -> None:
        """Raise InputError unless the source can be saved and run safely.

        The URL must be fit for credentials (`check_base_url`), and `secret_env` must be
        the NAME of a variable, so that a secret typed in its place is never stored.
        """
        problems = []
        if not self.name.strip():
            problems.append("the source name is empty")
        try:
            check_base_url(self.url, self.allow_http_loopback)
        except ValueError as exc:
            problems.append(str(exc))
        if not _VARIABLE.match(self.secret_env):
            problems.append(
                "the secret's variable must be a NAME like ZENDESK_TOKEN (letters, digits, _), "
                "not the secret itself"
            )
        if self.kind == "zendesk" and (not self.email or "@" not in self.email):
            problems.append(f"a Zendesk source needs the token's agent email, got {self.email!r}")
        if problems:
            raise InputError(f"source {self.name}: cannot be used", problems)

    def secret(self) -> str:
        """The token or key from the environment.

        Raises:
            InputError: the variable is unset or empty.
        """
        value = os.environ.get(self.secret_env, "").strip()
        if not value:
            raise InputError(
                f"source {self.name}: environment variable {self.secret_env} is not set",
                [f"export {self.secret_env}=... with the {self.kind} API credential"],
            )
        return value


def sources_path() -> Path:
    """The sources file: `$FOLLOWSUN_SOURCES_FILE`, else `.followsun/sources.json`."""
    configured = os.environ.get(SOURCES_FILE_ENV, "").strip()
    return Path(configured) if configured else Path.cwd() / DEFAULT_SOURCES_PATH


def load_sources(path: Path | None = None) -> list[SourceConfig]:
    """Every configured source, in the order they were first saved (none without a file).

    Raises:
        InputError: the file exists but is not a valid sources file.
    """
    where = path or sources_path()
    if not where.exists():
        return []
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
        return [SourceConfig(**item) for item in data["sources"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: not a valid sources file ({exc})") from exc


def save_source(config: SourceConfig, path: Path | None = None) -> Path:
    """Add `config`, or replace the source of the same name; returns the file written.

    Raises:
        InputError: `config` fails its `check` (nothing is written).
    """
    config.check()
    where = path or sources_path()
    merged = load_sources(where)
    names = [s.name for s in merged]
    if config.name in names:
        merged[names.index(config.name)] = config
    else:
        merged.append(config)
    where.parent.mkdir(parents=True, exist_ok=True)
    payload = {"sources": [{**asdict(s), "mapping": dict(s.mapping)} for s in merged]}
    temporary = where.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(where)  # atomic: a crash never leaves half a file
    return where
