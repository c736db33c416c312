"""Errors the CLI turns into exit codes (see CONTRACTS.md: 2 for bad input)."""

from forecasting.errors import InputError

__all__ = ["InputError"]
