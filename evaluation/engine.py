"""The scenario's queues, the contacts and the workforce as the simulation engine's inputs.

One replication: build `simulation.Queues`, `Contacts` and `Agents`, run
`simulation.simulate`, and return what happened to each contact as
`evaluation.interval_outcomes.Served`.

Mapping (one place): phone is realtime (patience, abandonment), chat is served in slots,
email, web and social are deferred work that waits through closed hours; a queue's
priority and `reserved_agents` go to the router as they are; its coverage becomes its
open windows. A phone or chat contact arriving while its queue is closed never reaches the
engine: it is abandoned on arrival, as the analytic evaluation counts it. Tier 1 contacts
escalate inside the engine (with the queue's rate, or the serving vendor's one-touch rate)
only to a Tier 2 queue the contacts do not already list: replayed tickets and forecasts
usually carry Tier 2 contacts of their own.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import simulation
from evaluation.calibration import Calibration
from evaluation.contacts import ContactTable, handle_cv
from evaluation.interval_outcomes import Served, open_windows
from evaluation.workforce import Workforce
from scenarios.spec import REALTIME_CHANNELS, Scenario
from simulation.arrivals import empirical_handle_s, lognormal_handle_s

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MODES = {"phone": "realtime", "chat": "chat"}
SHRINKAGE_MODES = {
    "spread": simulation.ShrinkageMode.SPREAD,
    "absence": simulation.ShrinkageMode.ABSENCE,
}


def escalation_queues(scenario: Scenario, listed: BoolArray) -> NDArray[np.int64]:
    """Per queue, the queue its escalations go to inside the engine (-1: none).

    `listed` marks queues that have contacts of their own in the source: those receive
    no simulated escalations (the source already holds them).
    """
    ids = [q.id for q in scenario.queues]
    out = np.full(len(ids), -1, dtype=np.int64)
    for i, q in enumerate(scenario.queues):
        if q.escalates_to is not None and q.escalation_rate > 0:
            target = ids.index(q.escalates_to)
            if not listed[target]:
                out[i] = target
    return out


def engine_queues(
    scenario: Scenario, open_mask: BoolArray, step_s: float, escalation: NDArray[np.int64]
) -> simulation.Queues:
    """The scenario's queues as the engine's `Queues`."""
    return simulation.Queues(
        mode=[MODES.get(q.channel, "deferred") for q in scenario.queues],
        target_s=[q.target.within_seconds for q in scenario.queues],
        priority=[q.priority for q in scenario.queues],
        reservation=[q.reserved_agents for q in scenario.queues],
        escalation=escalation,
        open_windows=open_windows(open_mask, step_s),
        names=[q.id for q in scenario.queues],
    )


def engine_agents(workforce: Workforce, shrinkage_mode: str) -> simulation.Agents:
    """The workforce as the engine's `Agents`."""
    return simulation.Agents(
        skills=workforce.skills,
        period_agent=workforce.period_agent,
        period_start_s=workforce.period_start_s,
        period_end_s=workforce.period_end_s,
        chat_slots=workforce.chat_slots,
        shrinkage_frac=workforce.shrinkage,
        shrinkage_mode=SHRINKAGE_MODES[shrinkage_mode],
        handle_factor=workforce.handle_factor,
        one_touch=workforce.one_touch,
        group=workforce.group,
        period_shift=workforce.period_shift,
    )


def run(
    scenario: Scenario,
    contacts: ContactTable,
    patience_s: FloatArray,
    workforce: Workforce,
    open_mask: BoolArray,
    step_s: float,
    *,
    seed: int,
    escalation: NDArray[np.int64],
    shrinkage_mode: str = "spread",
    calibration: Calibration | None = None,
) -> tuple[Served, FloatArray, FloatArray]:
    """One replication: what happened to each contact, and busy and on-queue seconds per agent.

    Args:
        scenario: the queues.
        contacts: the contacts offered (sorted by arrival).
        patience_s: patience per contact (inf: none).
        workforce: the agents.
        open_mask: (queues x intervals) coverage of the grid.
        step_s: interval length.
        seed: the engine's seed (routing ties, shrinkage, escalation draws).
        escalation: per queue, the queue it escalates to in the engine (-1 none), from
            `escalation_queues`.
        shrinkage_mode: 'spread' or 'absence'.
        calibration: escalation rates and Tier 2 handle times from actuals.
    """
    rng = np.random.default_rng(seed)
    n_int = open_mask.shape[1]
    horizon_s = n_int * step_s
    q = contacts.queue
    k = np.clip((contacts.arrival_s // step_s).astype(np.int64), 0, n_int - 1)
    realtime = np.array([qu.channel in REALTIME_CHANNELS for qu in scenario.queues])
    turned_away = realtime[q] & ~open_mask[q, k]
    keep = ~turned_away
    kq = q[keep]
    rate = np.array(
        [
            _escalation_rate(scenario, i, calibration) if escalation[i] >= 0 else 0.0
            for i in range(len(scenario.queues))
        ]
    )
    esc_handle = escalation_handles(scenario, kq, rate, escalation, rng, calibration)
    outcome = simulation.simulate(
        engine_queues(scenario, open_mask, step_s, escalation),
        simulation.Contacts(
            arrival_s=contacts.arrival_s[keep],
            queue=kq,
            handle_s=contacts.handle_s[keep],
            patience_s=patience_s[keep],
            escalation_prob=rate[kq],
            escalation_handle_s=esc_handle,
        ),
        engine_agents(workforce, shrinkage_mode),
        horizon_s,
        int(rng.integers(2**31)),
    )
    status = np.asarray(outcome.status)
    gave_up = status == simulation.Status.ABANDONED
    away = contacts.arrival_s[turned_away]
    nan_away = np.full(away.size, np.nan)
    served = Served(
        arrival_s=np.concatenate((outcome.arrival_s, away)),
        queue=np.concatenate((outcome.queue, q[turned_away])).astype(np.int64),
        start_s=np.concatenate((outcome.start_s, nan_away)),
        end_s=np.concatenate(
            (np.where(status == simulation.Status.HANDLED, outcome.end_s, np.nan), nan_away)
        ),
        agent=np.concatenate((outcome.agent, np.full(away.size, -1))).astype(np.int64),
        abandoned_s=np.concatenate((np.where(gave_up, outcome.end_s, np.nan), away)),
    )
    return served, np.asarray(outcome.busy_s), np.asarray(outcome.available_s)


def escalation_handles(
    scenario: Scenario,
    queue: NDArray[np.int64],
    rate: FloatArray,
    escalation: NDArray[np.int64],
    rng: np.random.Generator,
    calibration: Calibration | None = None,
) -> FloatArray:
    """Each contact's follow-up handle time, should it escalate (NaN where it cannot).

    Drawn from the receiving queue's actual handle times when calibrated, else lognormal
    around its AHT.
    """
    out = np.full(queue.size, np.nan)
    for i, target in enumerate(escalation):
        sel = (queue == i) & (rate[queue] > 0)
        if target < 0 or not sel.any():
            continue
        receiving = scenario.queues[int(target)]
        count = int(sel.sum())
        observed = None if calibration is None else calibration.handle.get(receiving.key)
        if observed is not None:
            out[sel] = empirical_handle_s(observed.overall, count, rng)
        else:
            mean = np.full(count, receiving.aht_seconds)
            out[sel] = lognormal_handle_s(mean, handle_cv(receiving.channel), rng)
    return out


def _escalation_rate(scenario: Scenario, queue: int, calibration: Calibration | None) -> float:
    q = scenario.queues[queue]
    if calibration is not None:
        observed = calibration.escalation_rate.get(q.key)
        if observed is not None:
            return observed
    return q.escalation_rate
