"""`followsun user add`: make or reset a web app account; the password comes from the environment.

The password is read from the variable named by --password-env, never from the command
line (where the process list and the shell history would keep it).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

ROLES = ("viewer", "scheduler", "admin")


def register(subparsers: Any) -> None:
    """Add the `user` command."""
    parser = subparsers.add_parser(
        "user",
        help="manage web app accounts",
        description="Add a web app account, or reset its password and role.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add (or reset) an account")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--password-env",
        required=True,
        metavar="VAR",
        help="the environment variable holding the password",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Create or reset the account."""
    from followsun.errors import InputError
    from followsun.services.accounts import add_user

    password = os.environ.get(args.password_env)
    if not password:
        raise InputError(f"user add: the environment variable {args.password_env} is not set")
    user = add_user(args.username, args.role, password)
    print(f"user {user.username}: role {user.role.value}")
    return 0
