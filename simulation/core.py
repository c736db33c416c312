"""The event loop, compiled with numba: plain arrays in, plain arrays out.

Four sorted streams feed the loop: availability period ends and starts (ends first at
one instant), a binary heap of scheduled events (handling ends, agent releases,
abandonments, returns from off-queue time), off-queue blocks, and arrivals. At one
instant they are taken in that order. Waiting contacts sit in one doubly linked list per
queue ordered by their queueing key (arrival less head start), so an abandonment leaves
its list in O(1).

The loop releases the GIL, so replications in a thread pool run in parallel.
State is held in a few arrays: per agent the integer fields `A_*` and the float fields
`F_*` below; per contact its state, times and list links.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Heap event kinds (the low two bits of an event code; the rest is the contact or agent).
EV_COMPLETE = 0
EV_RELEASE = 1
EV_ABANDON = 2
EV_RETURN = 3

# Contact states (the values of model.Status, plus 0 for "not arrived yet").
C_NONE = 0
C_WAITING = 1
C_SERVICE = 2
C_HANDLED = 3
C_ABANDONED = 4

CHAT = 1  # model.Mode.CHAT
DEFERRED = 2  # model.Mode.DEFERRED

# Agent integer fields.
A_INHAND = 0  # contacts in hand, including after-contact work
A_SERVING = 1  # contacts being handled
A_CHAT_ONLY = 2  # 1 while the contacts in hand are chats
A_AVAIL = 3  # 1 inside an availability period
A_OFFQ = 4  # 1 while taking off-queue time
A_IDLE = 5  # 1 while counted in the idle counts of its queues
A_FIELDS = 6
# Agent float fields.
F_IDLE_SINCE = 0
F_OWED = 1  # off-queue seconds due, taken when next free
F_OFFQ_START = 2
F_OFFQ_END = 3
F_BUSY = 4
F_OFFQ_S = 5
F_FIELDS = 6

# Counters returned for the conservation check.
N_ARRIVED = 0
N_HANDLED = 1
N_ABANDONED = 2
N_CREATED = 3  # contacts in use: offered plus follow-ups
N_FIELDS = 4


@njit(cache=True, nogil=True)
def _push(ht, hs, hc, hn, t, code):  # type: ignore[no-untyped-def]
    i = hn[0]
    hn[0] = i + 1
    seq = hn[1]
    hn[1] = seq + 1
    while i > 0:
        p = (i - 1) >> 1
        if ht[p] < t or (ht[p] == t and hs[p] < seq):
            break
        ht[i] = ht[p]
        hs[i] = hs[p]
        hc[i] = hc[p]
        i = p
    ht[i] = t
    hs[i] = seq
    hc[i] = code


@njit(cache=True, nogil=True)
def _pop(ht, hs, hc, hn):  # type: ignore[no-untyped-def]
    n = hn[0] - 1
    hn[0] = n
    if n == 0:
        return
    t = ht[n]
    s = hs[n]
    code = hc[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        r = c + 1
        if r < n and (ht[r] < ht[c] or (ht[r] == ht[c] and hs[r] < hs[c])):
            c = r
        if ht[c] > t or (ht[c] == t and hs[c] > s):
            break
        ht[i] = ht[c]
        hs[i] = hs[c]
        hc[i] = hc[c]
        i = c
    ht[i] = t
    hs[i] = s
    hc[i] = code


@njit(cache=True, nogil=True)
def _enqueue(c, q, key, prev, nxt, q_head, q_tail, q_count):  # type: ignore[no-untyped-def]
    x = q_tail[q]
    while x >= 0 and key[x] > key[c]:
        x = prev[x]
    if x < 0:
        after = q_head[q]
        q_head[q] = c
    else:
        after = nxt[x]
        nxt[x] = c
    prev[c] = x
    nxt[c] = after
    if after < 0:
        q_tail[q] = c
    else:
        prev[after] = c
    q_count[q] += 1


@njit(cache=True, nogil=True)
def _unlink(c, q, prev, nxt, q_head, q_tail, q_count):  # type: ignore[no-untyped-def]
    p = prev[c]
    x = nxt[c]
    if p < 0:
        q_head[q] = x
    else:
        nxt[p] = x
    if x < 0:
        q_tail[q] = p
    else:
        prev[x] = p
    q_count[q] -= 1


@njit(cache=True, nogil=True)
def _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il):  # type: ignore[no-untyped-def]
    """Keep `a` in the idle counts and the idle list exactly while it is idle.

    The idle list holds idle agents longest-idle first: an agent joins at the tail
    when it becomes idle, which is the current instant, so the list stays in order.
    Links: ``il[a]`` previous, ``il[n + a]`` next, ``il[2n]`` head, ``il[2n + 1]`` tail.
    """
    idle = 1 if (ai[a, A_AVAIL] == 1 and ai[a, A_OFFQ] == 0 and ai[a, A_INHAND] == 0) else 0
    if idle == ai[a, A_IDLE]:
        return
    ai[a, A_IDLE] = idle
    d = 1 if idle == 1 else -1
    for j in range(aq_ptr[a], aq_ptr[a + 1]):
        q_idle[aq_idx[j]] += d
    n = ai.shape[0]
    if idle == 1:
        tail = il[2 * n + 1]
        il[a] = tail
        il[n + a] = -1
        if tail < 0:
            il[2 * n] = a
        else:
            il[n + tail] = a
        il[2 * n + 1] = a
    else:
        p = il[a]
        x = il[n + a]
        if p < 0:
            il[2 * n] = x
        else:
            il[n + p] = x
        if x < 0:
            il[2 * n + 1] = p
        else:
            il[x] = p


@njit(cache=True, nogil=True)
def _reserved_elsewhere(a, q, aq_ptr, aq_idx, q_reserve, q_idle):  # type: ignore[no-untyped-def]
    """True when idle agent `a` must stay free for another queue's reservation."""
    for j in range(aq_ptr[a], aq_ptr[a + 1]):
        r = aq_idx[j]
        if r != q and q_reserve[r] > 0 and q_idle[r] <= q_reserve[r]:
            return True
    return False


@njit(cache=True, nogil=True)
def simulate_core(  # type: ignore[no-untyped-def]  # noqa: C901
    horizon,
    q_mode,
    q_priority,
    q_reserve,
    q_escalate,
    arrival,
    queue,
    handle,
    patience,
    esc_prob,
    esc_handle,
    wrap,
    key,
    uniform,
    n_offered,
    slots,
    factor,
    one_touch,
    skill,
    aq_ptr,
    aq_idx,
    qa_ptr,
    qa_idx,
    pe_time,
    pe_agent,
    pe_start,
    blk_time,
    blk_agent,
    blk_len,
    c_state,
    c_start,
    c_end,
    c_agent,
    c_parent,
    af,
    ai,
    q_count,
):
    """Run the loop to `horizon`; fills the contact and agent arrays, returns counters.

    Contact arrays have room for the offered contacts followed by their follow-ups;
    `arrival`, `queue`, `handle` and `key` are filled for follow-ups as they are made.
    """
    n_q = q_mode.shape[0]
    cap = arrival.shape[0]
    n_agents = slots.shape[0]
    counters = np.zeros(N_FIELDS, dtype=np.int64)
    counters[N_CREATED] = n_offered
    prev = np.full(cap, -1, dtype=np.int64)
    nxt = np.full(cap, -1, dtype=np.int64)
    q_head = np.full(n_q, -1, dtype=np.int64)
    q_tail = np.full(n_q, -1, dtype=np.int64)
    q_idle = np.zeros(n_q, dtype=np.int64)
    il = np.full(2 * n_agents + 2, -1, dtype=np.int64)
    h_cap = 2 * cap + blk_time.shape[0] + 2  # each off-queue spell follows a block
    ht = np.empty(h_cap, dtype=np.float64)
    hs = np.empty(h_cap, dtype=np.int64)
    hc = np.empty(h_cap, dtype=np.int64)
    hn = np.zeros(2, dtype=np.int64)
    n_pe = pe_time.shape[0]
    n_blk = blk_time.shape[0]
    ia = 0
    ip = 0
    ib = 0
    reserving = q_reserve.max() > 0
    while True:
        src = -1
        t = horizon
        if ip < n_pe and pe_time[ip] < t:
            t = pe_time[ip]
            src = 0
        if hn[0] > 0 and ht[0] < t:
            t = ht[0]
            src = 1
        if ib < n_blk and blk_time[ib] < t:
            t = blk_time[ib]
            src = 2
        if ia < n_offered and arrival[ia] < t:
            t = arrival[ia]
            src = 3
        if src < 0:
            break
        free_agent = -1  # an agent who may have room for work after this event
        ready = -1  # a contact that arrives now
        if src == 0:
            a = pe_agent[ip]
            if pe_start[ip]:
                ai[a, A_AVAIL] = 1
                af[a, F_OWED] = 0.0
                af[a, F_IDLE_SINCE] = t
                free_agent = a
            else:
                ai[a, A_AVAIL] = 0
                af[a, F_OWED] = 0.0
                if ai[a, A_OFFQ] == 1:
                    ai[a, A_OFFQ] = 0
                    af[a, F_OFFQ_S] += t - af[a, F_OFFQ_START]
                _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il)
            ip += 1
        elif src == 1:
            code = hc[0]
            _pop(ht, hs, hc, hn)
            kind = code & 3
            ident = code >> 2
            if kind == EV_COMPLETE:
                c = ident
                a = c_agent[c]
                c_state[c] = C_HANDLED
                c_end[c] = t
                counters[N_HANDLED] += 1
                ai[a, A_SERVING] -= 1
                q = queue[c]
                if q_escalate[q] >= 0 and c < n_offered:
                    p_esc = esc_prob[c] if np.isnan(one_touch[a]) else 1.0 - one_touch[a]
                    if uniform[c] < p_esc:
                        f = counters[N_CREATED]
                        counters[N_CREATED] = f + 1
                        arrival[f] = t
                        queue[f] = q_escalate[q]
                        handle[f] = esc_handle[c]
                        key[f] = t
                        c_parent[f] = c
                        ready = f
                if wrap[c] > 0.0:
                    _push(ht, hs, hc, hn, t + wrap[c], c * 4 + EV_RELEASE)
                else:
                    kind = EV_RELEASE
            if kind == EV_RELEASE:
                a = c_agent[ident]
                ai[a, A_INHAND] -= 1
                if ai[a, A_INHAND] == 0:
                    ai[a, A_CHAT_ONLY] = 0
                af[a, F_IDLE_SINCE] = t
                free_agent = a
            elif kind == EV_ABANDON:
                c = ident
                if c_state[c] == C_WAITING:
                    _unlink(c, queue[c], prev, nxt, q_head, q_tail, q_count)
                    c_state[c] = C_ABANDONED
                    c_end[c] = t
                    counters[N_ABANDONED] += 1
            elif kind == EV_RETURN:
                a = ident
                if ai[a, A_OFFQ] == 1 and af[a, F_OFFQ_END] == t:
                    ai[a, A_OFFQ] = 0
                    af[a, F_OFFQ_S] += t - af[a, F_OFFQ_START]
                    af[a, F_IDLE_SINCE] = t
                    free_agent = a
        elif src == 2:
            a = blk_agent[ib]
            if ai[a, A_AVAIL] == 1:
                af[a, F_OWED] += blk_len[ib]
                if ai[a, A_OFFQ] == 0:
                    free_agent = a
            ib += 1
        else:
            ready = ia
            ia += 1

        if ready >= 0:
            _arrive(
                ready, t, horizon, q_mode, q_reserve, queue, handle, patience, wrap, key,
                slots, factor, skill, aq_ptr, aq_idx, qa_ptr, qa_idx, c_state, c_start, c_agent,
                af, ai, q_idle, il, prev, nxt, q_head, q_tail, q_count, ht, hs, hc, hn,
            )  # fmt: skip
            counters[N_ARRIVED] += 1
        if free_agent >= 0:
            _take_work(
                free_agent, t, horizon, q_mode, q_priority, q_reserve, queue, handle, wrap,
                key, slots, factor, aq_ptr, aq_idx, c_state, c_start, c_agent, af, ai,
                q_idle, il, prev, nxt, q_head, q_tail, q_count, ht, hs, hc, hn,
            )  # fmt: skip
            if reserving and ai[free_agent, A_IDLE] == 1:
                # one more idle agent may lift a reservation that held other idle agents
                a = il[2 * n_agents]
                while a >= 0:
                    after = il[n_agents + a]
                    if a != free_agent:
                        _take_work(
                            a, t, horizon, q_mode, q_priority, q_reserve, queue, handle, wrap,
                            key, slots, factor, aq_ptr, aq_idx, c_state, c_start, c_agent, af,
                            ai, q_idle, il, prev, nxt, q_head, q_tail, q_count, ht, hs, hc, hn,
                        )  # fmt: skip
                    a = after
    for a in range(n_agents):
        if ai[a, A_OFFQ] == 1:
            af[a, F_OFFQ_S] += horizon - af[a, F_OFFQ_START]
    return counters


@njit(cache=True, nogil=True)
def _start(  # type: ignore[no-untyped-def]
    c, a, t, horizon, q_mode, queue, handle, wrap, slots, factor, aq_ptr, aq_idx,
    c_state, c_start, c_agent, af, ai, q_idle, il, ht, hs, hc, hn,
):  # fmt: skip
    q = queue[c]
    c_state[c] = C_SERVICE
    c_start[c] = t
    c_agent[c] = a
    duration = handle[c] * factor[a]
    ai[a, A_INHAND] += 1
    ai[a, A_SERVING] += 1
    weight = 1.0
    if q_mode[q] == CHAT:
        ai[a, A_CHAT_ONLY] = 1
        weight = 1.0 / slots[a]
    af[a, F_BUSY] += weight * (min(t + duration + wrap[c], horizon) - t)
    _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il)
    _push(ht, hs, hc, hn, t + duration, c * 4 + EV_COMPLETE)


@njit(cache=True, nogil=True)
def _arrive(  # type: ignore[no-untyped-def]
    c, t, horizon, q_mode, q_reserve, queue, handle, patience, wrap, key, slots, factor, skill,
    aq_ptr, aq_idx, qa_ptr, qa_idx, c_state, c_start, c_agent, af, ai, q_idle, il,
    prev, nxt, q_head, q_tail, q_count, ht, hs, hc, hn,
):  # fmt: skip
    """Contact `c` arrives: the longest-idle free skilled agent takes it, or it waits.

    Idle agents come first (walked longest-idle first, skipping those held by another
    queue's reservation); a chat may then go to the agent with the fewest chats in hand
    and a free slot, the longest since its last change first.
    """
    q = queue[c]
    n = ai.shape[0]
    best = -1
    a = il[2 * n]
    while a >= 0:
        if skill[a, q] and not _reserved_elsewhere(a, q, aq_ptr, aq_idx, q_reserve, q_idle):
            best = a
            break
        a = il[n + a]
    if best < 0 and q_mode[q] == CHAT:
        best_load = 0
        best_since = 0.0
        for j in range(qa_ptr[q], qa_ptr[q + 1]):
            a = qa_idx[j]
            load = ai[a, A_INHAND]
            if (
                load == 0
                or ai[a, A_CHAT_ONLY] == 0
                or load >= slots[a]
                or ai[a, A_AVAIL] == 0
                or ai[a, A_OFFQ] == 1
                or af[a, F_OWED] > 0.0
            ):
                continue
            since = af[a, F_IDLE_SINCE]
            if best < 0 or load < best_load or (load == best_load and since < best_since):
                best = a
                best_load = load
                best_since = since
    if best >= 0:
        _start(
            c, best, t, horizon, q_mode, queue, handle, wrap, slots, factor, aq_ptr, aq_idx,
            c_state, c_start, c_agent, af, ai, q_idle, il, ht, hs, hc, hn,
        )  # fmt: skip
        return
    c_state[c] = C_WAITING
    _enqueue(c, q, key, prev, nxt, q_head, q_tail, q_count)
    if q_mode[q] != DEFERRED and patience[c] < np.inf:
        _push(ht, hs, hc, hn, t + patience[c], c * 4 + EV_ABANDON)


@njit(cache=True, nogil=True)
def _take_work(  # type: ignore[no-untyped-def]
    a, t, horizon, q_mode, q_priority, q_reserve, queue, handle, wrap, key, slots, factor,
    aq_ptr, aq_idx, c_state, c_start, c_agent, af, ai, q_idle, il,
    prev, nxt, q_head, q_tail, q_count, ht, hs, hc, hn,
):  # fmt: skip
    """Agent `a` may have room: take off-queue time due, else the best waiting work."""
    if ai[a, A_AVAIL] == 0 or ai[a, A_OFFQ] == 1:
        _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il)
        return
    if af[a, F_OWED] > 0.0:
        if ai[a, A_INHAND] == 0:
            ai[a, A_OFFQ] = 1
            af[a, F_OFFQ_START] = t
            af[a, F_OFFQ_END] = t + af[a, F_OWED]
            af[a, F_OWED] = 0.0
            _push(ht, hs, hc, hn, af[a, F_OFFQ_END], a * 4 + EV_RETURN)
        _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il)
        return
    _refresh_idle(a, ai, aq_ptr, aq_idx, q_idle, il)
    while True:
        load = ai[a, A_INHAND]
        if load > 0 and not (ai[a, A_CHAT_ONLY] == 1 and load < slots[a]):
            return
        best = -1
        for j in range(aq_ptr[a], aq_ptr[a + 1]):
            q = aq_idx[j]
            if q_count[q] == 0 or (load > 0 and q_mode[q] != CHAT):
                continue
            if load == 0 and _reserved_elsewhere(a, q, aq_ptr, aq_idx, q_reserve, q_idle):
                continue
            if (
                best < 0
                or q_priority[q] > q_priority[best]
                or (q_priority[q] == q_priority[best] and key[q_head[q]] < key[q_head[best]])
            ):
                best = q
        if best < 0:
            return
        c = q_head[best]
        _unlink(c, best, prev, nxt, q_head, q_tail, q_count)
        _start(
            c, a, t, horizon, q_mode, queue, handle, wrap, slots, factor, aq_ptr, aq_idx,
            c_state, c_start, c_agent, af, ai, q_idle, il, ht, hs, hc, hn,
        )  # fmt: skip
