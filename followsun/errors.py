"""Errors the CLI turns into exit codes (2 for bad input: docs/ARCHITECTURE.md, "Errors and exit codes")."""

from forecasting.errors import InputError

__all__ = ["InputError"]
