"""Login rate limiting: failures per (username, address) in a sliding window, bounded memory."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_KEYS = 10_000


class LoginLimiter:
    """Refuse a (username, address) pair after `max_failures` failures within `window_s`.

    Memory is bounded: at most `max_keys` pairs are remembered, the least recently
    failing forgotten first. Thread-safe (waitress serves from several threads).
    """

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked(self, username: str, address: str) -> bool:
        """Whether this pair has used up its attempts for now."""
        with self._lock:
            return len(self._recent((username, address), self._clock())) >= self.max_failures

    def failed(self, username: str, address: str) -> None:
        """Count a failed attempt."""
        key = (username, address)
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        """Forget a pair's failures after a good login."""
        with self._lock:
            self._failures.pop((username, address), None)

    def __len__(self) -> int:
        """How many pairs are remembered."""
        return len(self._failures)
