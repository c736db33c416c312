"""A small per-app cache of data derived from immutable records (a roster version's shifts).

A roster version never changes once saved (publishing only flags it), so what a page
derives from its shifts can be kept, keyed by the version's id and creation time, and
reused across requests; the least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

T = TypeVar("T")


class LRUCache:
    """At most `size` values by key, thread-safe; the oldest-used goes when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`, made (outside the lock) and kept when missing."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                value: T = self._values[key]
                return value
        made = make()
        with self._lock:
            self._values[key] = made
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._values)


def app_cache(name: str, size: int) -> LRUCache:
    """The current app's cache called `name` (made on first use)."""
    caches: dict[str, LRUCache] = current_app.extensions.setdefault("followsun_caches", {})
    if name not in caches:
        caches[name] = LRUCache(size)
    return caches[name]
