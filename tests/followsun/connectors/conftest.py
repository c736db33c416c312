from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from followsun.store import create_store_engine
from tests.db_fixtures import sqlite_url


@pytest.fixture
def clean_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A second, empty SQLite store: the reference a clean, uninterrupted run goes into."""
    template: Path = request.getfixturevalue("sqlite_template")
    directory = tmp_path / "clean"
    directory.mkdir()
    shutil.copyfile(template, directory / "followsun.sqlite")
    engine = create_store_engine(sqlite_url(directory))
    yield engine
    engine.dispose()
