"""`python -m followsun` runs the CLI."""

from followsun.cli import main

raise SystemExit(main())
