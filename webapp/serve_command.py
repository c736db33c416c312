"""`followsun serve`: the web app on the configured store, behind the waitress WSGI server.

The session secret comes from FOLLOWSUN_SECRET_KEY; without it the server refuses to
start, unless --dev generates a random one (sessions then end with the process).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Any

SECRET_KEY_ENV = "FOLLOWSUN_SECRET_KEY"


def register(subparsers: Any) -> None:
    """Add the `serve` command."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the web app",
        description="Serve the web app (waitress) on the store of FOLLOWSUN_DATABASE_URL.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="without FOLLOWSUN_SECRET_KEY, use a random key and plain-HTTP cookies",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the server and serve until interrupted."""
    from followsun.errors import InputError

    secret = os.environ.get(SECRET_KEY_ENV, "")
    if not secret:
        if not args.dev:
            raise InputError(f"serve: set {SECRET_KEY_ENV} (or pass --dev for a random one)")
        secret = secrets.token_hex(32)
        print("serve: --dev: a random secret key; sessions end with this process", file=sys.stderr)
    import waitress

    from webapp import create_app

    app = create_app({"SECRET_KEY": secret, "SESSION_COOKIE_SECURE": not args.dev})
    print(f"followsun web app on http://{args.host}:{args.port}/", file=sys.stderr)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    return 0
