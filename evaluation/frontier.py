"""The cost-service frontier: the variants no other variant beats on both cost and SLA."""

from __future__ import annotations

from collections.abc import Sequence


def dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether (cost, sla) point `a` is at least as good as `b` on both and better on one."""
    return a[0] <= b[0] and a[1] >= b[1] and (a[0] < b[0] or a[1] > b[1])


def frontier(costs: Sequence[float], slas: Sequence[float]) -> list[int]:
    """Indices of the points no other point dominates, by rising cost (ties by input order).

    Lower cost and higher service level are better; a point with a NaN figure is never
    on the frontier (it cannot be compared).
    """
    points = [(float(c), float(s)) for c, s in zip(costs, slas, strict=True)]
    valid = [i for i, (c, s) in enumerate(points) if c == c and s == s]
    kept = [i for i in valid if not any(dominates(points[j], points[i]) for j in valid)]
    return sorted(kept, key=lambda i: (points[i][0], i))
