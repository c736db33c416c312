"""Map tasks for the executor tests: standard library only, so worker processes start fast."""

from __future__ import annotations

import time


def delayed_square(item: tuple[int, float]) -> int:
    """`value` squared after `delay_s` seconds: later items can finish first."""
    value, delay_s = item
    time.sleep(delay_s)
    return value * value


def fail_on_three(value: int) -> int:
    """`value`, or a ValueError for 3."""
    if value == 3:
        raise ValueError("three is not allowed")
    return value


def start_time(value: int) -> float:
    """When the item started (the system's monotonic clock, the same in every process)."""
    return time.monotonic()
