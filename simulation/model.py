"""The engine's inputs and result: queues, contacts, agents and the outcome of one run.

Times are seconds from the horizon start (floats); arrays are numpy, one entry per queue,
contact, agent or availability period. Each input validates itself on construction and
raises `InputError` naming the field and what is expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecasting.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class Mode(IntEnum):
    """How a queue's contacts are served.

    REALTIME: phone; one contact per agent; a caller abandons when their patience runs out.
    CHAT: one contact holds one of the agent's chat slots; chats may abandon too.
    DEFERRED: email/web work; waits (through closed hours too) until served, never abandons.
    """

    REALTIME = 0
    CHAT = 1
    DEFERRED = 2


class ShrinkageMode(IntEnum):
    """How an agent's shrinkage fraction is taken.

    SPREAD: off-queue blocks at random moments of each availability period, each taken
    as soon as the agent is free (an agent due a block takes no new contact).
    ABSENCE: whole shifts missed, each with probability equal to the fraction.
    """

    SPREAD = 0
    ABSENCE = 1


class Status(IntEnum):
    """Where a contact is at the end of a run (the horizon)."""

    WAITING = 1
    IN_SERVICE = 2
    HANDLED = 3
    ABANDONED = 4


def _floats(name: str, values: ArrayLike, size: int | None = None) -> FloatArray:
    out = np.ascontiguousarray(values, dtype=np.float64)
    if out.ndim != 1 or (size is not None and out.shape[0] != size):
        raise InputError(f"{name}: expected a 1-D array of {size} numbers, got shape {out.shape}")
    if np.isnan(out).any():
        raise InputError(f"{name}: expected numbers, found NaN")
    return out


def _ints(name: str, values: ArrayLike, size: int | None = None) -> IntArray:
    raw = np.asarray(values)
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        raise InputError(f"{name}: expected integers, got dtype {raw.dtype}")
    out = np.ascontiguousarray(raw, dtype=np.int64)
    if out.ndim != 1 or (size is not None and out.shape[0] != size):
        raise InputError(f"{name}: expected a 1-D array of {size} integers, got shape {out.shape}")
    return out


def _check(ok: bool | np.bool_, message: str) -> None:
    if not ok:
        raise InputError(message)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _default(values: ArrayLike | None, size: int, fill: float) -> ArrayLike:
    return np.full(size, fill) if values is None else values


@dataclass(frozen=True)
class Queues:
    """The queues contacts arrive at (one entry per queue).

    Attributes:
        mode: `Mode` per queue (or its name: "realtime", "chat", "deferred").
        target_s: service-level threshold in seconds (answer, or first reply on the
            queue's open-hours clock for deferred work).
        priority: an agent free for several queues serves the highest priority first,
            then the oldest contact; default all 0.
        reservation: keep N agents free for this queue: an idle agent able to serve it
            takes other work only while more than N such agents are idle; default 0.
        escalation: the queue an escalated contact goes on to (Tier 1 -> Tier 2), -1 none.
        open_windows: per queue, an (k, 2) array of [start, end) seconds when the queue is
            open (the clock deferred work's targets are measured on), or None for always.
        names: labels used in messages and reports.
    """

    mode: ArrayLike
    target_s: ArrayLike
    priority: ArrayLike | None = None
    reservation: ArrayLike | None = None
    escalation: ArrayLike | None = None
    open_windows: Sequence[ArrayLike | None] | None = None
    names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        raw_mode = np.asarray(self.mode)
        if raw_mode.dtype.kind in "US":
            try:
                raw_mode = np.array([Mode[str(m).upper()] for m in raw_mode], dtype=np.int64)
            except KeyError as exc:
                raise InputError(
                    f"queues.mode: expected realtime, chat or deferred, got {exc}"
                ) from None
        mode = _ints("queues.mode", raw_mode)
        n = mode.shape[0]
        _check(n > 0, "queues: expected at least one queue")
        _check(np.isin(mode, [m.value for m in Mode]).all(), "queues.mode: expected 0, 1 or 2")
        target = _floats("queues.target_s", self.target_s, n)
        _check((target >= 0).all(), "queues.target_s: expected seconds >= 0")
        reservation = _ints("queues.reservation", _default(self.reservation, n, 0), n)
        _check((reservation >= 0).all(), "queues.reservation: expected agents >= 0")
        escalation = _ints("queues.escalation", _default(self.escalation, n, -1), n)
        _check(
            ((escalation >= -1) & (escalation < n)).all(),
            f"queues.escalation: expected -1 or a queue index below {n}",
        )
        _check(
            not (escalation[escalation >= 0] == np.flatnonzero(escalation >= 0)).any(),
            "queues.escalation: a queue cannot escalate to itself",
        )
        windows = [None] * n if self.open_windows is None else list(self.open_windows)
        _check(len(windows) == n, f"queues.open_windows: expected {n} entries")
        _set(self, "mode", mode)
        _set(self, "target_s", target)
        _set(self, "priority", _ints("queues.priority", _default(self.priority, n, 0), n))
        _set(self, "reservation", reservation)
        _set(self, "escalation", escalation)
        _set(self, "open_windows", tuple(_windows(i, w) for i, w in enumerate(windows)))
        names = tuple(self.names) if self.names is not None else tuple(f"q{i}" for i in range(n))
        _check(len(names) == n, f"queues.names: expected {n} names")
        _set(self, "names", names)

    @property
    def count(self) -> int:
        """Number of queues."""
        return int(np.asarray(self.mode).shape[0])


def _windows(queue: int, windows: ArrayLike | None) -> FloatArray | None:
    if windows is None:
        return None
    w = np.asarray(windows, dtype=np.float64).reshape(-1, 2)
    ok = (w[:, 1] > w[:, 0]).all() and (w[1:, 0] >= w[:-1, 1]).all()
    _check(bool(ok), f"queues.open_windows[{queue}]: expected sorted, disjoint [start, end) rows")
    return w


@dataclass(frozen=True)
class Contacts:
    """The contacts offered, sorted by arrival (one entry per contact).

    Attributes:
        arrival_s: arrival instant, seconds from the horizon start, non-decreasing.
        queue: queue index.
        handle_s: handle time in seconds at an agent whose handle-time factor is 1.
        patience_s: how long the contact waits before abandoning (inf: never); ignored
            for deferred queues.
        escalation_prob: probability that the contact escalates to its queue's escalation
            queue once handled (1/0 for a recorded outcome); an agent with a one-touch
            rate replaces it by ``1 - one_touch``. Drawn with the run's seed.
        escalation_handle_s: handle time of the escalated follow-up (at factor 1).
        wrap_s: after-contact work: the agent stays unavailable this long after the end.
        head_start_s: the contact is queued as if it had arrived this much earlier
            (a priority caller's head start); default 0.
    """

    arrival_s: ArrayLike
    queue: ArrayLike
    handle_s: ArrayLike
    patience_s: ArrayLike | None = None
    escalation_prob: ArrayLike | None = None
    escalation_handle_s: ArrayLike | None = None
    wrap_s: ArrayLike | None = None
    head_start_s: ArrayLike | None = None

    def __post_init__(self) -> None:
        arrival = _floats("contacts.arrival_s", self.arrival_s)
        n = arrival.shape[0]
        _check(bool((np.diff(arrival) >= 0).all()), "contacts.arrival_s: expected sorted arrivals")
        _check(bool(np.isfinite(arrival).all()), "contacts.arrival_s: expected finite seconds")
        handle = _floats("contacts.handle_s", self.handle_s, n)
        _check(bool((np.isfinite(handle) & (handle > 0)).all()), "contacts.handle_s: expected > 0")
        patience = _floats("contacts.patience_s", _default(self.patience_s, n, np.inf), n)
        _check(bool((patience >= 0).all()), "contacts.patience_s: expected seconds >= 0 or inf")
        prob = _floats("contacts.escalation_prob", _default(self.escalation_prob, n, 0.0), n)
        _check(bool(((prob >= 0) & (prob <= 1)).all()), "contacts.escalation_prob: expected 0..1")
        esc_handle = np.ascontiguousarray(
            _default(self.escalation_handle_s, n, np.nan), dtype=np.float64
        )
        _check(esc_handle.shape == (n,), f"contacts.escalation_handle_s: expected {n} values")
        needs = prob > 0
        _check(
            bool((np.isfinite(esc_handle[needs]) & (esc_handle[needs] > 0)).all()),
            "contacts.escalation_handle_s: expected > 0 seconds wherever escalation_prob > 0",
        )
        wrap = _floats("contacts.wrap_s", _default(self.wrap_s, n, 0.0), n)
        _check(bool((np.isfinite(wrap) & (wrap >= 0)).all()), "contacts.wrap_s: expected >= 0")
        head = _floats("contacts.head_start_s", _default(self.head_start_s, n, 0.0), n)
        _check(bool(np.isfinite(head).all()), "contacts.head_start_s: expected finite seconds")
        _set(self, "arrival_s", arrival)
        _set(self, "queue", _ints("contacts.queue", self.queue, n))
        _set(self, "handle_s", handle)
        _set(self, "patience_s", patience)
        _set(self, "escalation_prob", prob)
        _set(self, "escalation_handle_s", esc_handle)
        _set(self, "wrap_s", wrap)
        _set(self, "head_start_s", head)

    @property
    def count(self) -> int:
        """Number of contacts."""
        return int(np.asarray(self.arrival_s).shape[0])


@dataclass(frozen=True)
class Agents:
    """The agents (one entry per agent) and when they are available (one per period).

    Attributes:
        skills: (agents x queues) bool, True where the agent may serve the queue.
        period_agent: agent index of each availability period.
        period_start_s: start of each period (shift minus breaks), seconds.
        period_end_s: end of each period; one agent's periods must not overlap. An agent
            finishes the contact in hand at a period's end and takes no new one.
        chat_slots: chats an agent handles at once (>= 1); default 1.
        shrinkage_frac: share of available time off queue (0 <= f < 1); default 0.
        shrinkage_mode: how that share is taken (`ShrinkageMode`), one mode for all.
        shrinkage_block_s: length of one off-queue block in SPREAD mode, seconds.
        handle_factor: multiplies every handle time at this agent (a BPO vendor's AHT
            ratio); default 1.
        one_touch: share of contacts this agent resolves without escalation, replacing
            the contacts' own escalation probability; NaN (default) keeps the contact's.
        group: site or group index, for reporting; default 0.
        period_shift: the shift each period belongs to (ABSENCE mode misses whole
            shifts); default each period its own shift.
    """

    skills: ArrayLike
    period_agent: ArrayLike
    period_start_s: ArrayLike
    period_end_s: ArrayLike
    chat_slots: ArrayLike | None = None
    shrinkage_frac: ArrayLike | None = None
    shrinkage_mode: ShrinkageMode = ShrinkageMode.SPREAD
    shrinkage_block_s: float = 900.0
    handle_factor: ArrayLike | None = None
    one_touch: ArrayLike | None = None
    group: ArrayLike | None = None
    period_shift: ArrayLike | None = None

    def __post_init__(self) -> None:
        skills = np.ascontiguousarray(self.skills, dtype=np.bool_)
        _check(skills.ndim == 2, f"agents.skills: expected (agents x queues), got {skills.shape}")
        a = skills.shape[0]
        p_agent = _ints("agents.period_agent", self.period_agent)
        p = p_agent.shape[0]
        start = _floats("agents.period_start_s", self.period_start_s, p)
        end = _floats("agents.period_end_s", self.period_end_s, p)
        _check(bool(((p_agent >= 0) & (p_agent < a)).all()), "agents.period_agent: bad index")
        _check(bool((end > start).all()), "agents.period_end_s: expected end > start")
        order = np.lexsort((start, p_agent))
        same = p_agent[order][1:] == p_agent[order][:-1]
        overlap = same & (start[order][1:] < end[order][:-1])
        _check(not overlap.any(), "agents: one agent's availability periods overlap")
        slots = _ints("agents.chat_slots", _default(self.chat_slots, a, 1), a)
        _check(bool((slots >= 1).all()), "agents.chat_slots: expected >= 1")
        shrink = _floats("agents.shrinkage_frac", _default(self.shrinkage_frac, a, 0.0), a)
        _check(bool(((shrink >= 0) & (shrink < 1)).all()), "agents.shrinkage_frac: expected 0..1")
        _check(self.shrinkage_block_s > 0, "agents.shrinkage_block_s: expected > 0 seconds")
        factor = _floats("agents.handle_factor", _default(self.handle_factor, a, 1.0), a)
        _check(bool((np.isfinite(factor) & (factor > 0)).all()), "agents.handle_factor: > 0")
        one_touch = np.ascontiguousarray(_default(self.one_touch, a, np.nan), dtype=np.float64)
        _check(one_touch.shape == (a,), f"agents.one_touch: expected {a} values")
        known = one_touch[~np.isnan(one_touch)]
        _check(bool(((known >= 0) & (known <= 1)).all()), "agents.one_touch: expected 0..1")
        shift = _ints("agents.period_shift", _default(self.period_shift, p, 0), p)
        if self.period_shift is None:
            shift = np.arange(p, dtype=np.int64)
        _set(self, "skills", skills)
        _set(self, "period_agent", p_agent)
        _set(self, "period_start_s", start)
        _set(self, "period_end_s", end)
        _set(self, "chat_slots", slots)
        _set(self, "shrinkage_frac", shrink)
        _set(self, "shrinkage_mode", ShrinkageMode(self.shrinkage_mode))
        _set(self, "handle_factor", factor)
        _set(self, "one_touch", one_touch)
        _set(self, "group", _ints("agents.group", _default(self.group, a, 0), a))
        _set(self, "period_shift", shift)

    @property
    def count(self) -> int:
        """Number of agents."""
        return int(np.asarray(self.skills).shape[0])


@dataclass(frozen=True)
class Outcome:
    """What one run produced.

    Per contact (the offered contacts first, in input order, then the escalated
    follow-ups in the order they were created):

    Attributes:
        arrival_s: arrival instant (a follow-up arrives when its parent's handling ends).
        queue: queue index.
        start_s: start of service, NaN if never served.
        end_s: when the contact left (end of handling, or abandonment); NaN if it was
            still waiting or in service at the horizon.
        agent: agent who served it, -1 if none.
        status: `Status` at the horizon.
        parent: for a follow-up, the index of the contact it escalated from; else -1.
        busy_s: per agent, seconds spent handling or in after-contact work within the
            horizon (a chat counts 1/chat_slots of its duration).
        available_s: per agent, seconds on queue within the horizon: availability
            periods not missed, less off-queue (shrinkage) time.
        offqueue_s: per agent, shrinkage seconds taken within the horizon.
        horizon_s: the run's horizon.
        seed: the run's seed.
    """

    arrival_s: FloatArray
    queue: IntArray
    start_s: FloatArray
    end_s: FloatArray
    agent: IntArray
    status: NDArray[np.int8]
    parent: IntArray
    busy_s: FloatArray
    available_s: FloatArray
    offqueue_s: FloatArray
    horizon_s: float
    seed: int

    @property
    def abandoned(self) -> BoolArray:
        """True for contacts that abandoned."""
        return np.asarray(self.status == Status.ABANDONED)

    @property
    def handled(self) -> BoolArray:
        """True for contacts whose handling ended within the horizon."""
        return np.asarray(self.status == Status.HANDLED)

    @property
    def wait_s(self) -> FloatArray:
        """Seconds from arrival to service start (NaN if never served)."""
        return np.asarray(self.start_s - self.arrival_s)
