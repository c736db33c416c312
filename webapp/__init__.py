"""The web app (Flask): plan, compare, schedule and publish in the browser.

`create_app()` builds it (`webapp.factory`); `followsun serve` runs it under waitress.
Views call only `followsun.services` and `followsun.store` functions. Importing this
package stays light (the CLI registers `webapp.serve_command` at start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask application on the configured store (see `webapp.factory.build_app`)."""
    from webapp.factory import build_app

    return build_app(test_config)
