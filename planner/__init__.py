"""Staffing mathematics and the roster solver, each with its own typed inputs.

Imports only `forecasting` (for the time model); knows nothing of scenario files,
Flask or SQL.
"""
