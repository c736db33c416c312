"""Shared fixtures: the database engines (SQLite always, PostgreSQL when configured)."""

pytest_plugins = ["tests.db_fixtures"]
