"""Codes that say whether a staffing answer can be trusted and which target set it."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Whether a required-agent answer meets its targets.

    OK: every target met by the count. UNREACHABLE: no staffing meets the target (100%
    within any time, an ASA of 0 s, no abandonment at all); the count is the cap.
    CAPPED: the targets need more agents than the cap allows. CLOSED: the queue is not
    open in the interval (deferred work waits for the next opening).
    """

    OK = 0
    UNREACHABLE = 1
    CAPPED = 2
    CLOSED = 3

    @property
    def label(self) -> str:
        """Lower-case name written to files."""
        return self.name.lower()


class Binding(IntEnum):
    """The target that set the agent count (the largest of the per-target counts)."""

    NONE = 0
    SERVICE_LEVEL = 1
    ASA = 2
    OCCUPANCY = 3
    ABANDONMENT = 4
    RESPONSE_WINDOW = 5

    @property
    def label(self) -> str:
        """Lower-case name written to files."""
        return self.name.lower()


STATUS_LABELS = tuple(s.label for s in Status)
BINDING_LABELS = tuple(b.label for b in Binding)
