from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def sample_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The job functions module, importable by name here and in processes started now."""
    monkeypatch.syspath_prepend(str(HERE))
    yield importlib.import_module("sample_jobs")


@pytest.fixture
def sample_tasks(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The map tasks module, importable by name here and in processes started now."""
    monkeypatch.syspath_prepend(str(HERE))
    yield importlib.import_module("sample_tasks")
